//! `pct exec` on the node that holds a container, over SSH: the API has no way to run anything
//! inside a container. Debian's `ssh` client runs as a child process (no Rust SSH stack to build,
//! and OpenSSH's own host key checking): no configuration file, no agent, only the configured key,
//! only host keys pinned in the configured `known_hosts` under the node's name.

use crate::config::SshConfig;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use vmportal_core::hypervisor::{HvResult, HypervisorError};

/// Lines of the remote side's error output kept in an error message.
const STDERR_TAIL: usize = 10;

pub struct NodeShell {
    config: SshConfig,
    timeout: Duration,
}

impl NodeShell {
    pub fn new(config: SshConfig, timeout: Duration) -> Result<NodeShell, String> {
        for (what, path) in [
            ("ssh.key_file", &config.key_file),
            ("ssh.known_hosts", &config.known_hosts),
        ] {
            std::fs::File::open(path).map_err(|e| format!("{what} {}: {e}", path.display()))?;
        }
        for (node, address) in &config.hosts {
            host_port(address)
                .ok_or_else(|| format!("ssh.hosts.{node}: '{address}' is not HOST or HOST:PORT"))?;
        }
        Ok(NodeShell { config, timeout })
    }

    /// Runs `pct exec VMID -- COMMAND...` on `node`, feeding `stdin` (secrets go there, never on
    /// a command line).
    pub async fn pct_exec(
        &self,
        node: &str,
        vmid: u32,
        command: &[&str],
        stdin: &str,
    ) -> HvResult<()> {
        let address = self.config.hosts.get(node).map_or(node, String::as_str);
        let (host, port) = host_port(address).expect("checked in new");
        let mut remote = format!("pct exec {vmid} --");
        for word in command {
            remote.push(' ');
            remote.push_str(&shell_quote(word));
        }
        let mut child = tokio::process::Command::new("ssh")
            .args(["-F", "/dev/null", "-T", "-o", "BatchMode=yes"])
            .args(["-o", "StrictHostKeyChecking=yes", "-o", "UpdateHostKeys=no"])
            .arg("-o")
            .arg(format!(
                "UserKnownHostsFile={}",
                self.config.known_hosts.display()
            ))
            .args([
                "-o",
                "GlobalKnownHostsFile=/dev/null",
                "-o",
                "CheckHostIP=no",
            ])
            // Host keys are pinned by node name, whatever address reaches the node.
            .arg("-o")
            .arg(format!("HostKeyAlias={node}"))
            .args(["-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none"])
            .args(["-o", "ConnectTimeout=15", "-o", "LogLevel=ERROR"])
            .arg("-i")
            .arg(&self.config.key_file)
            .args(["-p", &port.to_string(), "-l", &self.config.user, host, "--"])
            .arg(&remote)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| HypervisorError::Permanent(format!("cannot run ssh: {e}")))?;
        let mut input = child.stdin.take().expect("piped");
        let run = async {
            // The remote side may end before reading everything; its status says why.
            let _ = input.write_all(stdin.as_bytes()).await;
            drop(input);
            child.wait_with_output().await
        };
        let where_ = format!(
            "pct exec in container {vmid} on node {node} ({}@{host}:{port})",
            self.config.user
        );
        let out = match tokio::time::timeout(self.timeout, run).await {
            Ok(Ok(out)) => out,
            Ok(Err(e)) => return Err(HypervisorError::Transient(format!("{where_}: {e}"))),
            Err(_) => {
                return Err(HypervisorError::Transient(format!(
                    "{where_}: no answer in {} s",
                    self.timeout.as_secs()
                )));
            }
        };
        if out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = lines[lines.len().saturating_sub(STDERR_TAIL)..].join(" | ");
        Err(classify(
            out.status.code(),
            &tail,
            &where_,
            &self.config.known_hosts.display().to_string(),
        ))
    }
}

/// What a failed `ssh ... pct exec` means for the job.
fn classify(status: Option<i32>, stderr: &str, where_: &str, known_hosts: &str) -> HypervisorError {
    let permanent = |m: String| HypervisorError::Permanent(m);
    if stderr.contains("Host key verification failed")
        || stderr.contains("HOST IDENTIFICATION HAS CHANGED")
    {
        // A key that is not the pinned one is a misconfiguration or an impostor: an administrator
        // must look, retrying would not change the answer.
        return permanent(format!(
            "{where_}: the node's host key is not the one pinned in {known_hosts} ({stderr})"
        ));
    }
    if stderr.contains("Permission denied") {
        return permanent(format!("{where_}: the node refused the SSH key ({stderr})"));
    }
    if stderr.contains("does not exist") {
        // The API named this node as the container's a moment ago: it was removed meanwhile.
        return permanent(format!(
            "{where_}: the container is not there (removed meanwhile?): {stderr}"
        ));
    }
    if stderr.contains("not running") {
        return HypervisorError::Transient(format!("{where_}: {stderr}"));
    }
    match status {
        // ssh's own failures (refused, unreachable, dropped) end with 255; pct's die the same
        // way, but those were told apart above.
        Some(255) | None => HypervisorError::Transient(format!("{where_}: {stderr}")),
        Some(code) => permanent(format!(
            "{where_}: the command in the container failed (exit {code}): {stderr}"
        )),
    }
}

/// One word for a POSIX shell, whatever it holds.
pub fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`; port 22 unless given.
fn host_port(address: &str) -> Option<(&str, u16)> {
    if let Some(rest) = address.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(port) => Some((host, port.parse().ok()?)),
            None if after.is_empty() => Some((host, 22)),
            None => None,
        };
    }
    match address.split_once(':') {
        Some((host, port)) if !host.is_empty() => Some((host, port.parse().ok()?)),
        Some(_) => None,
        None if !address.is_empty() => Some((address, 22)),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("alice"), "'alice'");
        assert_eq!(shell_quote("it's $x"), r"'it'\''s $x'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn addresses_parse() {
        assert_eq!(host_port("pve1"), Some(("pve1", 22)));
        assert_eq!(host_port("10.0.0.1:2222"), Some(("10.0.0.1", 2222)));
        assert_eq!(host_port("[fd00::1]:22"), Some(("fd00::1", 22)));
        assert_eq!(host_port("[fd00::1]"), Some(("fd00::1", 22)));
        assert_eq!(host_port("fd00::1"), None);
        assert_eq!(host_port("pve1:x"), None);
        assert_eq!(host_port(""), None);
    }

    #[test]
    fn failures_are_told_apart() {
        let c = |status, err| classify(Some(status), err, "in container 9 on node pve1", "/kh");
        assert!(matches!(
            c(255, "Host key verification failed."),
            HypervisorError::Permanent(m) if m.contains("pinned in /kh")
        ));
        assert!(matches!(
            c(
                255,
                "ssh: connect to host 10.0.0.1 port 22: Connection refused"
            ),
            HypervisorError::Transient(_)
        ));
        assert!(matches!(
            c(255, "Configuration file 'nodes/pve1/lxc/9.conf' does not exist"),
            HypervisorError::Permanent(m) if m.contains("is not there")
        ));
        assert!(matches!(
            c(255, "CT 9 not running"),
            HypervisorError::Transient(_)
        ));
        assert!(matches!(
            c(1, "useradd: command not found"),
            HypervisorError::Permanent(m) if m.contains("exit 1")
        ));
    }
}
