//! The simulator seen from a plain HTTPS client: TLS, authentication, the schema check, and a
//! guest's life through tasks and locks.

use pve_sim::{Sim, TOKEN_ID, TOKEN_SECRET};
use reqwest::{Certificate, Client, Method};
use serde_json::Value;
use std::time::Duration;

fn client(sim: &Sim) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .tls_certs_only([Certificate::from_pem(sim.ca_pem.as_bytes()).unwrap()])
        .build()
        .unwrap()
}

async fn call(sim: &Sim, method: Method, path: &str, params: &[(&str, &str)]) -> (u16, Value) {
    let url = format!("{}/api2/json{path}", sim.url);
    let req = client(sim).request(method.clone(), url).header(
        "authorization",
        format!("PVEAPIToken={TOKEN_ID}={TOKEN_SECRET}"),
    );
    let req = if method == Method::GET || method == Method::DELETE {
        req.query(params)
    } else {
        req.form(params)
    };
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn wait(sim: &Sim, upid: &str) -> String {
    let path = format!("/nodes/pve1/tasks/{}/status", urlencode(upid));
    for _ in 0..100 {
        let (_, v) = call(sim, Method::GET, &path, &[]).await;
        if v["data"]["status"] == "stopped" {
            return v["data"]["exitstatus"].as_str().unwrap().to_string();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("task {upid} did not finish");
}

fn urlencode(s: &str) -> String {
    s.replace(':', "%3A")
        .replace('!', "%21")
        .replace('@', "%40")
}

#[tokio::test]
async fn tls_trusts_only_the_cluster_ca_and_the_token_is_required() {
    let sim = Sim::start().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let stranger = Client::builder().build().unwrap();
    let url = format!("{}/api2/json/version", sim.url);
    assert!(
        stranger.get(&url).send().await.is_err(),
        "a client without the CA must fail"
    );
    let anonymous = client(&sim).get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let (status, v) = call(&sim, Method::GET, "/version", &[]).await;
    assert_eq!((status, v["data"]["release"].as_str()), (200, Some("9.1")));
    assert_eq!(sim.fingerprint.len(), 32 * 3 - 1);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[tokio::test]
async fn bad_requests_get_per_field_errors_and_are_counted() {
    let sim = Sim::start().await;
    let (status, v) = call(
        &sim,
        Method::POST,
        "/nodes/pve1/lxc/9000/clone",
        &[("newid", "12"), ("hostname", "a")],
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        v["errors"]["newid"].as_str().unwrap().contains("minimum"),
        "{v}"
    );
    let (status, _) = call(&sim, Method::GET, "/nodes/pve1/nonsense", &[]).await;
    assert_eq!(status, 501);
    assert_eq!(sim.violations().len(), 2, "{:?}", sim.violations());
}

#[tokio::test]
async fn a_container_lives_through_tasks_and_locks() {
    let sim = Sim::start().await;
    let (_, v) = call(&sim, Method::GET, "/cluster/nextid", &[]).await;
    let id = v["data"].as_str().unwrap().to_string();
    let clone = [("newid", id.as_str()), ("hostname", "ct-1"), ("full", "0")];
    let (status, v) = call(&sim, Method::POST, "/nodes/pve1/lxc/9000/clone", &clone).await;
    assert_eq!(status, 200, "{v}");
    let upid = v["data"].as_str().unwrap().to_string();
    assert!(
        upid.starts_with("UPID:pve1:") && upid.ends_with(&format!(":vzclone:9000:{TOKEN_ID}:")),
        "{upid}"
    );
    // The template is locked while the clone runs.
    let other = [("newid", "555"), ("hostname", "ct-2")];
    let (status, v) = call(&sim, Method::POST, "/nodes/pve1/lxc/9000/clone", &other).await;
    assert_eq!(status, 500);
    assert_eq!(v["message"], "CT is locked (disk)\n");
    assert_eq!(wait(&sim, &upid).await, "OK");

    let base = format!("/nodes/pve1/lxc/{id}");
    let (status, _) = call(
        &sim,
        Method::PUT,
        &format!("{base}/config"),
        &[("cores", "2"), ("memory", "1024")],
    )
    .await;
    assert_eq!(status, 200);
    let (_, v) = call(&sim, Method::POST, &format!("{base}/status/start"), &[]).await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let (_, v) = call(&sim, Method::GET, &format!("{base}/interfaces"), &[]).await;
    assert_eq!(v["data"][1]["name"], "eth0");
    let (status, v) = call(&sim, Method::DELETE, &base, &[("purge", "1")]).await;
    assert_eq!(status, 500, "a running container cannot be destroyed: {v}");
    let (_, v) = call(
        &sim,
        Method::POST,
        &format!("{base}/status/shutdown"),
        &[("timeout", "10")],
    )
    .await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let (_, v) = call(
        &sim,
        Method::DELETE,
        &base,
        &[("purge", "1"), ("destroy-unreferenced-disks", "1")],
    )
    .await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let (status, v) = call(&sim, Method::GET, &format!("{base}/status/current"), &[]).await;
    assert_eq!(status, 500);
    assert!(v["message"].as_str().unwrap().contains("does not exist"));
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[tokio::test]
async fn a_failing_task_says_why_in_its_log() {
    let sim = Sim::start().await;
    sim.cluster().faults.fail_task = Some(("qmclone".into(), "storage 'local-lvm' is full".into()));
    let (_, v) = call(
        &sim,
        Method::POST,
        "/nodes/pve1/qemu/9001/clone",
        &[("newid", "120"), ("name", "vm-1")],
    )
    .await;
    let upid = v["data"].as_str().unwrap().to_string();
    assert_eq!(wait(&sim, &upid).await, "storage 'local-lvm' is full");
    let path = format!("/nodes/pve1/tasks/{}/log", urlencode(&upid));
    let (_, v) = call(
        &sim,
        Method::GET,
        &path,
        &[("start", "0"), ("limit", "100")],
    )
    .await;
    let lines: Vec<_> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["t"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines.last(),
        Some(&"TASK ERROR: storage 'local-lvm' is full")
    );
    assert!(
        !sim.cluster().guests.contains_key(&120),
        "a failed clone leaves nothing"
    );
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[tokio::test]
async fn every_simulated_answer_conforms_to_the_schema() {
    let sim = Sim::start().await;
    for path in [
        "/version",
        "/nodes",
        "/cluster/nextid",
        "/nodes/pve1/storage",
        "/nodes/pve1/lxc",
        "/nodes/pve1/qemu",
    ] {
        let (status, _) = call(&sim, Method::GET, path, &[]).await;
        assert_eq!(status, 200, "{path}");
    }
    let (_, v) = call(
        &sim,
        Method::POST,
        "/nodes/pve1/qemu/9001/clone",
        &[("newid", "130"), ("name", "vm-1")],
    )
    .await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let base = "/nodes/pve1/qemu/130";
    let cloud_init = [
        ("ciuser", "alice"),
        ("cipassword", "s3cret"),
        ("ipconfig0", "ip=dhcp"),
    ];
    assert_eq!(
        call(&sim, Method::PUT, &format!("{base}/config"), &cloud_init)
            .await
            .0,
        200
    );
    let (_, v) = call(
        &sim,
        Method::PUT,
        &format!("{base}/resize"),
        &[("disk", "scsi0"), ("size", "10G")],
    )
    .await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let (_, v) = call(&sim, Method::GET, &format!("{base}/config"), &[]).await;
    assert_eq!(
        v["data"]["scsi0"],
        "local-lvm:base-9001-disk-0/vm-130-disk-0,size=10G"
    );
    let (_, v) = call(&sim, Method::POST, &format!("{base}/status/start"), &[]).await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let (_, v) = call(
        &sim,
        Method::GET,
        &format!("{base}/agent/network-get-interfaces"),
        &[],
    )
    .await;
    assert_eq!(
        v["data"]["result"][1]["ip-addresses"][0]["ip-address"],
        "10.10.0.132"
    );
    let (_, v) = call(&sim, Method::GET, &format!("{base}/status/current"), &[]).await;
    assert_eq!(v["data"]["status"], "running");
    let (_, v) = call(
        &sim,
        Method::POST,
        &format!("{base}/vncproxy"),
        &[("websocket", "1")],
    )
    .await;
    assert!(v["data"]["ticket"].as_str().unwrap().starts_with("PVEVNC:"));
    for action in ["reboot", "stop"] {
        let (_, v) = call(&sim, Method::POST, &format!("{base}/status/{action}"), &[]).await;
        assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    }
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

/// Issue 15, item 10: no leniency the real server lacks.
#[tokio::test]
async fn resize_adds_and_never_shrinks_tasks_belong_to_their_node_and_stop_honours_locks() {
    let sim = Sim::start().await;
    let (_, v) = call(
        &sim,
        Method::POST,
        "/nodes/pve1/qemu/9001/clone",
        &[("newid", "130")],
    )
    .await;
    let upid = v["data"].as_str().unwrap().to_string();
    // A task is known to the node that runs it only.
    let elsewhere = format!("/nodes/pve2/tasks/{}/status", urlencode(&upid));
    let (status, v) = call(&sim, Method::GET, &elsewhere, &[]).await;
    assert_eq!(
        (status, v["message"].as_str().unwrap().trim()),
        (400, format!("no such task '{upid}'").as_str())
    );
    assert_eq!(wait(&sim, &upid).await, "OK");
    let base = "/nodes/pve1/qemu/130";
    let resize = |size: &'static str| [("disk", "scsi0"), ("size", size)];
    let (_, v) = call(&sim, Method::PUT, &format!("{base}/resize"), &resize("+4G")).await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let (_, v) = call(&sim, Method::GET, &format!("{base}/config"), &[]).await;
    assert_eq!(
        v["data"]["scsi0"],
        "local-lvm:base-9001-disk-0/vm-130-disk-0,size=8G"
    );
    let (status, v) = call(&sim, Method::PUT, &format!("{base}/resize"), &resize("6G")).await;
    assert_eq!(
        (status, v["message"].as_str().unwrap()),
        (500, "shrinking disks is not supported\n")
    );
    let (_, v) = call(&sim, Method::POST, &format!("{base}/status/start"), &[]).await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    sim.cluster().guests.get_mut(&130).unwrap().lock = Some("backup".into());
    let (status, v) = call(&sim, Method::POST, &format!("{base}/status/stop"), &[]).await;
    assert_eq!(
        (status, v["message"].as_str().unwrap()),
        (500, "VM is locked (backup)\n")
    );
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

/// Issue 15, item 1: `local` is each node's own; archives are where they were downloaded.
#[tokio::test]
async fn archives_are_per_node_on_local_storage_and_a_create_without_one_fails_its_task() {
    let sim = Sim::start().await;
    let alpine = "local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz";
    sim.cluster().add_archive("pve1", alpine);
    let content = |node: &str| format!("/nodes/{node}/storage/local/content");
    let (_, v) = call(
        &sim,
        Method::GET,
        &content("pve1"),
        &[("content", "vztmpl")],
    )
    .await;
    assert_eq!(v["data"].as_array().unwrap().len(), 2, "{v}");
    let (_, v) = call(
        &sim,
        Method::GET,
        &content("pve2"),
        &[("content", "vztmpl")],
    )
    .await;
    let volids: Vec<_> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["volid"].clone())
        .collect();
    assert_eq!(volids, [pve_sim::state::ARCHIVE]);
    let create = [
        ("vmid", "150"),
        ("ostemplate", alpine),
        ("hostname", "ct-1"),
    ];
    let (status, v) = call(&sim, Method::POST, "/nodes/pve2/lxc", &create).await;
    assert_eq!(status, 200, "{v}");
    let upid = v["data"].as_str().unwrap().to_string();
    let (_, s) = call(
        &sim,
        Method::GET,
        &format!("/nodes/pve2/tasks/{}/status", urlencode(&upid)),
        &[],
    )
    .await;
    assert_eq!(s["data"]["status"], "running");
    let path = format!("/nodes/pve2/tasks/{}/status", urlencode(&upid));
    for _ in 0..100 {
        let (_, s) = call(&sim, Method::GET, &path, &[]).await;
        if s["data"]["status"] == "stopped" {
            assert_eq!(
                s["data"]["exitstatus"],
                format!("can't find file '{alpine}'")
            );
            assert!(!sim.cluster().guests.contains_key(&150));
            assert!(sim.violations().is_empty(), "{:?}", sim.violations());
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the create task did not end");
}

#[tokio::test]
async fn lxc_clones_lock_their_template_and_move_only_off_shared_storage() {
    let sim = Sim::start().await;
    let clone = "/nodes/pve1/lxc/9000/clone";
    let refused =
        |(status, v): (u16, Value)| (status, v["message"].as_str().unwrap().trim().to_string());
    let r = call(
        &sim,
        Method::POST,
        clone,
        &[("newid", "140"), ("target", "pve2")],
    )
    .await;
    assert_eq!(
        refused(r),
        (
            500,
            "can't clone CT to node 'pve2' (CT uses local storage)".into()
        )
    );
    // A full clone to another node needs its target storage shared, whatever the source's.
    let full = [("newid", "140"), ("target", "pve2"), ("full", "1")];
    let r = call(
        &sim,
        Method::POST,
        clone,
        &[full.as_slice(), &[("storage", "local-lvm")]].concat(),
    )
    .await;
    assert_eq!(
        refused(r),
        (500, "can't clone to non-shared storage 'local-lvm'".into())
    );
    let r = call(
        &sim,
        Method::POST,
        clone,
        &[("newid", "140"), ("storage", "ceph")],
    )
    .await;
    assert_eq!(
        refused(r),
        (
            500,
            "parameter 'storage' not allowed for linked clones".into()
        )
    );
    let r = call(
        &sim,
        Method::POST,
        clone,
        &[("newid", "140"), ("pool", "staff")],
    )
    .await;
    assert_eq!(refused(r), (500, "pool 'staff' does not exist".into()));

    let (_, v) = call(
        &sim,
        Method::POST,
        clone,
        &[("newid", "140"), ("pool", "students")],
    )
    .await;
    let upid = v["data"].as_str().unwrap().to_string();
    assert!(upid.contains(":vzclone:9000:"), "{upid}");
    let r = call(&sim, Method::POST, clone, &[("newid", "141")]).await;
    assert_eq!(
        refused(r),
        (500, "CT is locked (disk)".into()),
        "one clone at a time"
    );
    assert_eq!(wait(&sim, &upid).await, "OK");
    let (_, v) = call(&sim, Method::GET, "/nodes/pve1/lxc/140/config", &[]).await;
    assert_eq!(
        v["data"]["rootfs"],
        "local-lvm:base-9000-disk-0/vm-140-disk-0,size=4G"
    );
    assert_eq!(sim.cluster().guests[&140].pool.as_deref(), Some("students"));

    let full = [("newid", "141"), ("full", "1"), ("storage", "ceph")];
    let (_, v) = call(&sim, Method::POST, clone, &full).await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let (_, v) = call(&sim, Method::GET, "/nodes/pve1/lxc/141/config", &[]).await;
    assert_eq!(v["data"]["rootfs"], "ceph:vm-141-disk-0,size=4G");
    let (_, v) = call(
        &sim,
        Method::GET,
        "/nodes/pve1/storage",
        &[("storage", "ceph")],
    )
    .await;
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    assert_eq!(v["data"][0]["shared"], 1);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

/// The consoles: `vncproxy`, then `vncwebsocket` checked as a node does, QEMU's VNC behind it.
mod console {
    use super::*;
    use futures_util::{SinkExt, StreamExt};
    use pve_sim::state::Kind;
    use std::sync::Arc;
    use tokio::net::TcpStream;
    use tokio_rustls::{TlsConnector, client::TlsStream};
    use tokio_tungstenite::{
        WebSocketStream, client_async,
        tungstenite::{
            Error, Message,
            client::IntoClientRequest,
            http::{HeaderName, HeaderValue},
            protocol::frame::{
                Frame,
                coding::{CloseCode, Data, OpCode},
            },
        },
    };

    type Ws = WebSocketStream<TlsStream<TcpStream>>;

    /// A running VM 150 on pve1 and what `vncproxy` answers for it: port, ticket, password.
    async fn proxy(sim: &Sim) -> (String, String, String) {
        if !sim.cluster().guests.contains_key(&150) {
            let mut cluster = sim.cluster();
            cluster.add_guest(150, Kind::Qemu, "pve1", false, &[("name", "vm-150")]);
            cluster.guests.get_mut(&150).unwrap().running = true;
        }
        let path = "/nodes/pve1/qemu/150/vncproxy";
        let (status, v) = call(sim, Method::POST, path, &[("websocket", "1")]).await;
        assert_eq!(status, 200, "{v}");
        let d = &v["data"];
        let password = d["password"].as_str().unwrap();
        assert!(
            password.len() == 8 && password.bytes().all(|b| (b'!'..=b'~').contains(&b)),
            "{password}"
        );
        (
            d["port"].as_u64().unwrap().to_string(),
            d["ticket"].as_str().unwrap().to_string(),
            password.to_string(),
        )
    }

    /// Opens the console websocket of VM 150 with these query parameters and headers (an empty
    /// value removes a header); the HTTP status when refused.
    async fn open(sim: &Sim, query: &[(&str, &str)], headers: &[(&str, &str)]) -> Result<Ws, u16> {
        let host = sim.url.trim_start_matches("https://");
        let url = format!(
            "wss://{host}/api2/json/nodes/pve1/qemu/150/vncwebsocket?{}",
            serde_urlencoded::to_string(query).unwrap()
        );
        let mut req = url.into_client_request().unwrap();
        let h = req.headers_mut();
        let token = format!("PVEAPIToken={TOKEN_ID}={TOKEN_SECRET}");
        h.insert("authorization", HeaderValue::from_str(&token).unwrap());
        h.insert("sec-websocket-protocol", HeaderValue::from_static("binary"));
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
            match *value {
                "" => h.remove(name),
                v => h.insert(name, HeaderValue::from_str(v).unwrap()),
            };
        }
        let mut roots = rustls::RootCertStore::empty();
        let ca = rustls::pki_types::pem::PemObject::from_pem_slice(sim.ca_pem.as_bytes());
        roots.add(ca.unwrap()).unwrap();
        let _ = rustls::crypto::ring::default_provider().install_default();
        let tls = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tcp = TcpStream::connect(host).await.unwrap();
        let name = "127.0.0.1".try_into().unwrap();
        let tls = TlsConnector::from(Arc::new(tls))
            .connect(name, tcp)
            .await
            .unwrap();
        match client_async(req, tls).await {
            Ok((ws, _)) => Ok(ws),
            Err(Error::Http(res)) => Err(res.status().as_u16()),
            Err(e) => panic!("{e}"),
        }
    }

    async fn next_binary(ws: &mut Ws) -> Vec<u8> {
        match ws.next().await {
            Some(Ok(Message::Binary(b))) => b.to_vec(),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_ticket_opens_its_proxy_once_in_time_and_qemu_asks_for_the_password() {
        let sim = Sim::start().await;
        let (port, ticket, _) = proxy(&sim).await;
        let forged = ticket.replace("PVEVNC:", "PVEVNC:0");
        assert_eq!(
            open(&sim, &[("port", &port), ("vncticket", &forged)], &[])
                .await
                .err(),
            Some(401)
        );
        assert_eq!(
            open(&sim, &[("port", "5999"), ("vncticket", &ticket)], &[])
                .await
                .err(),
            Some(500),
            "another port"
        );
        let no_token = [("authorization", "")];
        assert_eq!(
            open(&sim, &[("port", &port), ("vncticket", &ticket)], &no_token)
                .await
                .err(),
            Some(401)
        );
        let mut ws = open(&sim, &[("port", &port), ("vncticket", &ticket)], &[])
            .await
            .unwrap();
        // QEMU's own VNC server: RFB 3.8 offering VNC authentication only.
        let mut hello = next_binary(&mut ws).await;
        if hello.len() < 12 {
            hello.extend(next_binary(&mut ws).await);
        }
        assert_eq!(hello, b"RFB 003.008\n");
        ws.send(Message::binary(&b"RFB 003.008\n"[..]))
            .await
            .unwrap();
        assert_eq!(next_binary(&mut ws).await, [1, 2]);
        assert_eq!(
            open(&sim, &[("port", &port), ("vncticket", &ticket)], &[])
                .await
                .err(),
            Some(500),
            "used"
        );
        sim.cluster().faults.vnc_wait = Duration::ZERO;
        let (port, late, _) = proxy(&sim).await;
        assert_eq!(
            open(&sim, &[("port", &port), ("vncticket", &late)], &[])
                .await
                .err(),
            Some(500),
            "the proxy stopped waiting"
        );
        assert_eq!(sim.violations(), Vec::<String>::new());
    }

    #[tokio::test]
    async fn compression_and_fragments_are_refused_and_counted() {
        let sim = Sim::start().await;
        let (port, ticket, _) = proxy(&sim).await;
        let query = [("port", port.as_str()), ("vncticket", ticket.as_str())];
        let deflate = [("sec-websocket-extensions", "permessage-deflate")];
        assert_eq!(open(&sim, &query, &deflate).await.err(), Some(400));
        let text = [("sec-websocket-protocol", "")];
        assert_eq!(open(&sim, &query, &text).await.err(), Some(400));
        // Refused before the ticket was looked at: it still works.
        let mut ws = open(&sim, &query, &[]).await.unwrap();
        let first = Frame::message(&b"RFB 003"[..], OpCode::Data(Data::Binary), false);
        ws.send(Message::Frame(first)).await.unwrap();
        let code = loop {
            match ws.next().await {
                Some(Ok(Message::Close(frame))) => break frame.map(|f| f.code),
                Some(Ok(_)) => {}
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(code, Some(CloseCode::Protocol));
        let violations = sim.violations();
        assert_eq!(violations.len(), 3, "{violations:?}");
        assert!(
            violations[0].contains("extensions offered"),
            "{violations:?}"
        );
        assert!(violations[1].contains("'binary'"), "{violations:?}");
        assert!(
            violations[2].contains("a fragmented message"),
            "{violations:?}"
        );
    }
}

/// A ticket instead of a token: the cookie signs calls in, and any call but a GET also needs
/// the CSRF token.
#[tokio::test]
async fn a_ticket_signs_in_and_calls_other_than_get_need_the_csrf_token() {
    let sim = Sim::start().await;
    let url = |path: &str| format!("{}/api2/json{path}", sim.url);
    let login = [("username", pve_sim::USER), ("password", pve_sim::PASSWORD)];
    let res = client(&sim)
        .post(url("/access/ticket"))
        .form(&login)
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    let (ticket, csrf) = (
        v["data"]["ticket"].as_str().unwrap(),
        v["data"]["CSRFPreventionToken"].as_str().unwrap(),
    );
    assert!(ticket.starts_with("PVE:vmportal@pve:"), "{ticket}");
    let cookie = format!(
        "PVEAuthCookie={}",
        urlencode(ticket).replace('+', "%2B").replace('/', "%2F")
    );
    let res = client(&sim)
        .get(url("/version"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let start = url("/nodes/pve1/qemu/9001/clone");
    let form = [("newid", "170")];
    let res = client(&sim)
        .post(&start)
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "no CSRF token");
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["message"], "Permission denied - invalid csrf token\n");
    let res = client(&sim)
        .post(&start)
        .header("cookie", &cookie)
        .header("CSRFPreventionToken", csrf)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let wrong = [("username", pve_sim::USER), ("password", "guess")];
    let res = client(&sim)
        .post(url("/access/ticket"))
        .form(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[tokio::test]
async fn snapshots_follow_the_servers_rules() {
    let sim = Sim::start().await;
    let (_, v) = call(
        &sim,
        Method::POST,
        "/nodes/pve1/qemu/9001/clone",
        &[("newid", "140"), ("name", "vm-1")],
    )
    .await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let base = "/nodes/pve1/qemu/140";
    let (_, v) = call(&sim, Method::POST, &format!("{base}/status/start"), &[]).await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let snap = [("snapname", "s1"), ("vmstate", "1"), ("description", "d")];
    let (status, v) = call(&sim, Method::POST, &format!("{base}/snapshot"), &snap).await;
    assert_eq!(status, 200, "{v}");
    assert!(v["data"].as_str().unwrap().contains(":qmsnapshot:140:"));
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let (status, v) = call(&sim, Method::POST, &format!("{base}/snapshot"), &snap).await;
    assert_eq!(status, 500);
    assert_eq!(v["message"], "snapshot name 's1' already used\n");
    let reserved = [("snapname", "current")];
    let (status, _) = call(&sim, Method::POST, &format!("{base}/snapshot"), &reserved).await;
    assert_eq!(status, 500);
    let (_, v) = call(&sim, Method::GET, &format!("{base}/snapshot"), &[]).await;
    assert_eq!(v["data"][0]["name"], "s1");
    assert_eq!(v["data"][0]["vmstate"], 1);
    assert_eq!(v["data"][1]["name"], "current");
    assert_eq!(v["data"][1]["parent"], "s1");

    // Rollback stops the guest first; a snapshot with memory resumes it.
    let (_, v) = call(&sim, Method::POST, &format!("{base}/status/stop"), &[]).await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let (_, v) = call(
        &sim,
        Method::POST,
        &format!("{base}/snapshot/s1/rollback"),
        &[],
    )
    .await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    assert!(sim.cluster().guests[&140].running);

    // No snapshot while another lock is held.
    sim.cluster()
        .hold_lock(140, "backup", Duration::from_secs(5));
    let (status, v) = call(
        &sim,
        Method::POST,
        &format!("{base}/snapshot"),
        &[("snapname", "s2")],
    )
    .await;
    assert_eq!(status, 500);
    assert_eq!(v["message"], "VM is locked (backup)\n");

    let (_, v) = call(
        &sim,
        Method::DELETE,
        &format!("{base}/snapshot/s1"),
        &[("force", "1")],
    )
    .await;
    assert_eq!(wait(&sim, v["data"].as_str().unwrap()).await, "OK");
    let (status, v) = call(&sim, Method::DELETE, &format!("{base}/snapshot/s1"), &[]).await;
    assert_eq!(status, 500);
    assert_eq!(v["message"], "snapshot 's1' does not exist\n");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());

    // A container's snapshot has no memory: the schema knows no `vmstate` there.
    let (status, _) = call(
        &sim,
        Method::POST,
        "/nodes/pve1/lxc/9000/snapshot",
        &[("snapname", "s1"), ("vmstate", "1")],
    )
    .await;
    assert_eq!(status, 400);
}
