//! What the portal needs from a hypervisor. One implementation per kind (libvirt, Proxmox VE);
//! the worker drives them through this trait only.

use crate::{
    ids::MachineId,
    names::Hostname,
    resources::Resources,
    snapshot::HvSnapshot,
    template::{MachineKind, OsFamily},
};
use async_trait::async_trait;
use std::time::Duration;

/// Everything needed to build one machine. Deterministic for a machine, so a retried provision
/// finds what an earlier attempt made instead of making it twice.
#[derive(Debug, Clone)]
pub struct ProvisionSpec {
    pub machine: MachineId,
    /// The name on the hypervisor, from [`guest_name`].
    pub guest_name: String,
    pub name: Hostname,
    pub kind: MachineKind,
    pub os_family: OsFamily,
    /// The template's source: a base volume, a PVE template vmid, an OS template archive.
    pub source: String,
    pub resources: Resources,
    /// The owner's login name on the guest.
    pub login_name: String,
    pub password: String,
    pub ssh_public_key: Option<String>,
    /// Keyboard layout and locale for Windows guests (e.g. `fr-FR`).
    pub locale: Option<String>,
}

/// The name on the hypervisor: `{prefix}-{machine id}-{name}`. The prefix names the portal
/// instance (its database), so two portals sharing a hypervisor never take each other's guests.
pub fn guest_name(prefix: &str, machine: MachineId, name: &Hostname) -> String {
    format!("{prefix}-{}-{}", machine.0, name)
}

/// Where and how the owner reaches a running machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The guest's address on its network, when known.
    pub address: Option<String>,
    /// Host and port to connect to for SSH (Linux) or RDP (Windows).
    pub host: Option<String>,
    pub port: u16,
}

/// What provisioning made.
#[derive(Debug, Clone)]
pub struct Provisioned {
    pub external_id: String,
    pub node: Option<String>,
    pub access: Access,
    /// The login the owner signs in with, when it is not `ProvisionSpec::login_name` (a
    /// container whose only account is root).
    pub login_name: Option<String>,
}

/// A guest as the hypervisor sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerState {
    Running,
    Stopped,
    /// Paused, crashed, shutting down, ...: neither up nor cleanly off.
    Other,
}

/// A portal-made guest found on the hypervisor, for reconciliation.
#[derive(Debug, Clone)]
pub struct Guest {
    pub external_id: String,
    pub name: String,
    pub machine: Option<MachineId>,
    pub power: PowerState,
}

/// One host of a provider that has several, as the admin's Providers page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostStatus {
    pub name: String,
    pub reachable: bool,
    /// Why it could not be reached.
    pub error: Option<String>,
    /// Guests defined on it, the portal's and others'.
    pub guests: Option<u32>,
    /// What new machines may still take (what placement weighs).
    pub free_memory_mib: Option<u64>,
    pub free_disk_gib: Option<u64>,
}

/// What a console stream needs: bytes both ways, movable between tasks.
pub trait ConsoleIo: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}

impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> ConsoleIo for T {}

/// An open console: the RFB (VNC) protocol from its first byte, the guest's VNC server speaking,
/// relayed untouched to the browser's noVNC. Any password the guest's server asks for was already
/// answered by the provider, which then offers the browser security type None.
pub type ConsoleStream = Box<dyn ConsoleIo>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HypervisorError {
    /// Worth retrying: the hypervisor is unreachable or busy.
    #[error("{0}")]
    Transient(String),
    /// Retrying will not help: a missing base volume, a bad template, a refused operation.
    #[error("{0}")]
    Permanent(String),
    /// The guest does not exist (any more).
    #[error("the machine does not exist on the hypervisor")]
    Gone,
}

pub type HvResult<T> = Result<T, HypervisorError>;

/// Progress of a long operation, reported as it goes.
pub trait Progress: Send + Sync {
    fn report(&self, percent: i64, message: &str);
}

#[async_trait]
pub trait Hypervisor: Send + Sync + 'static {
    /// Whether the hypervisor answers, and what it is.
    async fn check(&self) -> HvResult<String>;
    /// Builds the machine and boots it. Idempotent: a retry reuses what an earlier attempt made;
    /// on a permanent failure it removes what it made.
    async fn provision(
        &self,
        spec: &ProvisionSpec,
        progress: &dyn Progress,
    ) -> HvResult<Provisioned>;
    async fn start(&self, external_id: &str) -> HvResult<()>;
    /// Asks the guest to power off; stops it hard if it is still running after `timeout`.
    async fn shutdown(&self, external_id: &str, timeout: Duration) -> HvResult<()>;
    async fn stop(&self, external_id: &str) -> HvResult<()>;
    async fn reboot(&self, external_id: &str) -> HvResult<()>;
    /// Removes the machine and all its storage. Deleting what is already gone succeeds. Without
    /// an external id (a build that failed early), what was made is found by the guest name.
    async fn delete(&self, external_id: Option<&str>, guest_name: &str) -> HvResult<()>;
    async fn power(&self, external_id: &str) -> HvResult<PowerState>;
    /// The CPU time the machine has used since it started, for idle shutdown; `None` where the
    /// hypervisor does not tell (the machine is then never found idle).
    async fn cpu_time(&self, _external_id: &str) -> HvResult<Option<Duration>> {
        Ok(None)
    }
    /// Where the owner reaches the machine now (addresses change across reboots).
    async fn access(&self, external_id: &str, os: OsFamily) -> HvResult<Access>;
    /// Connects to the console of a running machine.
    async fn console(&self, external_id: &str) -> HvResult<ConsoleStream>;
    /// Every guest this portal made on this hypervisor: those named `{prefix}-...`.
    async fn guests(&self, prefix: &str) -> HvResult<Vec<Guest>>;
    /// Whether a template's `source` can give machines their owner can use: a `Permanent` error
    /// says why not (checked when an administrator saves the template, and before each build).
    async fn check_source(&self, _kind: MachineKind, _source: &str) -> HvResult<()> {
        Ok(())
    }
    /// Each host behind this provider, when it places machines among several.
    async fn hosts(&self) -> Vec<HostStatus> {
        Vec::new()
    }
    /// Takes a snapshot named `name`: of a running machine with its memory, of a stopped one its
    /// disks; answers whether it holds the memory. A snapshot of that name already there (an
    /// earlier attempt's) is kept; a failure leaves none.
    async fn take_snapshot(
        &self,
        external_id: &str,
        name: &str,
        description: &str,
    ) -> HvResult<bool>;
    async fn snapshots(&self, external_id: &str) -> HvResult<Vec<HvSnapshot>>;
    /// Brings the machine back to the snapshot: running if it holds the memory, else stopped.
    async fn revert_snapshot(&self, external_id: &str, name: &str) -> HvResult<()>;
    /// Deleting a snapshot that is not there succeeds.
    async fn delete_snapshot(&self, external_id: &str, name: &str) -> HvResult<()>;
}

/// The configured hypervisors, by provider name.
#[derive(Clone, Default)]
pub struct Registry(std::collections::BTreeMap<String, std::sync::Arc<dyn Hypervisor>>);

impl Registry {
    pub fn insert(&mut self, name: impl Into<String>, hv: std::sync::Arc<dyn Hypervisor>) {
        self.0.insert(name.into(), hv);
    }

    pub fn get(&self, name: &str) -> Option<&std::sync::Arc<dyn Hypervisor>> {
        self.0.get(name)
    }

    pub fn names(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &std::sync::Arc<dyn Hypervisor>)> {
        self.0.iter()
    }
}
