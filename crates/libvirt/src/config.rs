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

impl LibvirtConfig {
    /// libvirt's built-in in-memory driver (`test:///default`, with its pool `default-pool` and
    /// network `default`), for tests and benchmarks: guests that "run" without QEMU.
    pub fn test_driver() -> LibvirtConfig {
        LibvirtConfig {
            uri: "test:///default".into(),
            pool: "default-pool".into(),
            network: Network::default(),
            domain_type: None,
            boot_wait_secs: 0,
        }
    }

    /// Whether the hypervisor is this machine: guests' VNC servers listen on its loopback only,
    /// so the console relay can reach them only then.
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
        .is_local()
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
