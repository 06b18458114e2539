use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxmoxConfig {
    /// `https://pve1.example.org:8006`
    pub url: String,
    /// `USER@REALM!TOKENID`, with `token_secret`; or else `username` and `password`.
    #[serde(default)]
    pub token_id: Option<String>,
    #[serde(default)]
    pub token_secret: Option<Secret>,
    /// `USER@REALM` signing in with a password for a ticket (`POST /access/ticket`), for
    /// clusters where no API token is made.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<Secret>,
    /// The cluster CA (`/etc/pve/pve-root-ca.pem`); or else `fingerprint`.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The node certificate's SHA-256 fingerprint, `AA:BB:...` (`ssl_fingerprint` in `GET /nodes`).
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// The nodes guests may be made on: a VM on its template's node, a container on the one with
    /// the most free memory among those that reach its storage.
    pub nodes: Vec<String>,
    /// Storage for container root disks and full clones.
    pub storage: String,
    #[serde(default)]
    pub clone: CloneMode,
    /// The resource pool new guests join (the token may then hold `VM.Allocate` on the pool only).
    #[serde(default)]
    pub pool: Option<String>,
    /// The bridge containers' `eth0` joins.
    #[serde(default = "default_bridge")]
    pub bridge: String,
    /// Containers' swap, in MiB.
    #[serde(default = "default_swap")]
    pub swap_mib: u32,
    /// How long one PVE task (clone, start, delete...) may take.
    #[serde(default = "default_task_timeout")]
    pub task_timeout_secs: u64,
    /// How long to wait for a new guest to report an address before calling it running anyway.
    #[serde(default = "default_boot_wait")]
    pub boot_wait_secs: u64,
    /// SSH to the nodes for `pct exec`, which gives the owner a login of their own in a container;
    /// needed to clone CT templates. Without it, containers come only from OS template archives,
    /// and their owner signs in as root.
    #[serde(default)]
    pub ssh: Option<SshConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SshConfig {
    /// `pct` needs root on the node.
    #[serde(default = "default_ssh_user")]
    pub user: String,
    /// The private key the portal signs in with (mode 0600).
    pub key_file: PathBuf,
    /// Host keys by node name (`pve1 ssh-ed25519 AAAA...`), as `/etc/pve/priv/known_hosts` has
    /// them; no other key is accepted, and none is ever learned.
    pub known_hosts: PathBuf,
    /// Where each node is reached, `host` or `host:port`; a node not listed, by its name on 22.
    #[serde(default)]
    pub hosts: BTreeMap<String, String>,
}

/// Linked clones share the template's disks (fast, same storage); full clones copy them.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CloneMode {
    #[default]
    Linked,
    Full,
}

fn default_bridge() -> String {
    "vmbr0".into()
}

fn default_swap() -> u32 {
    512
}

fn default_ssh_user() -> String {
    "root".into()
}

fn default_task_timeout() -> u64 {
    600
}

fn default_boot_wait() -> u64 {
    180
}

/// The token secret: deserialized like a string, never shown by `Debug`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}
