//! The hypervisor host of the system tests: the real libvirtd on `qemu:///system`, the storage
//! pool and the Debian base volume that `scripts/test` prepares (root).

use std::{
    path::{Path, PathBuf},
    process::Command,
};

pub const URI: &str = "qemu:///system";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Success, and standard output followed by standard error.
pub fn sh(cmd: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The last line a script of the repository prints on standard output.
pub fn last_stdout_line(script: &str) -> String {
    let out = Command::new(repo().join(script)).output().unwrap();
    assert!(
        out.status.success(),
        "{script} (needs root; scripts/test prepares the host): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

pub fn virsh(args: &[&str]) -> (bool, String) {
    let mut all = vec!["-q", "-c", URI];
    all.extend_from_slice(args);
    sh("virsh", &all)
}

/// Names this run's guests, so runs (and a failed run's remains) never meet.
pub fn prefix() -> String {
    format!("t{}", std::process::id())
}

/// Domains and pool volumes belonging to machine `id`.
pub fn leftovers(id: i64) -> Vec<String> {
    let prefix = format!("{}-{id}-", prefix());
    let (domains, volumes) = ours();
    domains
        .into_iter()
        .chain(volumes)
        .filter(|l| l.starts_with(&prefix))
        .collect()
}

/// This run's domains and pool volumes (volume names, first column of `vol-list`).
fn ours() -> (Vec<String>, Vec<String>) {
    let prefix = format!("{}-", prefix());
    let (_, domains) = virsh(&["list", "--all", "--name"]);
    virsh(&["pool-refresh", "vmportal"]);
    let (_, volumes) = virsh(&["vol-list", "vmportal"]);
    let mine = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|name| name.starts_with(&prefix))
            .map(str::to_owned)
            .collect()
    };
    (mine(&domains), mine(&volumes))
}

/// Removes this run's guests and their volumes when dropped, so that a failed test leaves no
/// guest running on the shared host.
pub struct GuestCleanup;

impl Drop for GuestCleanup {
    fn drop(&mut self) {
        let (domains, volumes) = ours();
        for domain in domains {
            virsh(&["destroy", &domain]);
            virsh(&["undefine", &domain]);
        }
        for volume in volumes {
            virsh(&["vol-delete", "--pool", "vmportal", &volume]);
        }
    }
}

/// A portal configuration with its files in `dir`, a quick engine and this machine's libvirt,
/// guests' SSH forwarded to loopback ports `ports` (distinct per test, which may run at once).
pub fn libvirt_config(dir: &Path, ports: (u16, u16)) -> String {
    format!(
        "[database]\nurl = \"sqlite://{d}/portal.db\"\n[secrets]\nkey_file = \"{d}/secret.key\"\n\
         [engine]\nworkers = 2\nlease_secs = 6\npoll_millis = 200\nretry_secs = 2\nreconcile_secs = 3\nguest_prefix = \"{p}\"\n\
         [[providers]]\nname = \"local\"\nkind = \"libvirt\"\nuri = \"{URI}\"\npool = \"vmportal\"\nboot_wait_secs = 300\n\
         network = {{ mode = \"user_forward\", first_port = {first}, last_port = {last} }}\n",
        d = dir.display(),
        p = prefix(),
        first = ports.0,
        last = ports.1,
    )
}
