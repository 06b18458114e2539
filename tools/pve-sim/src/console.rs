//! `GET /nodes/{node}/{qemu|lxc}/{vmid}/vncwebsocket`: the console websocket. The ticket must be
//! one `vncproxy` gave for this guest, used once, within the proxy's wait, on its port. Behind it
//! runs what a real node runs behind a VM's console: QEMU's own VNC server (a QEMU without a
//! machine, which shows "This VM has no graphic display device."), with the proxy's password set
//! over QMP.

use crate::server::{Shared, error};
use crate::state::Cluster;
use crate::websocket::{End, Frames, accept_key};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use serde_json::json;
use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

pub(crate) fn upgrade(
    shared: &Arc<Shared>,
    cluster: &mut Cluster,
    params: &BTreeMap<String, String>,
    parts: &mut Parts,
) -> Response {
    let path = parts.uri.path().to_string();
    let accept = match accept_key(&parts.headers) {
        Ok(accept) => accept,
        Err(why) => {
            shared.violate(format!("GET {path}: {why}"));
            return error(StatusCode::BAD_REQUEST, &why);
        }
    };
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    let (vmid, port) = (
        param("vmid").parse().expect("the schema checked it"),
        param("port").parse().expect("the schema checked it"),
    );
    let proxy = match cluster.take_vnc_proxy(param("node"), vmid, port, param("vncticket")) {
        Ok(proxy) => proxy,
        Err((status, message)) => {
            let status = StatusCode::from_u16(status).expect("a status");
            return error(status, &message);
        }
    };
    let Some(upgrading) = parts.extensions.remove::<OnUpgrade>() else {
        return error(StatusCode::BAD_REQUEST, "the connection cannot be upgraded");
    };
    let shared = shared.clone();
    tokio::spawn(async move {
        let Ok(upgraded) = upgrading.await else {
            return;
        };
        let mut frames = Frames::new(TokioIo::new(upgraded));
        match Vnc::start(&proxy.password).await {
            Ok(vnc) => relay(&shared, &path, &mut frames, vnc).await,
            // The machine lacks QEMU: say so where the client sees it.
            Err(e) => {
                let _ = frames.send(&vnc_refusal(&e)).await;
                shared.violate(format!("GET {path}: cannot start a VNC server: {e}"));
            }
        }
    });
    (
        StatusCode::SWITCHING_PROTOCOLS,
        [
            (header::UPGRADE, "websocket".to_string()),
            (header::CONNECTION, "Upgrade".to_string()),
            (header::SEC_WEBSOCKET_ACCEPT, accept),
            (header::SEC_WEBSOCKET_PROTOCOL, "binary".to_string()),
        ],
    )
        .into_response()
}

/// What an RFB server says when it cannot serve: its version, then zero security types and why.
fn vnc_refusal(why: &str) -> Vec<u8> {
    let mut out = b"RFB 003.008\n\0".to_vec();
    out.extend_from_slice(&(why.len() as u32).to_be_bytes());
    out.extend_from_slice(why.as_bytes());
    out
}

/// Bytes both ways until either side ends; protocol violations are counted.
async fn relay(
    shared: &Shared,
    path: &str,
    frames: &mut Frames<TokioIo<hyper::upgrade::Upgraded>>,
    mut vnc: Vnc,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        tokio::select! {
            message = frames.next() => match message {
                Ok(data) => if vnc.socket.write_all(&data).await.is_err() { break },
                Err(End::Closed) => break,
                Err(End::Violation(what)) => {
                    shared.violate(format!("GET {path}: the client sent {what}"));
                    break;
                }
            },
            read = vnc.socket.read(&mut buf) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => if frames.send(&buf[..n]).await.is_err() { break },
            },
        }
    }
    vnc.stop().await;
}

/// A QEMU process serving VNC on a socket of its own, killed when the console ends.
struct Vnc {
    qemu: Child,
    socket: UnixStream,
    /// QMP stays open: QEMU writes its events there.
    _qmp: (ChildStdin, tokio::io::Lines<BufReader<ChildStdout>>),
    _dir: tempfile::TempDir,
}

impl Vnc {
    async fn start(password: &str) -> Result<Vnc, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("vnc.sock");
        let mut qemu = Command::new("qemu-system-x86_64")
            .args(["-machine", "none", "-nodefaults", "-display", "none"])
            .args(["-qmp", "stdio", "-vnc"])
            .arg(format!("unix:{},password=on", path.display()))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("qemu-system-x86_64: {e}"))?;
        let commands = [
            json!({"execute": "qmp_capabilities"}),
            json!({"execute": "change-vnc-password", "arguments": {"password": password}}),
        ];
        let mut qmp = qemu.stdin.take().expect("piped");
        for command in commands {
            let line = format!("{command}\n");
            qmp.write_all(line.as_bytes())
                .await
                .map_err(|e| format!("QMP: {e}"))?;
        }
        // The socket listens before QMP answers; two answers mean the password is set.
        let mut answers = BufReader::new(qemu.stdout.take().expect("piped")).lines();
        let mut returns = 0;
        while returns < 2 {
            let line = answers
                .next_line()
                .await
                .map_err(|e| format!("QMP: {e}"))?
                .ok_or("QEMU exited")?;
            if line.contains("\"error\"") {
                return Err(format!("QMP: {line}"));
            }
            returns += usize::from(line.starts_with("{\"return\""));
        }
        let socket = UnixStream::connect(&path)
            .await
            .map_err(|e| format!("QEMU's VNC socket: {e}"))?;
        Ok(Vnc {
            qemu,
            socket,
            _qmp: (qmp, answers),
            _dir: dir,
        })
    }

    async fn stop(mut self) {
        let _ = self.qemu.kill().await;
    }
}
