//! The Proxmox VE provider: QEMU guests cloned from a template and set up by cloud-init, LXC
//! containers created from an OS template archive, all over the PVE REST API with an API token.

mod client;
mod config;
mod console;
mod provider;
mod rfb;
mod tls;
mod ws_bytes;

pub use config::{CloneMode, ProxmoxConfig, Secret};
pub use provider::ProxmoxHypervisor;
