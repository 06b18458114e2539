//! The libvirt/KVM provider: guests as qcow2 overlays on a template's base volume, booted with a
//! first-boot seed made in-process. Works with any libvirt URI (`qemu:///system`,
//! `qemu+ssh://host/system`, and `test:///default` for fast tests), and places new machines
//! among several hosts.

mod config;
mod domain;
mod host;
mod placement;
mod provider;
mod seed;
mod snapshot;
mod ssh;

pub use config::{HostConfig, HostSettings, LibvirtConfig, Network, SshConfig};
pub use provider::LibvirtHypervisor;
pub use seed::{Seed, SeedError};
