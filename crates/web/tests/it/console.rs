//! The console: tickets and the websocket relay. The "guest" is a TCP server of the test's own on
//! loopback, reached through the real libvirt provider on its in-memory `test:///default` driver
//! (a domain whose VNC port is that server's); the real QEMU VNC server is proven in
//! `crates/vmportal/tests/kvm.rs`.

use crate::app::{PASSWORD, TestApp, error_code, session_hash, test_config};
use futures_util::{SinkExt, StreamExt};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};
use vmportal_core::{
    ids::MachineId,
    machine::{MachinePatch, MachineState},
    store::prelude::*,
    user::Role,
};
use vmportal_web::WebConfig;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A signed-in user: the client (its cookie jar) and the raw session cookie for websockets.
struct Person {
    client: Client,
    cookie: String,
}

async fn sign_in(app: &TestApp, name: &str) -> Person {
    let client = app.client();
    let r = app.login(&client, name, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .next()
                .filter(|c| c.starts_with("vmportal_session="))
        })
        .unwrap()
        .to_owned();
    Person { client, cookie }
}

/// A guest on the test driver whose VNC port is `port`. The returned connection keeps the
/// driver's state alive (it is shared only while a connection is open).
fn guest_domain(port: u16) -> (virt::connect::Connect, String) {
    let conn = virt::connect::Connect::open(Some("test:///default")).unwrap();
    let xml = format!(
        "<domain type='test'><name>console-{port}</name><memory>65536</memory><vcpu>1</vcpu>\
         <os><type>hvm</type></os>\
         <devices><graphics type='vnc' port='{port}' autoport='no' listen='127.0.0.1'/></devices></domain>"
    );
    let dom = conn.create_domain_xml(&xml, 0).unwrap();
    let uuid = dom.uuid_string().unwrap();
    (conn, uuid)
}

struct Setup {
    app: TestApp,
    alice: Person,
    admin: Person,
    machine: i64,
    _libvirt: virt::connect::Connect,
}

/// `alice` owns a running machine whose console is the server on `port`.
async fn setup(config: WebConfig, port: u16) -> Setup {
    let app = TestApp::with_config(config).await;
    app.user("root", Role::Admin).await;
    app.user("alice", Role::User).await;
    let admin = sign_in(&app, "root").await;
    let alice = sign_in(&app, "alice").await;
    let template = app.template(&admin.client, "Debian 12").await;
    let request = app.request(&alice.client, template, "desk").await;
    let machine = app.approve(&admin.client, request).await;
    let (conn, uuid) = guest_domain(port);
    let patch = MachinePatch {
        state: Some(MachineState::Running),
        external_id: Some(uuid),
        ..Default::default()
    };
    app.store
        .update_machine(MachineId(machine), patch)
        .await
        .unwrap();
    Setup {
        app,
        alice,
        admin,
        machine,
        _libvirt: conn,
    }
}

impl Setup {
    async fn ticket(&self, who: &Person) -> String {
        let path = format!("/api/v1/machines/{}/console", self.machine);
        let r = self.app.post(&who.client, &path, json!({})).await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        let ws = v["websocket"].as_str().unwrap();
        assert!(
            ws.starts_with("ws://127.0.0.1:8080/console/ws?ticket="),
            "{ws}"
        );
        let url = v["url"].as_str().unwrap();
        let ticket = ws.rsplit_once('=').unwrap().1.to_owned();
        assert!(url.ends_with(&format!("/machines/{}/console#{ticket}", self.machine)));
        assert!(v["expires_at"].is_string());
        ticket
    }

    /// Opens the websocket with `cookie` (if any); the HTTP status when refused.
    async fn open(&self, cookie: Option<&str>, ticket: &str) -> Result<Ws, u16> {
        self.open_from(cookie, ticket, &[]).await
    }

    /// `open` with these headers too (a browser's `origin`, `sec-fetch-site`).
    async fn open_from(
        &self,
        cookie: Option<&str>,
        ticket: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<Ws, u16> {
        let url = format!("ws://{}/console/ws?ticket={ticket}", self.app.addr);
        let mut req = url.into_client_request().unwrap();
        let h = req.headers_mut();
        h.insert("sec-websocket-protocol", HeaderValue::from_static("binary"));
        if let Some(c) = cookie {
            h.insert("cookie", HeaderValue::from_str(c).unwrap());
        }
        for (name, value) in headers {
            h.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        match tokio_tungstenite::connect_async(req).await {
            Ok((ws, resp)) => {
                assert_eq!(resp.headers()["sec-websocket-protocol"], "binary");
                Ok(ws)
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
            Err(e) => panic!("{e}"),
        }
    }
}

/// A console server that echoes, counting the connections it accepted.
async fn echo_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let (mut r, mut w) = s.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    (port, accepted)
}

/// Reads binary messages until `n` bytes came.
async fn read_bytes(ws: &mut Ws, n: usize) -> Vec<u8> {
    let mut got = Vec::new();
    while got.len() < n {
        match ws.next().await.unwrap().unwrap() {
            Message::Binary(b) => got.extend_from_slice(&b),
            other => panic!("unexpected {other:?}"),
        }
    }
    got
}

/// The reason of the closing frame that must come within `within`.
async fn closed_because(ws: &mut Ws, within: Duration) -> String {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("closed in time");
        match msg {
            Some(Ok(Message::Close(Some(f)))) => return f.reason.to_string(),
            Some(Ok(_)) => continue,
            other => panic!("no closing frame: {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_relay_is_byte_exact_both_ways_and_audited_and_counted() {
    let (port, _) = echo_server().await;
    let s = setup(test_config(), port).await;
    let ticket = s.ticket(&s.alice).await;
    let mut ws = s.open(Some(&s.alice.cookie), &ticket).await.unwrap();
    // Every byte value, in uneven messages, 300 KiB in all.
    let data: Vec<u8> = (0..300 * 1024u32)
        .map(|i| (i * 7 + i / 251) as u8)
        .collect();
    for part in data.chunks(7777) {
        ws.send(Message::binary(part.to_vec())).await.unwrap();
    }
    assert_eq!(read_bytes(&mut ws, data.len()).await, data);
    ws.close(None).await.unwrap();
    while ws.next().await.is_some() {}

    let n = data.len();
    let mut close = None;
    for _ in 0..50 {
        let events = s.app.audit().await;
        close = events.into_iter().find(|e| e.action == "console.close");
        if close.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let close = close.expect("the end is audited");
    assert_eq!(close.object_id, Some(s.machine));
    assert_eq!(close.actor, "alice");
    assert!(
        close
            .detail
            .contains(&format!("{n} bytes to the guest, {n} bytes to the browser")),
        "{}",
        close.detail
    );
    let actions = s.app.audit_actions().await;
    for a in ["console.ticket", "console.open"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    let metrics = s
        .app
        .get(&s.app.client(), "/metrics")
        .await
        .text()
        .await
        .unwrap();
    for m in [
        "vmportal_console_sessions ",
        "vmportal_console_sessions_total ",
        "vmportal_console_bytes_total{direction=\"to_guest\"}",
        "vmportal_console_bytes_total{direction=\"to_browser\"}",
    ] {
        assert!(metrics.contains(m), "{m} in /metrics");
    }
}

#[tokio::test]
async fn what_the_browser_sent_right_before_closing_reaches_the_guest() {
    // The guest keeps everything it reads until the relay closes the connection.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).await.unwrap();
        got
    });
    let s = setup(test_config(), port).await;
    let mut ws = s
        .open(Some(&s.alice.cookie), &s.ticket(&s.alice).await)
        .await
        .unwrap();
    // Pointer events in one burst with the closing frame behind them: the relay gathers them
    // into few writes, and must not drop what it gathered when the close comes.
    let events: Vec<Vec<u8>> = (0..200u8).map(|i| vec![5, 0, i, 0, i, 0]).collect();
    for e in &events {
        ws.feed(Message::binary(e.clone())).await.unwrap();
    }
    ws.close(None).await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), received)
        .await
        .expect("the relay closed the guest's connection")
        .unwrap();
    assert_eq!(got, events.concat());
}

#[tokio::test]
async fn bad_tickets_are_refused_before_the_console_server_is_reached() {
    let (port, accepted) = echo_server().await;
    let s = setup(test_config(), port).await;
    s.app.user("bob", Role::User).await;
    let bob = sign_in(&s.app, "bob").await;
    let alice_again = sign_in(&s.app, "alice").await;
    let alice = Some(s.alice.cookie.as_str());

    // Minting: someone else's machine is not found; nobody signed in is refused.
    let path = format!("/api/v1/machines/{}/console", s.machine);
    let r = s.app.post(&bob.client, &path, json!({})).await;
    assert_eq!(error_code(r, StatusCode::NOT_FOUND).await, "not_found");
    let r = s.app.post(&s.app.client(), &path, json!({})).await;
    assert_eq!(
        error_code(r, StatusCode::UNAUTHORIZED).await,
        "unauthenticated"
    );

    let ticket = s.ticket(&s.alice).await;
    assert_eq!(s.open(None, &ticket).await.err(), Some(401), "no session");
    assert_eq!(s.open(alice, "zz").await.err(), Some(404), "malformed");
    assert_eq!(
        s.open(alice, &"ab".repeat(32)).await.err(),
        Some(404),
        "unknown"
    );
    assert_eq!(
        s.open(Some(&bob.cookie), &ticket).await.err(),
        Some(404),
        "other user"
    );
    assert_eq!(
        s.open(Some(&alice_again.cookie), &ticket).await.err(),
        Some(404),
        "same user, other session"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
    // Those attempts did not use the ticket up; its own session uses it, once.
    let ws = s.open(alice, &ticket).await.unwrap();
    drop(ws);
    assert_eq!(s.open(alice, &ticket).await.err(), Some(404), "used");
    // An administrator may open anyone's console, with a ticket of their own.
    let admins = s.ticket(&s.admin).await;
    assert_eq!(
        s.open(alice, &admins).await.err(),
        Some(404),
        "admin's ticket"
    );
    assert!(s.open(Some(&s.admin.cookie), &admins).await.is_ok());
    assert_eq!(accepted.load(Ordering::SeqCst), 2);

    // A stopped machine has no console to mint.
    let stopped = MachinePatch {
        state: Some(MachineState::Stopped),
        ..Default::default()
    };
    let ticket = s.ticket(&s.alice).await;
    s.app
        .store
        .update_machine(MachineId(s.machine), stopped)
        .await
        .unwrap();
    let r = s.app.post(&s.alice.client, &path, json!({})).await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "conflict");
    // Nor does a ticket minted while it ran open it now.
    assert_eq!(s.open(alice, &ticket).await.err(), Some(409));
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_expired_ticket_is_refused() {
    let (port, accepted) = echo_server().await;
    let mut config = test_config();
    config.console.ticket_secs = 1;
    let s = setup(config, port).await;
    let ticket = s.ticket(&s.alice).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        s.open(Some(&s.alice.cookie), &ticket).await.err(),
        Some(404)
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_idle_console_closes() {
    let (port, _) = echo_server().await;
    let mut config = test_config();
    config.console.idle_secs = 1;
    let s = setup(config, port).await;
    let ticket = s.ticket(&s.alice).await;
    let mut ws = s.open(Some(&s.alice.cookie), &ticket).await.unwrap();
    let started = std::time::Instant::now();
    ws.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    assert_eq!(read_bytes(&mut ws, 3).await, [1, 2, 3]);
    let reason = closed_because(&mut ws, Duration::from_secs(5)).await;
    assert_eq!(reason, "idle for too long");
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_console_closes_when_its_machine_stops_its_user_is_disabled_or_the_portal_stops() {
    let (port, _) = echo_server().await;
    let mut config = test_config();
    config.console.check_secs = 1;
    let mut s = setup(config, port).await;
    let alice = Some(s.alice.cookie.as_str());

    let mut ws = s.open(alice, &s.ticket(&s.alice).await).await.unwrap();
    let patch = |state| MachinePatch {
        state: Some(state),
        ..Default::default()
    };
    let id = MachineId(s.machine);
    s.app
        .store
        .update_machine(id, patch(MachineState::Deleting))
        .await
        .unwrap();
    let reason = closed_because(&mut ws, Duration::from_secs(5)).await;
    assert_eq!(reason, "the machine is no longer running");
    s.app
        .store
        .update_machine(id, patch(MachineState::Running))
        .await
        .unwrap();

    let mut ws = s.open(alice, &s.ticket(&s.alice).await).await.unwrap();
    s.app.restart().await;
    let reason = closed_because(&mut ws, Duration::from_secs(5)).await;
    assert_eq!(reason, "the portal is shutting down");

    let mut ws = s.open(alice, &s.ticket(&s.alice).await).await.unwrap();
    let alice_id = s
        .app
        .store
        .user_for_login("alice")
        .await
        .unwrap()
        .unwrap()
        .0
        .id
        .0;
    let r = s
        .app
        .patch(
            &s.admin.client,
            &format!("/api/v1/users/{alice_id}"),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let reason = closed_because(&mut ws, Duration::from_secs(5)).await;
    assert_eq!(reason, "the session ended");
}

#[tokio::test]
async fn a_browser_that_does_not_read_stalls_the_guest_instead_of_filling_the_portal() {
    // The guest sends as fast as it can and notes how much the relay took.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let written = Arc::new(AtomicUsize::new(0));
    let counter = written.clone();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let block = vec![0x5a; 64 * 1024];
        while s.write_all(&block).await.is_ok() {
            counter.fetch_add(block.len(), Ordering::SeqCst);
        }
    });
    let s = setup(test_config(), port).await;
    let mut ws = s
        .open(Some(&s.alice.cookie), &s.ticket(&s.alice).await)
        .await
        .unwrap();
    // Wait until the guest is stuck: no progress for a second.
    let mut before = usize::MAX;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = written.load(Ordering::SeqCst);
        if now == before {
            break;
        }
        before = now;
    }
    // Socket buffers of four loopback sockets and the relay's own chunk: some MiB, not the
    // gigabytes an unbounded relay would have taken in that time.
    let stuck_at = written.load(Ordering::SeqCst);
    assert!(stuck_at < 48 << 20, "the relay took {stuck_at} bytes");
    // Reading again lets the guest go on.
    let got = read_bytes(&mut ws, stuck_at + 1).await;
    assert!(got.iter().all(|b| *b == 0x5a));
    tokio::spawn(async move { while ws.next().await.is_some() {} });
    for _ in 0..50 {
        if written.load(Ordering::SeqCst) > stuck_at {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the guest stayed stuck after the browser read");
}

#[tokio::test]
async fn the_console_page_loads_novnc_from_the_portal_itself() {
    let (port, _) = echo_server().await;
    let s = setup(test_config(), port).await;
    let page = s
        .app
        .get(&s.alice.client, &format!("/machines/{}/console", s.machine))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<script type="module" src="/static/console.js"></script>"#));
    assert!(html.contains(&format!("data-machine=\"{}\"", s.machine)));
    let js = s
        .app
        .get(&s.alice.client, "/static/console.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(js.contains(r#"import RFB from "/static/novnc/core/rfb.js";"#));
    // Served from the directory scripts/novnc.sh fills, with every module rfb.js imports.
    let anyone = s.app.client();
    let rfb = s.app.get(&anyone, "/static/novnc/core/rfb.js").await;
    assert_eq!(
        rfb.status(),
        StatusCode::OK,
        "noVNC installed (scripts/novnc.sh)"
    );
    assert_eq!(
        rfb.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let rfb = rfb.text().await.unwrap();
    for import in rfb.lines().filter_map(|l| l.split(" from ").nth(1)) {
        let module = import.trim_matches(|c| c == '"' || c == '\'' || c == ';');
        let path = format!("/static/novnc/core/{}", module.trim_start_matches("./"));
        if module.starts_with("./") {
            let r = s.app.get(&anyone, &path).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
        }
    }
    for refused in [
        "/static/novnc/package.json",
        "/static/novnc/core/.hidden.js",
        "/static/novnc/core/%2E%2E/%2E%2E/package.json",
        "/static/novnc/core/..%2F..%2Fx.js",
    ] {
        let r = s.app.get(&anyone, refused).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{refused}");
    }
}

#[tokio::test]
async fn a_console_in_use_keeps_its_session_alive_and_an_unused_one_does_not() {
    let (port, _) = echo_server().await;
    let mut config = test_config();
    config.console.check_secs = 1;
    let s = setup(config, port).await;
    let hash = session_hash(s.alice.cookie.trim_start_matches("vmportal_session="));
    // The session was last used long ago and ends in three seconds.
    let age = async || {
        let t = vmportal_core::now();
        let (last, ends) = (time::Duration::minutes(10), time::Duration::seconds(3));
        let store = &s.app.store;
        store
            .touch_session(&hash, t - last, t + ends)
            .await
            .unwrap();
    };
    let mut ws = s
        .open(Some(&s.alice.cookie), &s.ticket(&s.alice).await)
        .await
        .unwrap();
    age().await;
    // Typing for five seconds, past that end.
    for _ in 0..25 {
        ws.send(Message::binary(vec![4, 1])).await.unwrap();
        assert_eq!(read_bytes(&mut ws, 2).await, [4, 1]);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (session, _) = s
        .app
        .store
        .session(&hash, vmportal_core::now())
        .await
        .unwrap()
        .expect("the session lives on");
    let left = session.expires_at - vmportal_core::now();
    assert!(left > time::Duration::minutes(20), "{left}");
    // Left alone (past a check that still saw the last bytes), the console does not keep the
    // session: it ends, and the console with it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    age().await;
    let reason = closed_because(&mut ws, Duration::from_secs(10)).await;
    assert_eq!(reason, "the session ended");
}

#[tokio::test]
async fn a_console_opens_only_from_the_portals_own_pages() {
    let (port, accepted) = echo_server().await;
    let s = setup(test_config(), port).await;
    let alice = Some(s.alice.cookie.as_str());
    let ticket = s.ticket(&s.alice).await;
    let own = format!("http://{}", s.app.addr);
    for headers in [
        [
            ("origin", "http://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ],
        [
            ("origin", "http://sibling.127.0.0.1"),
            ("sec-fetch-site", "same-site"),
        ],
        // Sec-Fetch-Site decides when a browser sends it.
        [("origin", own.as_str()), ("sec-fetch-site", "cross-site")],
    ] {
        assert_eq!(s.open_from(alice, &ticket, &headers).await.err(), Some(403));
    }
    let evil = [("origin", "http://evil.example")];
    assert_eq!(s.open_from(alice, &ticket, &evil).await.err(), Some(403));
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
    // The refusals used nothing up; the portal's own origin (its address, or public_url) opens.
    let own = [("origin", own.as_str())];
    assert!(s.open_from(alice, &ticket, &own).await.is_ok());
    let public = [("origin", "http://127.0.0.1:8080")];
    let ticket = s.ticket(&s.alice).await;
    assert!(s.open_from(alice, &ticket, &public).await.is_ok());
    let same = [("sec-fetch-site", "same-origin")];
    let ticket = s.ticket(&s.alice).await;
    assert!(s.open_from(alice, &ticket, &same).await.is_ok());
}

#[tokio::test]
async fn a_console_opened_with_an_api_token_lasts_as_long_as_the_token() {
    let (port, _) = echo_server().await;
    let mut config = test_config();
    config.console.check_secs = 1;
    let s = setup(config, port).await;
    let body =
        json!({"name": "vnc script", "expires_in_days": 1, "password": crate::app::PASSWORD});
    let r = s.app.post(&s.alice.client, "/api/v1/tokens", body).await;
    let made: Value = r.json().await.unwrap();
    let bearer = format!("Bearer {}", made["token"].as_str().unwrap());
    let path = format!("/api/v1/machines/{}/console", s.machine);
    let r = s
        .app
        .client()
        .post(s.app.url(&path))
        .header(header::AUTHORIZATION, &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    let ticket = v["websocket"].as_str().unwrap().rsplit_once('=').unwrap().1;
    let auth = [("authorization", bearer.as_str())];
    let mut ws = s.open_from(None, ticket, &auth).await.unwrap();
    // Past a few checks of the token, the console still relays.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    ws.send(Message::binary(vec![7])).await.unwrap();
    assert_eq!(read_bytes(&mut ws, 1).await, [7]);
    let revoke = format!("/api/v1/tokens/{}", made["id"]);
    let r = s
        .alice
        .client
        .delete(s.app.url(&revoke))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let reason = closed_because(&mut ws, Duration::from_secs(5)).await;
    assert_eq!(reason, "the API token ended");
}

/// A console server that keeps what it receives.
async fn recording_server() -> (u16, Arc<tokio::sync::Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let keep = got.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let keep = keep.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = s.read(&mut buf).await {
                    keep.lock().await.extend_from_slice(&buf[..n]);
                }
            });
        }
    });
    (port, got)
}

#[tokio::test]
async fn a_teachers_console_is_view_only_and_their_keystrokes_never_reach_the_guest() {
    let (port, received) = recording_server().await;
    let s = setup(test_config(), port).await;
    // Tina teaches a course Alice attends; Alice's course machine is the running guest.
    s.app.user("tina", Role::User).await;
    let tina = sign_in(&s.app, "tina").await;
    let quota = json!({"machines": 5, "cpus": 10, "memory_mib": 10240, "disk_gib": 100});
    let course: Value = s
        .app
        .post(
            &s.admin.client,
            "/api/v1/courses",
            json!({"name": "OS", "code": "os1", "quota": quota}),
        )
        .await
        .json()
        .await
        .unwrap();
    let course = course["id"].as_i64().unwrap();
    let roster = json!({"teachers": ["tina"], "students": ["alice"]});
    let path = format!("/api/v1/courses/{course}/members");
    let r = s
        .admin
        .client
        .put(s.app.url(&path))
        .json(&roster)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = json!({"template_id": 1, "name": "lab", "purpose": "p", "course_id": course});
    let r = s.app.post(&s.alice.client, "/api/v1/requests", body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let request = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let approved: Value = s
        .app
        .post(
            &tina.client,
            &format!("/api/v1/requests/{request}/approve"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let machine = approved["machine_id"].as_i64().unwrap();
    // The same guest as the setup's machine.
    let guest = s
        .app
        .store
        .machine(MachineId(s.machine))
        .await
        .unwrap()
        .unwrap();
    let patch = MachinePatch {
        state: Some(MachineState::Running),
        external_id: guest.external_id,
        ..Default::default()
    };
    s.app
        .store
        .update_machine(MachineId(machine), patch)
        .await
        .unwrap();

    // The teacher asks for a console without saying view-only: it is view-only all the same.
    let path = format!("/api/v1/machines/{machine}/console");
    let v: Value = s
        .app
        .post(&tina.client, &path, json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["view_only"], true, "{v}");
    let ticket = v["websocket"]
        .as_str()
        .unwrap()
        .rsplit_once('=')
        .unwrap()
        .1
        .to_owned();
    let mut ws = s.open(Some(&tina.cookie), &ticket).await.unwrap();

    // noVNC's bytes: handshake (RFB 3.8, security None, shared), encodings, update requests, and
    // in between keystrokes, a QEMU key event, pointer moves and a paste.
    let handshake = b"RFB 003.008\n\x01\x01".to_vec();
    let encodings = [2u8, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21];
    let update = [3u8, 1, 0, 0, 0, 0, 0x03, 0x20, 0x02, 0x58];
    let mut expected = handshake.clone();
    expected.extend(encodings);
    let mut sent: Vec<Vec<u8>> = vec![handshake, encodings.to_vec()];
    for key in b"rm -rf /" {
        sent.push(vec![4, 1, 0, 0, 0, 0, 0, *key]);
        sent.push(vec![4, 0, 0, 0, 0, 0, 0, *key]);
        sent.push(vec![5, 1, 0, 10, 0, 20]);
        sent.push(update.to_vec());
        expected.extend(update);
    }
    sent.push(vec![255, 0, 0, 1, 0, 0, 0, 0x0d, 0, 0, 0, 0x1c]);
    let mut paste = vec![6, 0, 0, 0, 0, 0, 0, 5];
    paste.extend(b"hello");
    sent.push(paste);
    sent.push(update.to_vec());
    expected.extend(update);
    for m in sent {
        ws.send(Message::binary(m)).await.unwrap();
    }
    for _ in 0..100 {
        if received.lock().await.len() >= expected.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ws.close(None).await.unwrap();
    while ws.next().await.is_some() {}
    assert_eq!(*received.lock().await, expected);

    let metrics = s
        .app
        .get(&s.app.client(), "/metrics")
        .await
        .text()
        .await
        .unwrap();
    for kind in ["key", "pointer", "clipboard"] {
        let m = format!("vmportal_console_input_dropped_total{{kind=\"{kind}\"}}");
        assert!(metrics.contains(&m), "{m} in /metrics");
    }
    let mut close = None;
    for _ in 0..50 {
        close = s
            .app
            .audit()
            .await
            .into_iter()
            .find(|e| e.action == "console.close");
        if close.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let close = close.expect("the end is audited");
    assert_eq!(close.actor, "tina");
    // 8 × (2 keys + 1 pointer) + 1 QEMU key + 1 paste.
    assert!(
        close
            .detail
            .contains("view-only: 26 input event(s) dropped"),
        "{}",
        close.detail
    );
}
