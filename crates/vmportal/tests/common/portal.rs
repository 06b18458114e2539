//! A running portal (the real binary with `portal.toml` from its directory) and its API, as the
//! system tests drive it: an administrator, a user, machines waited for, consoles opened.

use super::{
    Server, admin_password_change, first_admin_password, host::leftovers, serve_with, vmportal,
};
use futures_util::{SinkExt, StreamExt};
use reqwest::{Client, ClientBuilder, Method, StatusCode};
use serde_json::{Value, json};
use std::{
    path::PathBuf,
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::TcpStream,
};
use tokio_tungstenite::{
    WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

/// The user every system test signs in as, besides the first-start administrator.
pub const ALICE_PASSWORD: &str = "alice's long password";

pub struct Portal {
    pub dir: PathBuf,
    pub server: Option<Server>,
    /// The portal's own address (a free loopback port).
    pub addr: String,
    /// The URL clients use instead of `addr`, when a reverse proxy stands in front.
    pub public: Option<String>,
    pub admin: Client,
    pub user: Client,
    /// Keeps no cookies: for sign-ins whose session cookie the test handles itself.
    pub plain: Client,
    pub log: PathBuf,
}

impl Portal {
    /// `client` starts every HTTP client the test uses (a proxy's CA, its name, ...).
    pub fn new(dir: PathBuf, public: Option<String>, client: impl Fn() -> ClientBuilder) -> Portal {
        let jar = || client().cookie_store(true).build().unwrap();
        Portal {
            log: dir.join("portal.log"),
            dir,
            server: None,
            addr: String::new(),
            public,
            admin: jar(),
            user: jar(),
            plain: client().build().unwrap(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        match &self.public {
            Some(public) => format!("{public}{path}"),
            None => format!("http://{}{path}", self.addr),
        }
    }

    pub async fn call(
        &self,
        who: &Client,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        call(who, method, &self.url(path), body).await
    }

    /// Starts the binary on `portal.toml`; returns what it logged before listening.
    pub fn start(&mut self) -> Vec<String> {
        let config = self.dir.join("portal.toml");
        let (server, addr, lines) = serve_with(
            vmportal(&self.dir).args(["--config", config.to_str().unwrap()]),
            Some(&self.log),
        );
        (self.server, self.addr) = (Some(server), addr);
        lines
    }

    /// After the first start on an empty database (`started`: what it logged): the administrator
    /// it created signs in and creates the user `alice`, who signs in too.
    pub async fn first_users(&self, started: &[String]) {
        let admin_password = first_admin_password(&self.dir, started);
        assert_eq!(
            self.login(&self.admin, "admin", &admin_password).await,
            StatusCode::OK
        );
        let change = admin_password_change(&admin_password);
        let (s, r) = self
            .call(
                &self.admin,
                Method::POST,
                "/api/v1/me/password",
                Some(change),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{r}");
        let alice = json!({"username": "alice", "password": ALICE_PASSWORD});
        let (s, r) = self
            .call(&self.admin, Method::POST, "/api/v1/users", Some(alice))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(
            self.login(&self.user, "alice", ALICE_PASSWORD).await,
            StatusCode::OK
        );
    }

    pub async fn login(&self, who: &Client, username: &str, password: &str) -> StatusCode {
        let body = json!({"username": username, "password": password});
        who.post(self.url("/api/v1/login"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
    }

    /// The machine as an administrator sees it: `last_error` with the hypervisor's detail (its
    /// owner sees a plain reason and an error id).
    pub async fn machine_detail(&self, id: i64) -> Value {
        let path = format!("/api/v1/machines/{id}");
        self.call(&self.admin, Method::GET, &path, None).await.1
    }

    pub async fn machine(&self, id: i64) -> Value {
        self.call(
            &self.user,
            Method::GET,
            &format!("/api/v1/machines/{id}"),
            None,
        )
        .await
        .1
    }

    /// The administrator adds a Linux VM template on the `local` provider built from base volume
    /// `source`; its id.
    pub async fn add_template(&self, name: &str, source: &str) -> i64 {
        let template = json!({"name": name, "provider": "local", "kind": "vm", "os_family": "linux",
            "source": source, "default_cpus": 1, "default_memory_mib": 768, "default_disk_gib": 3,
            "max_cpus": 2, "max_memory_mib": 2048, "max_disk_gib": 10, "shutdown_timeout_secs": 90});
        let (s, t) = self
            .call(
                &self.admin,
                Method::POST,
                "/api/v1/templates",
                Some(template),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        t["id"].as_i64().unwrap()
    }

    /// What the owner is shown to log in to machine `id`.
    pub async fn credentials(&self, id: i64) -> Value {
        let path = format!("/api/v1/machines/{id}/credentials");
        let (s, creds) = self.call(&self.user, Method::GET, &path, None).await;
        assert_eq!(s, StatusCode::OK, "{creds}");
        creds
    }

    /// Polls the machine until `done` holds; fails with the machine and the log's tail otherwise.
    pub async fn wait(
        &self,
        id: i64,
        what: &str,
        limit: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let start = Instant::now();
        loop {
            let m = self.machine(id).await;
            if done(&m) {
                return m;
            }
            if start.elapsed() > limit {
                panic!(
                    "machine {id} not {what} after {limit:?}: {m}\nlog:\n{}",
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<_> = log.lines().rev().take(30).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    /// The user asks for a small machine from `template`, the administrator approves it:
    /// the machine's id and its provisioning job's id.
    pub async fn ask_and_approve(&self, template: i64, name: &str) -> (i64, i64) {
        let body = json!({"template_id": template, "name": name, "cpus": 1, "memory_mib": 768, "disk_gib": 3, "purpose": "system test"});
        let (s, r) = self
            .call(&self.user, Method::POST, "/api/v1/requests", Some(body))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let started = Instant::now();
        let (s, a) = self
            .call(
                &self.admin,
                Method::POST,
                &format!("/api/v1/requests/{}/approve", r["id"]),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{a}");
        println!("approve answered in {:?}", started.elapsed());
        (
            a["machine_id"].as_i64().unwrap(),
            a["job_id"].as_i64().unwrap(),
        )
    }

    pub async fn act(&self, id: i64, action: &str, want: &str, limit: Duration) -> Value {
        let (s, r) = self
            .call(
                &self.user,
                Method::POST,
                &format!("/api/v1/machines/{id}/{action}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{action}: {r}");
        self.wait(id, want, limit, |m| m["state"] == want).await
    }

    /// Signs `username` in afresh (the websocket needs the raw session cookie) and mints a
    /// console ticket for machine `id`: the cookie and the ticket's answer.
    pub async fn console_ticket(&self, username: &str, password: &str, id: i64) -> (String, Value) {
        console_ticket(&self.plain, &self.url(""), username, password, id).await
    }

    /// Deletes machine `id` as its owner and checks that nothing of it is left on the host.
    pub async fn delete(&self, id: i64) {
        let (s, r) = self
            .call(
                &self.user,
                Method::DELETE,
                &format!("/api/v1/machines/{id}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "delete: {r}");
        self.wait(id, "deleted", Duration::from_secs(120), |m| {
            m["state"] == "deleted"
        })
        .await;
        assert!(
            leftovers(id).is_empty(),
            "nothing left of machine {id}: {:?}",
            leftovers(id)
        );
    }
}

/// One API call: its status and JSON answer (null when there is none).
pub async fn call(
    who: &Client,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = who.request(method, url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Signs `username` in at the portal `base` with a client that keeps no cookies and mints a
/// console ticket for machine `id`: the session cookie and the ticket's answer.
pub async fn console_ticket(
    plain: &Client,
    base: &str,
    username: &str,
    password: &str,
    id: i64,
) -> (String, Value) {
    let r = plain
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = session_cookie(&r);
    let r = plain
        .post(format!("{base}/api/v1/machines/{id}/console"))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    (cookie, r.json().await.unwrap())
}

/// Opens machine `id`'s console as `username` straight at the portal's own address `addr`
/// (the ticket's URL names `public_url`, which may be a proxy's).
pub async fn console_at(
    addr: &str,
    username: &str,
    password: &str,
    id: i64,
) -> WebSocketStream<TcpStream> {
    let base = format!("http://{addr}");
    let (cookie, ticket) = console_ticket(&Client::new(), &base, username, password, id).await;
    let (_, query) = ticket["websocket"]
        .as_str()
        .unwrap()
        .split_once('?')
        .unwrap();
    let url = format!("ws://{addr}/console/ws?{query}");
    open_console(&url, &cookie, TcpStream::connect(addr).await.unwrap()).await
}

/// `name=value` of the session cookie a sign-in set.
fn session_cookie(signed_in: &reqwest::Response) -> String {
    signed_in
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        // `__Host-vmportal_session` under https.
        .find(|c| c.contains("vmportal_session="))
        .expect("a session cookie")
        .to_owned()
}

/// Opens the console websocket `url` (subprotocol `binary`) over `stream` with the session
/// `cookie` that minted its ticket.
pub async fn open_console<S>(url: &str, cookie: &str, stream: S) -> WebSocketStream<S>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut req = url.into_client_request().unwrap();
    let headers = req.headers_mut();
    headers.insert("sec-websocket-protocol", HeaderValue::from_static("binary"));
    headers.insert("cookie", HeaderValue::from_str(cookie).unwrap());
    tokio_tungstenite::client_async(req, stream)
        .await
        .unwrap()
        .0
}

/// Checks that the console's server speaks RFB 3.8, answers the same, and returns the security
/// types it offers (count first).
pub async fn console_version<S>(ws: &mut WebSocketStream<S>) -> Vec<u8>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    assert_eq!(console_read(ws, 12).await, b"RFB 003.008\n");
    let version = Message::binary(b"RFB 003.008\n".to_vec());
    ws.send(version).await.unwrap();
    console_read(ws, 2).await
}

/// Reads from the console until `n` bytes came.
pub async fn console_read<S>(ws: &mut WebSocketStream<S>, n: usize) -> Vec<u8>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
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
