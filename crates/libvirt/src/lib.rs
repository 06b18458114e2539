//! The libvirt/KVM provider: guests as qcow2 overlays on a template's base volume, booted with a
//! cloud-init NoCloud seed made in-process. Works with any libvirt URI (`qemu:///system`,
//! `qemu+ssh://host/system`, and `test:///default` for fast tests).

mod config;
mod domain;
mod provider;
mod seed;
mod snapshot;

pub use config::{LibvirtConfig, Network};
pub use provider::LibvirtHypervisor;
pub use seed::Seed;
