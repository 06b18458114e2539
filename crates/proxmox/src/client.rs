//! A thin client of the PVE REST API: token header, the `data` envelope, errors turned into
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
                "Proxmox VE refused the API token (expired, revoked or wrong secret?): {m}"
            ),
            ApiError::Status(403, m) => write!(f, "the API token lacks a privilege: {m}"),
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

pub struct Client {
    http: reqwest::Client,
    /// `https://host:8006/api2/json`
    base: String,
    auth: String,
}

impl Client {
    pub fn new(http: reqwest::Client, url: &str, token_id: &str, secret: &str) -> Client {
        Client {
            http,
            base: format!("{}/api2/json", url.trim_end_matches('/')),
            auth: format!("PVEAPIToken={token_id}={secret}"),
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

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        &self.auth
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
        let req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .header("authorization", &self.auth);
        // PVE reads GET/DELETE parameters from the query, POST/PUT ones from a form body.
        let req = if method == Method::GET || method == Method::DELETE {
            req.query(params)
        } else {
            req.form(params)
        };
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
