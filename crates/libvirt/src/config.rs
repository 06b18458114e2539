use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibvirtConfig {
    /// `qemu:///system`, `qemu+ssh://user@host/system`, ...
    pub uri: String,
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
