//! The Proxmox VE provider: QEMU guests cloned from a template and set up by cloud-init, LXC
//! containers cloned from a CT template or created from an OS template archive, all over the PVE
//! REST API with an API token, plus `pct exec` over SSH for the owner's login in a container.

mod client;
mod config;
mod console;
mod container;
mod node_shell;
mod placement;
mod provider;
mod rfb;
mod snapshot;
mod tls;
mod vm;
mod ws_bytes;

pub use config::{CloneMode, ProxmoxConfig, Secret, SshConfig};
pub use provider::ProxmoxHypervisor;
