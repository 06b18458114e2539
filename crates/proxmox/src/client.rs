//! A thin client of the PVE REST API: token header or ticket, the `data` envelope, errors turned into
//! messages an administrator can act on, and UPID tasks polled to their end.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// HTTP 400: the server's per-parameter messages.
    Params(BTreeMap<String, String>),
    /// Any other HTTP error, with the server's message.
    Status(u16, String),
    /// No answer: connection refused or dropped, TLS refused, timeout.
    Transport(String),
    /// A task ended with an error: its exit status and the end of its log.
    Task {
        exitstatus: String,
        log: Vec<String>,
    },
    /// The task was still running at the deadline.
    TaskTimeout(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Params(errors) => {
                let list: Vec<_> = errors.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                write!(f, "Proxmox VE refused the parameters ({})", list.join("; "))
            }
            ApiError::Status(401, m) => write!(
                f,
                "Proxmox VE refused the API token or the sign-in (expired, revoked or wrong \
                 secret?): {m}"
            ),
            ApiError::Status(403, m) => write!(f, "the API token or user lacks a privilege: {m}"),
            ApiError::Status(code, m) => write!(f, "Proxmox VE answered {code}: {m}"),
            ApiError::Transport(m) => write!(f, "cannot reach Proxmox VE: {m}"),
            ApiError::Task { exitstatus, log } => {
                write!(
                    f,
                    "Proxmox VE task failed: {exitstatus}; log: {}",
                    log.join(" | ")
                )
            }
            ApiError::TaskTimeout(upid) => {
                write!(f, "Proxmox VE task {upid} did not finish in time")
            }
        }
    }
}

impl ApiError {
    /// The server's message, for telling apart "already exists", "is locked", ...
    pub fn message(&self) -> &str {
        match self {
            ApiError::Status(_, m) | ApiError::Transport(m) | ApiError::TaskTimeout(m) => m,
            ApiError::Task { exitstatus, .. } => exitstatus,
            ApiError::Params(_) => "",
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Task log lines kept in an error: the end of the log says why.
const LOG_TAIL: usize = 20;

/// How requests are signed in: an API token, or a user's ticket.
pub enum Auth {
    /// The `Authorization` header value.
    Token(String),
    Ticket {
        username: String,
        password: String,
        /// The current ticket and CSRF token, and when they were issued.
        session: tokio::sync::Mutex<Option<Session>>,
    },
}

pub struct Session {
    ticket: String,
    csrf: String,
    issued: Instant,
}

/// Tickets last two hours; a fresh one is asked for a little before.
const TICKET_RENEWAL: Duration = Duration::from_secs(110 * 60);

impl Auth {
    pub fn token(token_id: &str, secret: &str) -> Auth {
        Auth::Token(format!("PVEAPIToken={token_id}={secret}"))
    }

    pub fn ticket(username: &str, password: &str) -> Auth {
        Auth::Ticket {
            username: username.into(),
            password: password.into(),
            session: tokio::sync::Mutex::default(),
        }
    }
}

pub struct Client {
    http: reqwest::Client,
    /// `https://host:8006/api2/json`
    base: String,
    auth: Auth,
}

impl Client {
    pub fn new(http: reqwest::Client, url: &str, auth: Auth) -> Client {
        Client {
            http,
            base: format!("{}/api2/json", url.trim_end_matches('/')),
            auth,
        }
    }

    /// The headers that sign a request in: the token, or the ticket's cookie with, for any
    /// method but GET, its CSRF token. A missing or old ticket is renewed first.
    pub async fn auth_headers(&self, method: &Method) -> ApiResult<Vec<(&'static str, String)>> {
        let (username, password, session) = match &self.auth {
            Auth::Token(header) => return Ok(vec![("authorization", header.clone())]),
            Auth::Ticket {
                username,
                password,
                session,
            } => (username, password, session),
        };
        let mut session = session.lock().await;
        if session
            .as_ref()
            .is_none_or(|s| s.issued.elapsed() > TICKET_RENEWAL)
        {
            *session = Some(self.sign_in(username, password).await?);
        }
        let s = session.as_ref().expect("just signed in");
        let cookie = format!("PVEAuthCookie={}", encode(&s.ticket));
        let mut headers = vec![("cookie", cookie)];
        if method != Method::GET {
            headers.push(("csrfpreventiontoken", s.csrf.clone()));
        }
        Ok(headers)
    }

    /// Forgets the ticket, which the server refused: the next call signs in again.
    async fn ticket_refused(&self) -> bool {
        match &self.auth {
            Auth::Token(_) => false,
            Auth::Ticket { session, .. } => session.lock().await.take().is_some(),
        }
    }

    async fn sign_in(&self, username: &str, password: &str) -> ApiResult<Session> {
        let form = [("username", username), ("password", password)];
        let req = self
            .http
            .post(format!("{}/access/ticket", self.base))
            .form(&form);
        let (body, _) = self.read(req).await.map_err(|e| match e {
            ApiError::Status(401, m) => {
                ApiError::Status(401, format!("sign-in as {username}: {m}"))
            }
            other => other,
        })?;
        let data = &body["data"];
        match (
            data["ticket"].as_str(),
            data["CSRFPreventionToken"].as_str(),
        ) {
            (Some(ticket), Some(csrf)) => Ok(Session {
                ticket: ticket.into(),
                csrf: csrf.into(),
                issued: Instant::now(),
            }),
            _ => Err(ApiError::Status(
                200,
                format!("sign-in answered no ticket: {body}"),
            )),
        }
    }

    pub async fn get(&self, path: &str, params: &[(&str, String)]) -> ApiResult<Value> {
        self.call(Method::GET, path, params).await
    }

    pub async fn post(&self, path: &str, params: &[(&str, String)]) -> ApiResult<Value> {
        self.call(Method::POST, path, params).await
    }

    pub async fn put(&self, path: &str, params: &[(&str, String)]) -> ApiResult<Value> {
        self.call(Method::PUT, path, params).await
    }

    /// A POST, with the address of the node that answered: what follows must go to that node.
    pub async fn post_answered_by(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> ApiResult<(Value, Option<SocketAddr>)> {
        self.send(Method::POST, path, params).await
    }

    /// The full URL of an API path, e.g. for a websocket.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
    ) -> ApiResult<Value> {
        Ok(self.send(method, path, params).await?.0)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
    ) -> ApiResult<(Value, Option<SocketAddr>)> {
        let (mut body, peer) = self.answer(method, path, params).await?;
        Ok((
            body.get_mut("data").map(Value::take).unwrap_or(Value::Null),
            peer,
        ))
    }

    /// The whole answer, envelope included (`total` sits next to `data`).
    async fn answer(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
    ) -> ApiResult<(Value, Option<SocketAddr>)> {
        let mut retried = false;
        loop {
            let mut req = self
                .http
                .request(method.clone(), format!("{}{path}", self.base));
            for (name, value) in self.auth_headers(&method).await? {
                req = req.header(name, value);
            }
            // PVE reads GET/DELETE parameters from the query, POST/PUT ones from a form body.
            let req = if method == Method::GET || method == Method::DELETE {
                req.query(params)
            } else {
                req.form(params)
            };
            match self.read(req).await {
                // A ticket that expired or was revoked early: sign in again, once.
                Err(ApiError::Status(401, _)) if !retried && self.ticket_refused().await => {
                    retried = true;
                }
                other => return other,
            }
        }
    }

    /// Sends a request and reads its answer: the body, or the error it carries.
    async fn read(&self, req: reqwest::RequestBuilder) -> ApiResult<(Value, Option<SocketAddr>)> {
        let res = req
            .send()
            .await
            .map_err(|e| ApiError::Transport(chain(&e)))?;
        let status = res.status();
        let peer = res.remote_addr();
        // Before pve-http-server 5.2 the message was only in the status line's reason phrase.
        let reason = res
            .extensions()
            .get::<hyper::ext::ReasonPhrase>()
            .and_then(|r| std::str::from_utf8(r.as_bytes()).ok())
            .or(status.canonical_reason())
            .unwrap_or_default()
            .trim()
            .to_string();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            return Ok((body, peer));
        }
        if status.as_u16() == 400
            && let Some(errors) = body["errors"].as_object()
        {
            let errors = errors
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().trim().to_string()))
                .collect();
            return Err(ApiError::Params(errors));
        }
        // Newer servers put the message in the body too.
        let message = body["message"]
            .as_str()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .unwrap_or(reason);
        Err(ApiError::Status(status.as_u16(), message))
    }

    /// Polls a task until it stops (backing off up to 2 s between polls); a failure carries the
    /// end of the task log. The task is asked of the node that runs it, which the UPID names
    /// (`node` when it names none).
    pub async fn wait(&self, node: &str, upid: &str, timeout: Duration) -> ApiResult<()> {
        let node = upid
            .strip_prefix("UPID:")
            .and_then(|rest| rest.split(':').next())
            .unwrap_or(node);
        let path = format!("/nodes/{node}/tasks/{}", encode(upid));
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(100);
        loop {
            let status = self.get(&format!("{path}/status"), &[]).await?;
            if status["status"] == "stopped" {
                let exit = status["exitstatus"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if exit == "OK" || exit.starts_with("WARNINGS") {
                    return Ok(());
                }
                return Err(ApiError::Task {
                    exitstatus: exit,
                    log: self.log_tail(&format!("{path}/log")).await?,
                });
            }
            if Instant::now() + pause > deadline {
                return Err(ApiError::TaskTimeout(upid.to_string()));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    /// The last lines of a task log, where the error is: the answer's `total` says where the end
    /// is, however many progress lines come before it.
    async fn log_tail(&self, path: &str) -> ApiResult<Vec<String>> {
        let first = [("limit", LOG_TAIL.to_string())];
        let (mut answer, _) = self.answer(Method::GET, path, &first).await?;
        let total = answer["total"]
            .as_u64()
            .and_then(|t| usize::try_from(t).ok());
        if let Some(total) = total.filter(|t| *t > LOG_TAIL) {
            let start = (total - LOG_TAIL).to_string();
            let end = [("start", start), ("limit", LOG_TAIL.to_string())];
            answer = self.answer(Method::GET, path, &end).await?.0;
        }
        let lines = answer["data"].as_array().into_iter().flatten();
        Ok(lines
            .filter_map(|l| l["t"].as_str().map(str::to_string))
            .collect())
    }

    /// Calls an endpoint that answers a UPID and waits for that task.
    pub async fn run(
        &self,
        node: &str,
        method: Method,
        path: &str,
        params: &[(&str, String)],
        timeout: Duration,
    ) -> ApiResult<()> {
        let upid = self.call(method, path, params).await?;
        let upid = upid.as_str().ok_or_else(|| {
            ApiError::Status(200, format!("expected a task id from {path}, got {upid}"))
        })?;
        self.wait(node, upid, timeout).await
    }
}

/// A path segment, as UPIDs (`:`, `!`, `@`) need.
pub fn encode(segment: &str) -> String {
    utf8_percent_encode(segment, NON_ALPHANUMERIC).to_string()
}

/// Errors hide their cause (certificate refused, connection reset) in their source chain.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
