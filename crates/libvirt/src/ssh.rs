//! Hosts reached over SSH with Debian's `ssh` client, the portal's own key and only the host keys
//! pinned in the configured `known_hosts` (none is ever learned, StrictHostKeyChecking=yes).
//! libvirt's ssh transport runs the client it is given (`command=`): a two-line script that
//! adds these options. A console runs the client itself, `ssh -W 127.0.0.1:PORT`, a direct-tcpip
//! channel to the guest's VNC server on the host's loopback. (libvirt's libssh transport takes a
//! key and a known_hosts file in the URI, but here it answered large replies seconds late or
//! never.)

use crate::config::SshConfig;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Stdio;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, Chain, Join, ReadBuf};
use tokio::process::{Child, ChildStdin, ChildStdout};
use vmportal_core::hypervisor::{ConsoleStream, HvResult, HypervisorError};

const SSH_SCHEME: &str = "qemu+ssh";
/// URI parameters the portal sets itself, or that would undo its settings.
const OWN_PARAMS: [&str; 4] = ["command", "keyfile", "no_verify", "proxy"];

pub fn is_ssh(uri: &str) -> bool {
    uri.split_once("://")
        .is_some_and(|(scheme, _)| scheme == SSH_SCHEME)
}

/// The portal's SSH client settings, as `ssh` options, and the script libvirt runs as `ssh`.
pub struct SshClient {
    config: SshConfig,
    wrapper: OnceLock<Result<(tempfile::TempDir, PathBuf), String>>,
}

impl SshClient {
    pub fn new(config: SshConfig) -> SshClient {
        SshClient {
            config,
            wrapper: OnceLock::new(),
        }
    }

    pub fn known_hosts(&self) -> &Path {
        &self.config.known_hosts
    }

    /// Every option, before the host: no configuration file or agent, only the key, only the
    /// pinned host keys, never a question.
    fn options(&self) -> Vec<OsString> {
        let mut known = OsString::from("UserKnownHostsFile=");
        known.push(&self.config.known_hosts);
        let mut out: Vec<OsString> = [
            "-F",
            "/dev/null",
            "-T",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "UpdateHostKeys=no",
            "-o",
        ]
        .into_iter()
        .map(OsString::from)
        .collect();
        out.push(known);
        out.extend(
            [
                "-o",
                "GlobalKnownHostsFile=/dev/null",
                "-o",
                "CheckHostIP=no",
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "IdentityAgent=none",
                "-o",
                "ConnectTimeout=15",
                "-o",
                "LogLevel=ERROR",
                "-i",
            ]
            .into_iter()
            .map(OsString::from),
        );
        out.push(self.config.key_file.clone().into_os_string());
        out
    }

    /// The script, written once into a private directory (mode 0700) that lives as long as the
    /// provider.
    fn wrapper(&self) -> Result<&Path, String> {
        let made = self.wrapper.get_or_init(|| {
            let dir = tempfile::Builder::new()
                .prefix("vmportal-ssh-")
                .tempdir()
                .map_err(|e| format!("cannot make a directory for the ssh wrapper: {e}"))?;
            let path = dir.path().join("ssh");
            let words: Vec<String> = self
                .options()
                .iter()
                .map(|w| shell_quote(&w.to_string_lossy()))
                .collect();
            let script = format!("#!/bin/sh\nexec ssh {} \"$@\"\n", words.join(" "));
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o700)
                .open(&path)
                .and_then(|mut f| std::io::Write::write_all(&mut f, script.as_bytes()))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok((dir, path))
        });
        made.as_ref()
            .map(|(_, path)| path.as_path())
            .map_err(Clone::clone)
    }
}

/// One word for a POSIX shell, whatever it holds.
fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// Where an SSH URI leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub user: Option<String>,
    pub host: String,
    pub port: u16,
    url: url::Url,
}

impl Target {
    pub fn parse(uri: &str) -> Result<Target, String> {
        let url = url::Url::parse(uri).map_err(|e| format!("'{uri}' is not a URI: {e}"))?;
        if url.scheme() != SSH_SCHEME {
            return Err(format!("'{uri}' is not a qemu+ssh:// URI"));
        }
        if let Some((own, _)) = url.query_pairs().find(|(k, _)| OWN_PARAMS.contains(&&**k)) {
            return Err(format!(
                "'{uri}': the portal sets '{own}' itself (from its ssh settings)"
            ));
        }
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => return Err(format!("'{uri}' names no host")),
        };
        Ok(Target {
            user: Some(url.username().to_owned()).filter(|u| !u.is_empty()),
            host,
            port: url.port().unwrap_or(22),
            url,
        })
    }

    /// The host as `known_hosts` names it.
    pub fn known_hosts_name(&self) -> String {
        match self.port {
            22 => self.host.clone(),
            port => format!("[{}]:{port}", self.host),
        }
    }

    /// The URI libvirt opens: its ssh transport running the portal's client.
    pub fn libvirt_uri(&self, client: &SshClient) -> HvResult<String> {
        let wrapper = client.wrapper().map_err(HypervisorError::Permanent)?;
        let mut url = self.url.clone();
        url.query_pairs_mut()
            .append_pair("command", &wrapper.to_string_lossy());
        Ok(url.to_string())
    }

    /// What a libvirt error on connecting means: a host key that is not the pinned one is named
    /// with the file, for an administrator to look at; retrying would not change it.
    pub fn connect_error(&self, name: &str, ssh: &SshClient, message: &str) -> HypervisorError {
        let lower = message.to_ascii_lowercase();
        if lower.contains("host key verification failed")
            || (lower.contains("host key") && lower.contains("not accepted"))
        {
            return HypervisorError::Permanent(format!(
                "host {name}: the SSH host key of {} is not the one pinned in {} ({message})",
                self.known_hosts_name(),
                ssh.known_hosts().display()
            ));
        }
        HypervisorError::Transient(format!("cannot reach libvirt on host {name}: {message}"))
    }

    /// A byte stream to `127.0.0.1:port` on the host, through `ssh -W`. Returns once the far end
    /// has spoken (a VNC server speaks first), so a refused key or host key is an error here,
    /// not an empty console.
    pub async fn open_tunnel(
        &self,
        name: &str,
        ssh: &SshClient,
        port: u16,
    ) -> HvResult<ConsoleStream> {
        let mut command = tokio::process::Command::new("ssh");
        command
            .args(ssh.options())
            .args(["-p", &self.port.to_string()]);
        if let Some(user) = &self.user {
            command.args(["-l", user]);
        }
        let mut child = command
            .arg("-W")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--")
            .arg(&self.host)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| HypervisorError::Permanent(format!("cannot run ssh: {e}")))?;
        let mut stdout = child.stdout.take().expect("piped");
        let stdin = child.stdin.take().expect("piped");
        let mut first = vec![0; 64];
        let n = stdout.read(&mut first).await.unwrap_or(0);
        if n == 0 {
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut stderr).await;
            }
            let stderr = stderr.trim().replace('\n', " | ");
            return Err(
                if stderr.contains("Host key verification failed")
                    || stderr.contains("HOST IDENTIFICATION HAS CHANGED")
                {
                    HypervisorError::Permanent(format!(
                        "host {name}: the SSH host key of {} is not the one pinned in {} ({stderr})",
                        self.known_hosts_name(),
                        ssh.known_hosts().display()
                    ))
                } else {
                    HypervisorError::Transient(format!(
                        "the console on host {name} (port {port} through ssh): {stderr}"
                    ))
                },
            );
        }
        first.truncate(n);
        Ok(Box::new(Tunnel {
            io: tokio::io::join(std::io::Cursor::new(first).chain(stdout), stdin),
            _child: child,
        }))
    }
}

/// `ssh -W`'s pipes as one stream; dropping it ends the child. The pipes' own buffers are the
/// only ones: a reader that stops reading stops ssh, which stops reading the channel.
struct Tunnel {
    io: Join<Chain<std::io::Cursor<Vec<u8>>, ChildStdout>, ChildStdin>,
    _child: Child,
}

impl AsyncRead for Tunnel {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tunnel {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    /// Closes ssh's input: it ends the channel, and the guest's server closes its side.
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> SshClient {
        SshClient::new(SshConfig {
            key_file: "/etc/vmportal/id_ed25519".into(),
            known_hosts: "/etc/vmportal/known_hosts".into(),
        })
    }

    #[test]
    fn libvirt_runs_the_portals_client_with_its_key_and_pinned_host_keys() {
        let t = Target::parse("qemu+ssh://vmportal@kvm2.lab:2222/system").unwrap();
        assert_eq!(
            (t.user.as_deref(), t.host.as_str(), t.port),
            (Some("vmportal"), "kvm2.lab", 2222)
        );
        assert_eq!(t.known_hosts_name(), "[kvm2.lab]:2222");
        let ssh = client();
        let uri = t.libvirt_uri(&ssh).unwrap();
        let wrapper = ssh.wrapper().unwrap();
        assert!(
            uri.starts_with("qemu+ssh://vmportal@kvm2.lab:2222/system?command=%2F"),
            "{uri}"
        );
        let script = std::fs::read_to_string(wrapper).unwrap();
        for option in [
            "'StrictHostKeyChecking=yes'",
            "'UserKnownHostsFile=/etc/vmportal/known_hosts'",
            "'GlobalKnownHostsFile=/dev/null'",
            "'-i' '/etc/vmportal/id_ed25519'",
        ] {
            assert!(script.contains(option), "{option} in {script}");
        }
        assert!(script.ends_with(" \"$@\"\n"), "{script}");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(wrapper).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let t = Target::parse("qemu+ssh://[fd00::2]/system").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("fd00::2", 22));
        assert_eq!(t.known_hosts_name(), "fd00::2");
    }

    #[test]
    fn the_uri_may_not_set_what_the_portal_sets() {
        for uri in [
            "qemu+ssh://h/system?no_verify=1",
            "qemu+ssh://h/system?keyfile=/root/.ssh/id_rsa",
            "qemu+ssh://h/system?command=/usr/bin/ssh",
            "qemu+libssh://h/system",
            "qemu+tls://h/system",
            "qemu+ssh:///system",
        ] {
            assert!(Target::parse(uri).is_err(), "{uri}");
        }
        assert!(is_ssh("qemu+ssh://h/system") && !is_ssh("qemu:///system"));
    }

    #[test]
    fn a_changed_host_key_names_the_host_and_the_file() {
        let t = Target::parse("qemu+ssh://vmportal@kvm2.lab/system").unwrap();
        let e = t.connect_error(
            "kvm2",
            &client(),
            "Cannot recv data: Host key verification failed.: Connection reset by peer",
        );
        assert!(
            matches!(&e, HypervisorError::Permanent(m) if m.contains("kvm2.lab") && m.contains("/etc/vmportal/known_hosts")),
            "{e:?}"
        );
        assert!(matches!(
            t.connect_error(
                "kvm2",
                &client(),
                "Cannot recv data: ssh: connect to host kvm2.lab port 22: Connection refused: Connection reset by peer"
            ),
            HypervisorError::Transient(_)
        ));
    }
}
