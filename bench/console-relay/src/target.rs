//! The ways to the guest that are measured: straight TCP (the limit), through a plain TCP
//! forwarder (the floor of any relay), one websockify process per machine (as the old project
//! ran it), and the portal's relay.

use crate::ws::Console;
use reqwest::header;
use serde_json::Value;
use std::io;
use tokio::net::TcpStream;

pub enum Target {
    Raw {
        guest_port: u16,
    },
    /// A plain TCP forwarder (`tcp-forward`): what any relay costs.
    Forward {
        port: u16,
        pid: u32,
    },
    Websockify {
        /// Machine `i`'s websockify listens on `ports[i]`.
        ports: Vec<u16>,
        pids: Vec<u32>,
    },
    Portal(Portal),
}

pub struct Portal {
    addr: String,
    http: reqwest::Client,
    cookie: String,
    machines: Vec<i64>,
    pid: u32,
}

impl Portal {
    /// Signs in with what `console-portal` printed (`{"addr","username","password","machines"}`).
    pub async fn sign_in(ready: &Value, pid: u32) -> Result<Portal, String> {
        let field = |k: &str| {
            ready[k]
                .as_str()
                .map(str::to_owned)
                .ok_or(format!("no {k}"))
        };
        let addr = field("addr")?;
        let http = reqwest::Client::new();
        let login =
            serde_json::json!({"username": field("username")?, "password": field("password")?});
        let r = http
            .post(format!("http://{addr}/api/v1/login"))
            .json(&login)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !r.status().is_success() {
            return Err(format!("login: {}", r.status()));
        }
        let cookie = r
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next())
            .find(|c| c.starts_with("vmportal_session="))
            .ok_or("no session cookie")?
            .to_owned();
        let machines = ready["machines"]
            .as_array()
            .ok_or("no machines")?
            .iter()
            .filter_map(Value::as_i64)
            .collect();
        Ok(Portal {
            addr,
            http,
            cookie,
            machines,
            pid,
        })
    }

    /// What a browser does: mint a ticket, then open the websocket with it and the session.
    async fn open(&self, i: usize) -> io::Result<Console> {
        let path = format!("/api/v1/machines/{}/console", self.machines[i]);
        let answer: Value = self
            .http
            .post(format!("http://{}{path}", self.addr))
            .header(header::COOKIE, &self.cookie)
            .json(&serde_json::json!({}))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(io::Error::other)?
            .json()
            .await
            .map_err(io::Error::other)?;
        let url = answer["websocket"].as_str().unwrap_or_default();
        let ticket = url.split_once("/console/ws").map(|(_, t)| t);
        let path = format!("/console/ws{}", ticket.ok_or(io::ErrorKind::InvalidData)?);
        let stream = TcpStream::connect(&self.addr).await?;
        Console::websocket(stream, &self.addr, &path, Some(&self.cookie)).await
    }
}

impl Target {
    pub fn name(&self) -> &'static str {
        match self {
            Target::Raw { .. } => "raw TCP",
            Target::Forward { .. } => "TCP forwarder",
            Target::Websockify { .. } => "websockify",
            Target::Portal(_) => "vmportal",
        }
    }

    /// Opens the console of machine `i`: a new connection to the guest.
    pub async fn open(&self, i: usize) -> io::Result<Console> {
        match self {
            Target::Raw { guest_port: port } | Target::Forward { port, .. } => Ok(Console::raw(
                TcpStream::connect(("127.0.0.1", *port)).await?,
            )),
            Target::Websockify { ports, .. } => {
                let addr = format!("127.0.0.1:{}", ports[i]);
                let stream = TcpStream::connect(&addr).await?;
                Console::websocket(stream, &addr, "/", None).await
            }
            Target::Portal(p) => p.open(i).await,
        }
    }

    /// The relay's processes (their children are counted too); none for raw TCP.
    pub fn pids(&self) -> Vec<u32> {
        match self {
            Target::Raw { .. } => Vec::new(),
            Target::Forward { pid, .. } => vec![*pid],
            Target::Websockify { pids, .. } => pids.clone(),
            Target::Portal(p) => vec![p.pid],
        }
    }
}
