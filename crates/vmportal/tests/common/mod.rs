//! Running the real binary from tests.
#![allow(dead_code)] // each test binary uses its own part of these helpers

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub fn vmportal(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vmportal"));
    cmd.current_dir(dir)
        .env_remove("VMPORTAL_CONFIG")
        .env("RUST_LOG", "info");
    cmd
}

/// A running `vmportal serve`, killed (SIGKILL) and reaped when dropped, even if a test panics.
pub struct Server(pub Child);

impl Server {
    pub fn kill(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `cmd serve` on a free port (`cmd` may carry global options and environment); returns the
/// server, the address it logged and the log so far. The rest of the log goes to `log` when given
/// (else it is drained).
pub fn serve_with(cmd: &mut Command, log: Option<&Path>) -> (Server, String, Vec<String>) {
    let mut child = cmd
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let server = Server(child);
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let line = lines.next().expect("serve exited early").unwrap();
        seen.push(line.clone());
        if let Some(addr) = line.split("addr=").nth(1) {
            let addr = addr.split_whitespace().next().unwrap().to_owned();
            // Keep draining the log so the server never blocks on a full pipe.
            let mut sink = log.map(|p| {
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .unwrap()
            });
            std::thread::spawn(move || {
                for line in lines.map_while(Result::ok) {
                    if let Some(f) = sink.as_mut() {
                        let _ = std::io::Write::write_all(f, format!("{line}\n").as_bytes());
                    }
                }
            });
            return (server, addr, seen);
        }
    }
    panic!("no listening line: {seen:?}");
}

pub fn serve(dir: &Path) -> (Server, String, Vec<String>) {
    serve_with(&mut vmportal(dir), None)
}

pub type Console =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Signs `username` in afresh (the websocket needs the raw session cookie), mints a console
/// ticket for machine `id` and opens its console through the portal's relay at `addr`.
pub async fn open_console(addr: &str, username: &str, password: &str, id: i64) -> Console {
    use reqwest::{StatusCode, header};
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue};
    let plain = reqwest::Client::new();
    let r = plain
        .post(format!("http://{addr}/api/v1/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .find(|c| c.starts_with("vmportal_session="))
        .unwrap()
        .to_owned();
    let r = plain
        .post(format!("http://{addr}/api/v1/machines/{id}/console"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let ticket: serde_json::Value = r.json().await.unwrap();
    let ticket = ticket["websocket"]
        .as_str()
        .unwrap()
        .rsplit_once('=')
        .unwrap()
        .1;
    let url = format!("ws://{addr}/console/ws?ticket={ticket}");
    let mut req = url.into_client_request().unwrap();
    let headers = req.headers_mut();
    headers.insert("sec-websocket-protocol", HeaderValue::from_static("binary"));
    headers.insert("cookie", HeaderValue::from_str(&cookie).unwrap());
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

/// Checks that the console's server speaks RFB 3.8, answers the same, and returns the security
/// types it offers (count first).
pub async fn console_version(ws: &mut Console) -> Vec<u8> {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    assert_eq!(console_read(ws, 12).await, b"RFB 003.008\n");
    let version = Message::binary(b"RFB 003.008\n".to_vec());
    ws.send(version).await.unwrap();
    console_read(ws, 2).await
}

/// Reads from the console until `n` bytes came; returns them all (possibly more than `n`).
pub async fn console_read(ws: &mut Console, n: usize) -> Vec<u8> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut got = Vec::new();
    while got.len() < n {
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .expect("the VNC server answers")
            .unwrap()
            .unwrap();
        match msg {
            Message::Binary(b) => got.extend_from_slice(&b),
            other => panic!("unexpected {other:?}"),
        }
    }
    got
}
