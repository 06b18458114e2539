//! The Proxmox VE provider: QEMU guests cloned from a template and set up by cloud-init, LXC
//! containers created from an OS template archive, all over the PVE REST API with an API token.

mod client;
mod config;
mod provider;
mod tls;

pub use config::{CloneMode, ProxmoxConfig, Secret};
pub use provider::ProxmoxHypervisor;
