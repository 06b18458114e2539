//! The whole portal on the Proxmox VE provider, against the PVE simulator: a user asks, an
//! administrator approves, the VM runs with the owner's credentials, its console opens through
//! the portal without asking for a password, and it is deleted; no request or answer breaks the
//! official API schema.

mod common;

use common::{
    portal::{console_at, console_read, console_version},
    serve_with, vmportal,
};
use futures_util::SinkExt;
use pve_sim::{Sim, TOKEN_ID, TOKEN_SECRET};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

struct Portal {
    addr: String,
}

impl Portal {
    async fn call(
        &self,
        who: &Client,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = who.request(method, format!("http://{}{path}", self.addr));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn wait_for(&self, who: &Client, id: i64, state: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (_, m) = self
                .call(who, Method::GET, &format!("/api/v1/machines/{id}"), None)
                .await;
            if m["state"] == state {
                return m;
            }
            assert!(
                Instant::now() < deadline,
                "machine {id} never became {state}: {m}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_vm_on_proxmox_from_request_to_deletion() {
    let sim = Sim::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().display();
    std::fs::write(tmp.path().join("ca.pem"), &sim.ca_pem).unwrap();
    let config = format!(
        "[database]\nurl = \"sqlite://{d}/portal.db\"\n[secrets]\nkey_file = \"{d}/secret.key\"\n\
         [engine]\nworkers = 2\npoll_millis = 100\nretry_secs = 1\nguest_prefix = \"pvt\"\n\
         [[providers]]\nname = \"pve\"\nkind = \"proxmox\"\nurl = \"{url}\"\ntoken_id = \"{TOKEN_ID}\"\n\
         token_secret = \"{TOKEN_SECRET}\"\nca_file = \"{d}/ca.pem\"\nnodes = [\"pve1\"]\nstorage = \"local-lvm\"\n\
         boot_wait_secs = 10\n",
        url = sim.url
    );
    std::fs::write(tmp.path().join("portal.toml"), config).unwrap();
    let dir = tmp.path().to_path_buf();
    let (server, addr, lines) = tokio::task::spawn_blocking(move || {
        serve_with(vmportal(&dir).args(["--config", "portal.toml"]), None)
    })
    .await
    .unwrap();
    let admin_pw = lines
        .iter()
        .find_map(|l| l.split("with password ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("first-start admin password")
        .to_string();
    let p = Portal { addr };
    // reqwest has no crypto provider of its own in this workspace.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = || Client::builder().cookie_store(true).build().unwrap();
    let (admin, user) = (client(), client());
    let login = |name: &str, pw: &str| Some(json!({"username": name, "password": pw}));
    let (status, _) = p
        .call(
            &admin,
            Method::POST,
            "/api/v1/login",
            login("admin", &admin_pw),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let alice = json!({"username": "alice", "password": "alice's long password"});
    assert_eq!(
        p.call(&admin, Method::POST, "/api/v1/users", Some(alice))
            .await
            .0,
        StatusCode::CREATED
    );
    let (status, _) = p
        .call(
            &user,
            Method::POST,
            "/api/v1/login",
            login("alice", "alice's long password"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, providers) = p.call(&admin, Method::GET, "/api/v1/providers", None).await;
    assert_eq!(providers[0]["reachable"], true, "{providers}");
    let template = json!({"name": "Debian 12 (PVE)", "provider": "pve", "kind": "vm", "os_family": "linux",
        "source": "9001", "default_cpus": 1, "default_memory_mib": 1024, "default_disk_gib": 8,
        "max_cpus": 2, "max_memory_mib": 2048, "max_disk_gib": 20, "shutdown_timeout_secs": 30});
    let (status, t) = p
        .call(&admin, Method::POST, "/api/v1/templates", Some(template))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    let ask = json!({"template_id": t["id"], "name": "thesis", "cpus": 2, "memory_mib": 2048,
                     "disk_gib": 10, "purpose": "thesis"});
    let (status, r) = p
        .call(&user, Method::POST, "/api/v1/requests", Some(ask))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    let (status, a) = p
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/requests/{}/approve", r["id"]),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{a}");
    let id = a["machine_id"].as_i64().unwrap();

    let started = Instant::now();
    p.wait_for(&user, id, "running").await;
    println!(
        "approve to running on the simulator: {:?}",
        started.elapsed()
    );
    let (_, creds) = p
        .call(
            &user,
            Method::GET,
            &format!("/api/v1/machines/{id}/credentials"),
            None,
        )
        .await;
    assert_eq!(creds["username"], "alice", "{creds}");
    assert_eq!(creds["host"], "10.10.0.102", "{creds}");
    {
        let cluster = sim.cluster();
        let g = &cluster.guests[&100];
        assert!(g.running);
        assert_eq!(g.config["ciuser"], "alice");
        assert_eq!(g.config["cipassword"], creds["password"].as_str().unwrap());
        assert_eq!(
            (g.config["cores"].as_str(), g.config["memory"].as_str()),
            ("2", "2048")
        );
    }

    // The console: the portal answers the node's VNC authentication itself, so the browser is
    // offered security type None, then sees QEMU's picture.
    let mut console = console_at(&p.addr, "alice", "alice's long password", id).await;
    assert_eq!(console_version(&mut console).await, [1, 1]);
    console.send(Message::binary(vec![1])).await.unwrap();
    assert_eq!(console_read(&mut console, 4).await, [0, 0, 0, 0]);
    console.send(Message::binary(vec![1])).await.unwrap();
    let init = console_read(&mut console, 28).await;
    assert_eq!(&init[20..], b"\0\0\0\x04QEMU", "the server's name");
    let (w, h) = (&init[0..2], &init[2..4]);
    let update_request = [&[3, 0, 0, 0, 0, 0][..], w, h].concat();
    for message in [vec![2, 0, 0, 1, 0, 0, 0, 0], update_request] {
        console.send(Message::binary(message)).await.unwrap();
    }
    let mut update = console_read(&mut console, 16).await;
    let size = |b: &[u8]| usize::from(u16::from_be_bytes([b[0], b[1]]));
    let need = 16 + size(&update[8..]) * size(&update[10..]) * 4;
    if update.len() < need {
        update.extend(console_read(&mut console, need - update.len()).await);
    }
    let lit = update[16..]
        .chunks(4)
        .filter(|p| p[..3] != [0, 0, 0])
        .count();
    assert!(lit > 100, "{lit} pixels drawn");
    drop(console);

    let (status, _) = p
        .call(
            &user,
            Method::DELETE,
            &format!("/api/v1/machines/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    p.wait_for(&user, id, "deleted").await;
    assert!(
        !sim.cluster().guests.contains_key(&100),
        "the guest is gone from the cluster"
    );
    assert_eq!(sim.violations(), Vec::<String>::new());
    server.kill();
}
