//! What the provider's tests share: a simulator with a provider trusting its CA, the settings,
//! a provisioning spec, recorded progress, and SSH settings for simulated nodes.
#![allow(dead_code)] // each test binary uses its own part of these helpers

use pve_sim::sshd::NodeShells;
use pve_sim::{Sim, TOKEN_ID, TOKEN_SECRET};
use std::sync::Mutex;
use vmportal_core::{
    hypervisor::{Progress, ProvisionSpec},
    ids::MachineId,
    names::Hostname,
    resources::Resources,
    template::{MachineKind, OsFamily},
};
use vmportal_proxmox::{CloneMode, ProxmoxConfig, ProxmoxHypervisor, Secret, SshConfig};

pub const ARCHIVE: &str = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
pub const KEY: &str = "ssh-ed25519 AAAAC3Nza+C1lZDI1/NTE5 alice@laptop";

#[derive(Default)]
pub struct Recorded(pub Mutex<Vec<(i64, String)>>);

impl Progress for Recorded {
    fn report(&self, percent: i64, message: &str) {
        self.0.lock().unwrap().push((percent, message.into()));
    }
}

pub struct Setup {
    pub sim: Sim,
    pub hv: ProxmoxHypervisor,
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub async fn new() -> Setup {
        let sim = Sim::start().await;
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("pve-root-ca.pem");
        std::fs::write(&ca, &sim.ca_pem).unwrap();
        let hv = ProxmoxHypervisor::new(config(&sim, Some(ca), None)).unwrap();
        Setup { sim, hv, dir }
    }

    /// A provider trusting the simulator's CA, with these settings.
    pub fn provider(&self, change: impl FnOnce(&mut ProxmoxConfig)) -> ProxmoxHypervisor {
        let mut c = config(
            &self.sim,
            Some(self.dir.path().join("pve-root-ca.pem")),
            None,
        );
        change(&mut c);
        ProxmoxHypervisor::new(c).unwrap()
    }

    pub fn no_violations(&self) {
        assert_eq!(self.sim.violations(), Vec::<String>::new());
    }
}

pub fn config(
    sim: &Sim,
    ca_file: Option<std::path::PathBuf>,
    fingerprint: Option<String>,
) -> ProxmoxConfig {
    ProxmoxConfig {
        url: sim.url.clone(),
        token_id: Some(TOKEN_ID.into()),
        token_secret: Some(Secret(TOKEN_SECRET.into())),
        username: None,
        password: None,
        ca_file,
        fingerprint,
        nodes: vec!["pve1".into(), "pve2".into()],
        storage: "local-lvm".into(),
        clone: CloneMode::Linked,
        pool: None,
        bridge: "vmbr0".into(),
        swap_mib: 512,
        task_timeout_secs: 10,
        boot_wait_secs: 5,
        ssh: None,
    }
}

pub fn spec(id: i64, kind: MachineKind) -> ProvisionSpec {
    let name = Hostname::parse("name", &format!("box{id}")).unwrap();
    ProvisionSpec {
        machine: MachineId(id),
        guest_name: format!("tst-{id}-{name}"),
        name,
        kind,
        os_family: OsFamily::Linux,
        source: match kind {
            MachineKind::Vm => "9001".into(),
            MachineKind::Container => ARCHIVE.into(),
        },
        resources: Resources {
            cpus: 2,
            memory_mib: 2048,
            disk_gib: 12,
        },
        login_name: "alice".into(),
        password: "Secret 12345+".into(),
        ssh_public_key: Some(KEY.into()),
        locale: None,
    }
}

/// The provider's SSH settings for the simulated nodes' sshd.
pub fn ssh_config(shells: &NodeShells) -> SshConfig {
    SshConfig {
        user: shells.user.clone(),
        key_file: shells.key_file.clone(),
        known_hosts: shells.known_hosts.clone(),
        hosts: shells
            .nodes
            .iter()
            .map(|n| (n.node.clone(), n.address()))
            .collect(),
    }
}
