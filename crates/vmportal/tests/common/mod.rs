//! Running the real binary from tests.
#![allow(dead_code)] // each test binary uses its own part of these helpers

pub mod host;
pub mod portal;

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// What the first administrator's password becomes once changed, as it must be at the first
/// sign-in.
pub const ADMIN_PASSWORD: &str = "the administrator's own";

/// The first start's administrator password, from the file whose path it logged (relative to `dir`,
/// the portal's working directory): it never goes to the log itself.
pub fn first_admin_password(dir: &Path, lines: &[String]) -> String {
    let line = lines
        .iter()
        .find(|l| l.contains("created user 'admin'"))
        .expect("first-start admin");
    let path = line
        .split("path=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the path of the password file");
    std::fs::read_to_string(dir.join(path))
        .unwrap()
        .trim()
        .to_owned()
}

/// The body that changes the first administrator's password to [`ADMIN_PASSWORD`].
pub fn admin_password_change(first: &str) -> serde_json::Value {
    serde_json::json!({"current_password": first, "new_password": ADMIN_PASSWORD})
}

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
