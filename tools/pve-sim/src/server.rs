//! The HTTPS front: token or ticket authentication, the schema check of every request and answer, the
//! `data` envelope and the error shapes of the real server.

use crate::api::{self, ApiError, Call};
use crate::console;
use crate::node;
use crate::schema::{Rejection, Schema};
use crate::state::Cluster;
use crate::tickets::{Refused, Tickets, USER};
use crate::tls::{self, TlsListener};
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{Method, StatusCode, request::Parts};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio_rustls::TlsAcceptor;

/// The API token the simulator accepts.
pub const TOKEN_ID: &str = "vmportal@pve!portal";
pub const TOKEN_SECRET: &str = "5e1c9a7e-2b1f-4c8e-9d3a-7f60c2a1b9d4";

pub(crate) struct Shared {
    schema: &'static Schema,
    cluster: Arc<Mutex<Cluster>>,
    violations: Mutex<Vec<String>>,
    fingerprint: String,
    tickets: Mutex<Tickets>,
}

impl Shared {
    pub(crate) fn violate(&self, what: String) {
        self.violations.lock().expect("violations").push(what);
    }
}

/// Larger request bodies are refused (the largest real ones are a few KiB of parameters).
const MAX_BODY: usize = 1024 * 1024;

/// A running simulator on a loopback port. It stops when the runtime that started it ends.
pub struct Sim {
    /// `https://127.0.0.1:PORT`, without the `/api2/json` prefix.
    pub url: String,
    pub ca_pem: String,
    /// The node certificate's SHA-256 fingerprint, `AA:BB:...`.
    pub fingerprint: String,
    /// Connections to drop right after the TLS handshake.
    pub drop_connections: Arc<AtomicUsize>,
    cuts: Arc<AtomicUsize>,
    /// Where `pve-sim pct` reaches this simulator (see `node`).
    pub control: SocketAddr,
    shared: Arc<Shared>,
}

impl Sim {
    pub async fn start() -> Sim {
        let certs = tls::generate();
        let shared = Arc::new(Shared {
            schema: Schema::shared(),
            cluster: Arc::new(Mutex::new(Cluster::new())),
            violations: Mutex::new(Vec::new()),
            fingerprint: certs.fingerprint.clone(),
            tickets: Mutex::default(),
        });
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let url = format!("https://{}", tcp.local_addr().expect("address"));
        let drop_connections = Arc::new(AtomicUsize::new(0));
        let cuts = Arc::new(AtomicUsize::new(0));
        let listener = TlsListener {
            tcp,
            acceptor: TlsAcceptor::from(certs.config),
            drop_next: drop_connections.clone(),
            cuts: cuts.clone(),
        };
        let state = shared.clone();
        let app = axum::Router::new().fallback(move |req: Request| {
            let state = state.clone();
            async move {
                let (mut parts, body) = req.into_parts();
                match axum::body::to_bytes(body, MAX_BODY).await {
                    Ok(body) => handle(&state, &mut parts, body),
                    Err(e) => error(StatusCode::BAD_REQUEST, &format!("request body: {e}")),
                }
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        let control = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let control_addr = control.local_addr().expect("address");
        tokio::spawn(node::serve(control, shared.cluster.clone()));
        Sim {
            url,
            ca_pem: certs.ca_pem,
            fingerprint: certs.fingerprint,
            drop_connections,
            cuts,
            control: control_addr,
            shared,
        }
    }

    /// Cuts every open connection, as a restarted server would: the next request on each gets
    /// no answer.
    pub fn cut_connections(&self) {
        self.cuts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Every schema violation seen so far, requests and answers.
    pub fn violations(&self) -> Vec<String> {
        self.shared.violations.lock().expect("violations").clone()
    }

    /// The cluster, to arrange a test or look at the outcome (faults live in `cluster().faults`).
    pub fn cluster(&self) -> MutexGuard<'_, Cluster> {
        self.shared.cluster.lock().expect("cluster")
    }
}

fn handle(state: &Arc<Shared>, parts: &mut Parts, body: Bytes) -> Response {
    let (method, uri) = (parts.method.clone(), parts.uri.clone());
    let Some(path) = uri.path().strip_prefix("/api2/json") else {
        return error(StatusCode::NOT_FOUND, "not found");
    };
    let mut cluster = state.cluster.lock().expect("cluster");
    let signing_in = method == Method::POST && path == "/access/ticket";
    let user = match who(state, &cluster, parts, method == Method::GET) {
        Ok(user) => Some(user),
        Err(_) if signing_in => None,
        Err(why) => return error(StatusCode::UNAUTHORIZED, why),
    };
    if cluster.faults.errors_500 > 0 {
        cluster.faults.errors_500 -= 1;
        return error(StatusCode::INTERNAL_SERVER_ERROR, "simulated server error");
    }
    // Parameters come in the query string, and for POST/PUT also as a form body.
    let mut params: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or_default()).unwrap_or_default();
    if matches!(method, Method::POST | Method::PUT) {
        match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
            Ok(form) => params.extend(form),
            Err(e) => return error(StatusCode::BAD_REQUEST, &format!("body is not a form: {e}")),
        }
    }
    let violate = |what: String| state.violate(what);
    let m = match state.schema.check_request(method.as_str(), path, &params) {
        Ok(m) => m,
        Err(Rejection::NoSuchPath | Rejection::MethodNotAllowed) => {
            violate(format!("{method} {path}: not in the schema"));
            return error(
                StatusCode::NOT_IMPLEMENTED,
                &format!("Method '{method} {path}' not implemented"),
            );
        }
        Err(Rejection::Params(errors)) => {
            for (field, message) in &errors {
                violate(format!("{method} {path}: parameter {field}: {message}"));
            }
            let body = json!({"errors": errors, "data": null, "message": "Parameter verification failed."});
            return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
        }
    };
    if signing_in {
        let param = |k: &str| m.params.get(k).map(String::as_str).unwrap_or_default();
        let issued = state
            .tickets
            .lock()
            .expect("tickets")
            .sign_in(param("username"), param("password"));
        let Some((ticket, csrf)) = issued else {
            return error(StatusCode::UNAUTHORIZED, "authentication failure");
        };
        let data = json!({"username": USER, "ticket": ticket, "CSRFPreventionToken": csrf,
                          "clustername": "sim"});
        for v in state.schema.check_return(&m.info["returns"], &data) {
            violate(format!("{method} {} answered {v}", m.path));
        }
        return axum::Json(json!({ "data": data })).into_response();
    }
    let user = user.unwrap_or(USER);
    if user == TOKEN_ID
        && m.info
            .get("allowtoken")
            .is_some_and(|a| a.as_i64() == Some(0))
    {
        return error(
            StatusCode::FORBIDDEN,
            "API tokens are not allowed for this endpoint",
        );
    }
    cluster.tick();
    if m.path.ends_with("/vncwebsocket") {
        return console::upgrade(state, &mut cluster, &m.params, parts);
    }
    let call = Call {
        method: method.as_str(),
        path: m.path,
        params: &m.params,
        user,
        fingerprint: &state.fingerprint,
        returns: &m.info["returns"],
    };
    match api::handle(&mut cluster, &call) {
        None => {
            violate(format!(
                "{method} {}: in the schema but not simulated",
                m.path
            ));
            error(StatusCode::NOT_IMPLEMENTED, "not simulated")
        }
        Some(Err(ApiError(status, message))) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            match cluster.faults.reason_phrase_only {
                true => reason_phrase_error(status, &message),
                false => error(status, &message),
            }
        }
        Some(Ok(data)) => {
            // A null resize answer is the older server's schema, which the fault asked for.
            let older = data.is_null() && cluster.faults.synchronous_resize;
            if !older {
                for v in state.schema.check_return(&m.info["returns"], &data) {
                    violate(format!("{method} {} answered {v}", m.path));
                }
            }
            let mut body = json!({ "data": data });
            if let Some(total) = api::total(&cluster, &call) {
                body["total"] = json!(total);
            }
            axum::Json(body).into_response()
        }
    }
}

/// Who signs the request in: the API token, or a ticket in the `PVEAuthCookie` cookie (with the
/// `CSRFPreventionToken` header on anything but a GET).
fn who(
    state: &Shared,
    cluster: &Cluster,
    parts: &Parts,
    get: bool,
) -> Result<&'static str, &'static str> {
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(auth) = header("authorization") {
        let expected = format!("PVEAPIToken={TOKEN_ID}={TOKEN_SECRET}");
        return match auth == expected && !cluster.faults.token_expired {
            true => Ok(TOKEN_ID),
            false => Err("authentication failure"),
        };
    }
    let cookies = parts
        .headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok());
    let ticket = cookies
        .flat_map(|c| c.split(';'))
        .find_map(|c| c.trim().strip_prefix("PVEAuthCookie="))
        .ok_or("authentication failure")?;
    let ticket = percent_encoding::percent_decode_str(ticket).decode_utf8_lossy();
    let tickets = state.tickets.lock().expect("tickets");
    let lifetime = cluster.faults.ticket_lifetime;
    match tickets.check(&ticket, header("csrfpreventiontoken"), get, lifetime) {
        Ok(()) => Ok(USER),
        Err(Refused::Ticket) => Err("authentication failure"),
        Err(Refused::Csrf) => Err("Permission denied - invalid csrf token"),
    }
}

/// Non-parameter errors: the message in a `message` field (newer servers; older ones only put it
/// in the status line, which HTTP/1.1 clients may not show).
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"data": Value::Null, "message": format!("{message}\n")})),
    )
        .into_response()
}

/// An error as servers before pve-http-server 5.2 answer it: the message only in the status line
/// (`PVE::APIServer::AnyEvent::response` sets it as the HTTP reason phrase, one line), the body
/// `{"data":null}`.
fn reason_phrase_error(status: StatusCode, message: &str) -> Response {
    let line = message.trim().replace(['\r', '\n'], " ");
    let mut response = (status, axum::Json(json!({"data": Value::Null}))).into_response();
    if let Ok(reason) = hyper::ext::ReasonPhrase::try_from(line.into_bytes()) {
        response.extensions_mut().insert(reason);
    }
    response
}
