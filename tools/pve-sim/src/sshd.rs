//! A node's SSH side for tests: Debian's real `sshd` on a loopback port, with a host key of its
//! own, accepting one key whose forced command runs the portal's command line in a real shell
//! where `pct` is the simulator's (`pve-sim pct`, see `node`). Only the Proxmox side is simulated.

use crate::Sim;
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// sshd for each of some nodes, all accepting one client key, and a `known_hosts` file pinning
/// their host keys under the node names.
pub struct NodeShells {
    pub nodes: Vec<NodeSsh>,
    /// The account the key logs in as (whoever runs the test).
    pub user: String,
    /// The private key the portal logs in with.
    pub key_file: PathBuf,
    pub known_hosts: PathBuf,
    _dir: tempfile::TempDir,
}

impl NodeShells {
    /// Panics with the reason when sshd cannot start (not installed, the `pve-sim` binary does
    /// not build).
    pub fn start(sim: &Sim, nodes: &[&str]) -> NodeShells {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let key_file = dir.path().join("portal_key");
        keygen(&key_file);
        let public_key = read(&key_file.with_extension("pub"));
        let user = String::from_utf8(Command::new("id").arg("-un").output().expect("id").stdout)
            .expect("a user name")
            .trim()
            .to_string();
        let nodes: Vec<NodeSsh> = nodes
            .iter()
            .map(|node| NodeSsh::start(sim, node, &user, &public_key))
            .collect();
        let known_hosts = dir.path().join("known_hosts");
        let lines: String = nodes.iter().map(NodeSsh::known_hosts_line).collect();
        std::fs::write(&known_hosts, lines).expect("known_hosts");
        NodeShells {
            nodes,
            user,
            key_file,
            known_hosts,
            _dir: dir,
        }
    }

    pub fn node(&self, name: &str) -> &NodeSsh {
        self.nodes
            .iter()
            .find(|n| n.node == name)
            .expect("a started node")
    }
}

pub struct NodeSsh {
    pub node: String,
    pub port: u16,
    /// The host key to pin, `ssh-ed25519 AAAA...`.
    pub host_key: String,
    dir: tempfile::TempDir,
    sshd: Child,
}

impl NodeSsh {
    /// Starts sshd for `node` of `sim`, letting `user` in with `public_key` only.
    pub fn start(sim: &Sim, node: &str, user: &str, public_key: &str) -> NodeSsh {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let d = dir.path();
        keygen(&d.join("host_key"));
        let bin = d.join("bin");
        std::fs::create_dir(&bin).expect("bin directory");
        script(
            &bin.join("pct"),
            &format!(
                "exec '{}' pct --control {} --node {node} \"$@\"\n",
                pve_sim_binary().display(),
                sim.control
            ),
        );
        // The command line arrives as one string that the node's shell parses, as on a real node.
        script(
            &d.join("node-shell"),
            &format!(
                "PATH='{}':$PATH\nexport PATH\nexec sh -c \"$SSH_ORIGINAL_COMMAND\"\n",
                bin.display()
            ),
        );
        std::fs::write(
            d.join("authorized_keys"),
            format!(
                "restrict,command=\"{}/node-shell\" {public_key}",
                d.display()
            ),
        )
        .expect("authorized_keys");
        // sshd refuses to start without its privilege separation directory (root only).
        let _ = std::fs::create_dir_all("/run/sshd");
        let port = free_port();
        std::fs::write(
            d.join("sshd_config"),
            format!(
                "ListenAddress 127.0.0.1:{port}\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\n\
                 StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
                 PermitRootLogin forced-commands-only\nAllowUsers {user}\nPidFile none\nLogLevel VERBOSE\n",
                d = d.display()
            ),
        )
        .expect("sshd_config");
        let log = std::fs::File::create(d.join("sshd.log")).expect("sshd.log");
        let mut sshd = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(d.join("sshd_config"))
            .stdin(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("starting /usr/sbin/sshd (Debian's openssh-server)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = sshd.try_wait() {
                panic!("sshd exited ({status}): {}", read(&d.join("sshd.log")));
            }
            assert!(Instant::now() < deadline, "sshd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        let host_key = read(&d.join("host_key.pub"));
        let host_key = host_key.split_whitespace().take(2).collect::<Vec<_>>();
        NodeSsh {
            node: node.into(),
            port,
            host_key: host_key.join(" "),
            dir,
            sshd,
        }
    }

    /// `host:port` for the portal's `ssh.hosts`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The `known_hosts` line pinning this node's host key under its node name.
    pub fn known_hosts_line(&self) -> String {
        format!("{} {}\n", self.node, self.host_key)
    }

    /// What sshd logged so far, for a failing test's message.
    pub fn log(&self) -> String {
        read(&self.dir.path().join("sshd.log"))
    }
}

impl Drop for NodeSsh {
    fn drop(&mut self) {
        let _ = self.sshd.kill();
        let _ = self.sshd.wait();
    }
}

/// A fresh ed25519 key without a passphrase.
pub fn keygen(path: &Path) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "pve-sim", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen (Debian's openssh-client)");
    assert!(status.success(), "ssh-keygen failed");
}

fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}")).expect("writing a script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    probe.local_addr().expect("address").port()
}

/// The `pve-sim` binary, built once per test process: a test of another package cannot name it
/// with `CARGO_BIN_EXE_`, so it asks cargo (a no-op when it is up to date).
pub fn pve_sim_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let mut cargo = Command::new(env!("CARGO"));
        // What cargo set for the test itself: build scripts that watch these (ring's) would run
        // again, and everything above them be rebuilt, each time another package's test asks.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            let prefixes = [
                "CARGO_PKG_",
                "CARGO_BIN_EXE_",
                "CARGO_MANIFEST_",
                "CARGO_CRATE_",
            ];
            let names = ["OUT_DIR", "CARGO_TARGET_TMPDIR", "CARGO_PRIMARY_PACKAGE"];
            if prefixes.iter().any(|p| name.starts_with(p)) || names.contains(&&*name) {
                cargo.env_remove(&*name);
            }
        }
        let out = cargo
            .args([
                "build",
                "--offline",
                "--bin",
                "pve-sim",
                "--message-format=json",
            ])
            .arg("--manifest-path")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .stderr(Stdio::inherit())
            .output()
            .expect("running cargo build for pve-sim");
        assert!(out.status.success(), "cargo build of pve-sim failed");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo named the pve-sim executable")
    })
}
