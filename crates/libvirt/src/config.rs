use serde::Deserialize;
use std::path::PathBuf;

/// A libvirt provider: one host (`uri`), or several (`hosts`) among which new machines are
/// placed. Settings beside `uri`/`hosts` are every host's defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibvirtConfig {
    /// `qemu:///system`, `qemu+ssh://user@host/system`, ...: the provider's only host.
    #[serde(default)]
    pub uri: String,
    /// Several hosts, instead of `uri`.
    #[serde(default)]
    pub hosts: Vec<HostConfig>,
    /// Storage pool holding the base volumes and the machines' disks and seeds.
    #[serde(default = "default_pool")]
    pub pool: String,
    #[serde(default)]
    pub network: Network,
    /// `kvm`, or `qemu` for software emulation; unset: `kvm` when the host offers it.
    #[serde(default)]
    pub domain_type: Option<String>,
    /// How long to wait for a new guest's agent to report an address before calling it running
    /// anyway (the address then appears later).
    #[serde(default = "default_boot_wait")]
    pub boot_wait_secs: u64,
    /// How the portal signs in to hosts reached over SSH (`qemu+ssh://`).
    #[serde(default)]
    pub ssh: Option<SshConfig>,
}

/// One host of a provider that has several.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostConfig {
    /// What machines record as their node, and pages show.
    pub name: String,
    pub uri: String,
    /// Overrides of the provider's settings for this host.
    #[serde(default)]
    pub pool: Option<String>,
    #[serde(default)]
    pub network: Option<Network>,
    #[serde(default)]
    pub domain_type: Option<String>,
    /// Memory this host may give to guests, all guests defined on it counted; unset: whatever the
    /// host reports free.
    #[serde(default)]
    pub memory_mib: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SshConfig {
    /// The private key the portal signs in with.
    pub key_file: PathBuf,
    /// The hosts' keys (`host ssh-ed25519 AAAA...`, `[host]:port ...` off port 22); no other key
    /// is accepted, and none is ever learned.
    pub known_hosts: PathBuf,
}

/// A host with every setting resolved.
#[derive(Debug, Clone)]
pub struct HostSettings {
    pub name: String,
    pub uri: String,
    pub pool: String,
    pub network: Network,
    pub domain_type: Option<String>,
    pub boot_wait_secs: u64,
    pub memory_mib: Option<u64>,
}

/// How guests reach the network.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum Network {
    /// A libvirt network, e.g. `default` (NAT with DHCP).
    Libvirt { name: String },
    /// A host bridge.
    Bridge { name: String },
    /// QEMU user-mode networking, isolated (`restrict=on`), with the guest's SSH (or RDP) port
    /// forwarded to a port on the host's loopback taken from `ports`: for test hosts and single
    /// machines without a bridge.
    UserForward { first_port: u16, last_port: u16 },
}

impl Default for Network {
    fn default() -> Self {
        Network::Libvirt {
            name: "default".into(),
        }
    }
}

fn default_pool() -> String {
    "vmportal".into()
}

fn default_boot_wait() -> u64 {
    180
}

impl LibvirtConfig {
    /// libvirt's built-in in-memory driver (`test:///default`, with its pool `default-pool` and
    /// network `default`), for tests and benchmarks: guests that "run" without QEMU.
    pub fn test_driver() -> LibvirtConfig {
        LibvirtConfig {
            uri: "test:///default".into(),
            hosts: Vec::new(),
            pool: "default-pool".into(),
            network: Network::default(),
            domain_type: None,
            boot_wait_secs: 0,
            ssh: None,
        }
    }

    /// Refuses a configuration the provider could not use: no host or both forms, names used
    /// twice, SSH hosts without the portal's key and pinned host keys, or with SSH settings of
    /// their own in the URI (the portal sets them).
    pub fn validate(&self) -> Result<(), String> {
        if self.uri.is_empty() == self.hosts.is_empty() {
            return Err("a libvirt provider takes either uri or hosts".into());
        }
        let hosts = self.hosts();
        for (i, h) in hosts.iter().enumerate() {
            if hosts[..i].iter().any(|o| o.name == h.name) {
                return Err(format!("the host name '{}' is used twice", h.name));
            }
            if !crate::ssh::is_ssh(&h.uri) {
                continue;
            }
            let ssh = self.ssh.as_ref().ok_or_else(|| {
                format!(
                    "host '{}' is reached over SSH: set ssh.key_file and ssh.known_hosts",
                    h.name
                )
            })?;
            for (what, path) in [
                ("ssh.key_file", &ssh.key_file),
                ("ssh.known_hosts", &ssh.known_hosts),
            ] {
                std::fs::File::open(path).map_err(|e| format!("{what} {}: {e}", path.display()))?;
            }
            crate::ssh::Target::parse(&h.uri).map_err(|e| format!("host '{}': {e}", h.name))?;
        }
        Ok(())
    }

    /// The hosts with their settings resolved; a provider with `uri` has one, named after it.
    pub fn hosts(&self) -> Vec<HostSettings> {
        let resolve = |name: &str, uri: &str, h: Option<&HostConfig>| HostSettings {
            name: name.to_owned(),
            uri: uri.to_owned(),
            pool: h
                .and_then(|h| h.pool.clone())
                .unwrap_or_else(|| self.pool.clone()),
            network: h
                .and_then(|h| h.network.clone())
                .unwrap_or_else(|| self.network.clone()),
            domain_type: h
                .and_then(|h| h.domain_type.clone())
                .or_else(|| self.domain_type.clone()),
            boot_wait_secs: self.boot_wait_secs,
            memory_mib: h.and_then(|h| h.memory_mib),
        };
        if self.hosts.is_empty() {
            return vec![resolve(&self.uri, &self.uri, None)];
        }
        self.hosts
            .iter()
            .map(|h| resolve(&h.name, &h.uri, Some(h)))
            .collect()
    }
}

impl HostSettings {
    /// Whether the hypervisor is this machine: guests' VNC servers listen on its loopback only,
    /// so the console relay can reach them directly only then.
    pub fn is_local(&self) -> bool {
        let Some((_, rest)) = self.uri.split_once("://") else {
            return true;
        };
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        let host = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => host.split(':').next().unwrap_or_default(),
        };
        matches!(host, "" | "localhost" | "127.0.0.1" | "::1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(uri: &str) -> bool {
        let uri = uri.into();
        LibvirtConfig {
            uri,
            ..LibvirtConfig::test_driver()
        }
        .hosts()[0]
            .is_local()
    }

    #[test]
    fn unusable_configurations_are_refused_with_their_reason() {
        let dir = tempfile::tempdir().unwrap();
        let (key, known) = (dir.path().join("key"), dir.path().join("known_hosts"));
        std::fs::write(&key, "k").unwrap();
        std::fs::write(&known, "").unwrap();
        let host = |name: &str, uri: &str| HostConfig {
            name: name.into(),
            uri: uri.into(),
            pool: None,
            network: None,
            domain_type: None,
            memory_mib: None,
        };
        let cfg = |hosts: Vec<HostConfig>, ssh: Option<SshConfig>| LibvirtConfig {
            uri: String::new(),
            hosts,
            ssh,
            ..LibvirtConfig::test_driver()
        };
        let ssh = |key_file: &std::path::Path| {
            Some(SshConfig {
                key_file: key_file.to_owned(),
                known_hosts: known.clone(),
            })
        };
        let remote = "qemu+ssh://vmportal@kvm2/system";
        let error = |c: LibvirtConfig| c.validate().unwrap_err();
        assert!(error(cfg(vec![], None)).contains("either uri or hosts"));
        let both = LibvirtConfig {
            hosts: vec![host("a", "qemu:///system")],
            ..LibvirtConfig::test_driver()
        };
        assert!(error(both).contains("either uri or hosts"));
        let twice = vec![host("a", "qemu:///system"), host("a", "test:///default")];
        assert!(error(cfg(twice, None)).contains("'a' is used twice"));
        let no_ssh = vec![host("a", "qemu:///system"), host("b", remote)];
        assert!(error(cfg(no_ssh.clone(), None)).contains("host 'b' is reached over SSH"));
        assert!(
            error(cfg(no_ssh.clone(), ssh(&dir.path().join("nokey")))).contains("ssh.key_file")
        );
        let own = vec![host("b", "qemu+ssh://kvm2/system?no_verify=1")];
        assert!(error(cfg(own, ssh(&key))).contains("'no_verify'"));
        assert!(cfg(no_ssh, ssh(&key)).validate().is_ok());
        assert!(LibvirtConfig::test_driver().validate().is_ok());
    }

    #[test]
    fn local_and_remote_uris_are_told_apart() {
        for local in [
            "qemu:///system",
            "test:///default",
            "qemu+ssh://root@localhost/system",
            "qemu+tcp://127.0.0.1:16509/system",
            "qemu+ssh://[::1]/system",
        ] {
            assert!(at(local), "{local}");
        }
        for remote in [
            "qemu+ssh://root@kvm1.example.org/system",
            "qemu+tls://10.0.0.5/system?no_verify=0",
            "qemu+ssh://[2001:db8::1]:2222/system",
        ] {
            assert!(!at(remote), "{remote}");
        }
    }
}
