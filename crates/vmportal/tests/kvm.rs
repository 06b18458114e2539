//! The whole path on a real hypervisor: the binary, the real libvirtd on `qemu:///system`, QEMU
//! (KVM where the host has hardware KVM, TCG otherwise) booting the Debian base image built by
//! `scripts/base-volume.sh`, and SSH into the guest with the credentials the portal shows.
//! Needs root and the host prepared by `scripts/test` (libvirtd, the pool, the base image).
//!
//! One test, in phases, because the phases share one libvirtd and one of them stops it.

mod common;

use common::{Server, console_version, open_console, serve_with};
use futures_util::StreamExt;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};
use tokio_tungstenite::tungstenite::Message;

const URI: &str = "qemu:///system";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Success, and standard output followed by standard error.
fn sh(cmd: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// The last line a script prints on standard output.
fn last_stdout_line(script: &str) -> String {
    let out = Command::new(repo().join(script)).output().unwrap();
    assert!(
        out.status.success(),
        "{script} (needs root; scripts/test prepares the host): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn virsh(args: &[&str]) -> (bool, String) {
    let mut all = vec!["-q", "-c", URI];
    all.extend_from_slice(args);
    sh("virsh", &all)
}

/// Names this run's guests, so runs (and a failed run's remains) never meet.
fn prefix() -> String {
    format!("t{}", std::process::id())
}

/// Domains and pool volumes belonging to machine `id`.
fn leftovers(id: i64) -> Vec<String> {
    let prefix = format!("{}-{id}-", prefix());
    let (_, domains) = virsh(&["list", "--all", "--name"]);
    virsh(&["pool-refresh", "vmportal"]);
    let (_, volumes) = virsh(&["vol-list", "vmportal"]);
    domains
        .lines()
        .chain(volumes.lines())
        .map(str::trim)
        .filter(|l| l.starts_with(&prefix))
        .map(str::to_owned)
        .collect()
}

struct Portal {
    dir: PathBuf,
    server: Option<Server>,
    addr: String,
    admin: Client,
    user: Client,
    log: PathBuf,
}

impl Portal {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn call(
        &self,
        who: &Client,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = who.request(method, self.url(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    fn start(&mut self) -> Vec<String> {
        let config = self.dir.join("portal.toml");
        let (server, addr, lines) = serve_with(
            common::vmportal(&self.dir).args(["--config", config.to_str().unwrap()]),
            Some(&self.log),
        );
        (self.server, self.addr) = (Some(server), addr);
        lines
    }

    async fn login(&self, who: &Client, username: &str, password: &str) -> StatusCode {
        let body = json!({"username": username, "password": password});
        who.post(self.url("/api/v1/login"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
    }

    async fn machine(&self, id: i64) -> Value {
        self.call(
            &self.user,
            Method::GET,
            &format!("/api/v1/machines/{id}"),
            None,
        )
        .await
        .1
    }

    /// Polls the machine until `done` holds; fails with the machine and the log's tail otherwise.
    async fn wait(
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
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                let tail: Vec<_> = log.lines().rev().take(30).collect();
                panic!(
                    "machine {id} not {what} after {limit:?}: {m}\nlog:\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    async fn ask_and_approve(&self, template: i64, name: &str) -> (i64, i64) {
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

    async fn act(&self, id: i64, action: &str, want: &str, limit: Duration) -> Value {
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

    async fn delete(&self, id: i64) {
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

/// Logs in over SSH (through the loopback port forward) and runs `command`; retries while the
/// guest is still booting.
fn ssh(
    host: &str,
    port: i64,
    user: &str,
    password: &str,
    command: &str,
    limit: Duration,
) -> String {
    let start = Instant::now();
    loop {
        let port = port.to_string();
        let target = format!("{user}@{host}");
        let (ok, out) = sh(
            "sshpass",
            &[
                "-p",
                password,
                "ssh",
                "-p",
                &port,
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "ConnectTimeout=5",
                "-o",
                "LogLevel=ERROR",
                "-o",
                "PubkeyAuthentication=no",
                &target,
                command,
            ],
        );
        if ok {
            return out;
        }
        assert!(
            start.elapsed() < limit,
            "no SSH login to {target}:{port} within {limit:?}: {out}"
        );
        std::thread::sleep(Duration::from_secs(3));
    }
}

fn config(dir: &Path) -> String {
    format!(
        "[database]\nurl = \"sqlite://{d}/portal.db\"\n[secrets]\nkey_file = \"{d}/secret.key\"\n\
         [engine]\nworkers = 2\nlease_secs = 6\npoll_millis = 200\nretry_secs = 2\nreconcile_secs = 3\nguest_prefix = \"{p}\"\n\
         [[providers]]\nname = \"local\"\nkind = \"libvirt\"\nuri = \"{URI}\"\npool = \"vmportal\"\nboot_wait_secs = 300\n\
         network = {{ mode = \"user_forward\", first_port = 23000, last_port = 23099 }}\n",
        d = dir.display(),
        p = prefix()
    )
}

fn libvirtd_pid() -> Option<i32> {
    std::fs::read_to_string("/var/run/libvirtd.pid")
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_vm_from_request_to_deletion_and_through_faults() {
    let base = last_stdout_line("scripts/base-volume.sh");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    std::fs::write(dir.join("portal.toml"), config(&dir)).unwrap();
    // reqwest has no crypto provider of its own in this workspace (see the Proxmox provider).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = || Client::builder().cookie_store(true).build().unwrap();
    let mut p = Portal {
        log: dir.join("portal.log"),
        dir,
        server: None,
        addr: String::new(),
        admin: client(),
        user: client(),
    };
    let lines = p.start();
    let line = lines
        .iter()
        .find(|l| l.contains("created user 'admin'"))
        .expect("first-start admin");
    let admin_pw = line
        .split("password ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(p.login(&p.admin, "admin", &admin_pw).await, StatusCode::OK);
    let (s, _) = p
        .call(
            &p.admin,
            Method::POST,
            "/api/v1/users",
            Some(json!({"username": "alice", "password": "alice's long password"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        p.login(&p.user, "alice", "alice's long password").await,
        StatusCode::OK
    );
    // Alice's SSH key, which her machines receive.
    let key = p.dir.join("alice_key");
    assert!(
        sh(
            "ssh-keygen",
            &[
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                "alice@test",
                "-f",
                key.to_str().unwrap()
            ]
        )
        .0
    );
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let (s, _) = p
        .call(
            &p.user,
            Method::PUT,
            "/api/v1/me/ssh-key",
            Some(json!({"ssh_public_key": public.trim()})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, providers) = p
        .call(&p.admin, Method::GET, "/api/v1/providers", None)
        .await;
    assert_eq!(providers[0]["reachable"], true, "{providers}");
    let template = |name: &str, source: &str| {
        json!({"name": name, "provider": "local", "kind": "vm", "os_family": "linux", "source": source,
               "default_cpus": 1, "default_memory_mib": 768, "default_disk_gib": 3,
               "max_cpus": 2, "max_memory_mib": 2048, "max_disk_gib": 10, "shutdown_timeout_secs": 90})
    };
    let (_, t) = p
        .call(
            &p.admin,
            Method::POST,
            "/api/v1/templates",
            Some(template("Debian 12", &base)),
        )
        .await;
    let debian = t["id"].as_i64().unwrap();

    // 1. Request, approve, watch the job live, log in, shut down, start, log in again, delete.
    let begun = Instant::now();
    let (id, job) = p.ask_and_approve(debian, "e2e-one").await;
    let events = p
        .user
        .get(p.url(&format!("/api/v1/jobs/{job}/events")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        events.contains("creating the disk") && events.contains("event: done"),
        "{events}"
    );
    let m = p
        .wait(id, "running", Duration::from_secs(360), |m| {
            m["state"] == "running"
        })
        .await;
    println!(
        "approve to running with an address: {:?} ({})",
        begun.elapsed(),
        m["address"]
    );
    let (s, creds) = p
        .call(
            &p.user,
            Method::GET,
            &format!("/api/v1/machines/{id}/credentials"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{creds}");
    assert_eq!(
        (
            creds["username"].as_str(),
            creds["host"].as_str(),
            creds["protocol"].as_str()
        ),
        (Some("alice"), Some("127.0.0.1"), Some("ssh"))
    );
    let (host, port, pw) = (
        creds["host"].as_str().unwrap(),
        creds["port"].as_i64().unwrap(),
        creds["password"].as_str().unwrap(),
    );
    let out = ssh(
        host,
        port,
        "alice",
        pw,
        "hostname; id -un; sudo -n true && echo sudo-ok",
        Duration::from_secs(300),
    );
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["e2e-one", "alice", "sudo-ok"],
        "{out}"
    );
    println!("approve to SSH login: {:?}", begun.elapsed());
    let port_s = port.to_string();
    let (ok, out) = sh(
        "ssh",
        &[
            "-i",
            key.to_str().unwrap(),
            "-p",
            &port_s,
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "BatchMode=yes",
            "-o",
            "PasswordAuthentication=no",
            &format!("alice@{host}"),
            "id -un",
        ],
    );
    assert!(ok && out.trim() == "alice", "key login: {out}");
    // The console: QEMU's own VNC server through the portal's relay speaks RFB 3.8 and offers
    // "None" security (libvirt guests' VNC is on loopback, without a password).
    let mut console = open_console(&p.addr, "alice", "alice's long password", id).await;
    let types = console_version(&mut console).await;
    assert!(
        types[0] >= 1 && types[1..].contains(&1),
        "security types {types:?}"
    );
    // This console stays open across the shutdown below, which must close it.
    p.act(id, "shutdown", "stopped", Duration::from_secs(150))
        .await;
    let closed = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match console.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| f.reason.to_string()),
                Some(Ok(_)) => continue,
                other => panic!("no closing frame: {other:?}"),
            }
        }
    })
    .await
    .expect("the console closes when its machine stops");
    println!("console closed: {closed:?}");
    let (_, audit) = p.call(&p.admin, Method::GET, "/api/v1/audit", None).await;
    let audit = audit.to_string();
    for action in ["console.ticket", "console.open", "console.close"] {
        assert!(audit.contains(action), "{action} in the audit log");
    }
    assert!(
        virsh(&["domstate", &format!("{}-{id}-e2e-one", prefix())])
            .1
            .contains("shut off")
    );
    p.act(id, "start", "running", Duration::from_secs(120))
        .await;
    let out = ssh(
        host,
        port,
        "alice",
        pw,
        "cat /proc/uptime",
        Duration::from_secs(300),
    );
    assert!(
        out.split_whitespace()
            .next()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            < 600.0,
        "a fresh boot: {out}"
    );
    p.delete(id).await;

    // 2. A template whose base volume is missing: the build fails with a reason, leaves nothing.
    let (_, t) = p
        .call(
            &p.admin,
            Method::POST,
            "/api/v1/templates",
            Some(template("Broken", "no-such-base.qcow2")),
        )
        .await;
    let (id, _) = p
        .ask_and_approve(t["id"].as_i64().unwrap(), "e2e-broken")
        .await;
    let m = p
        .wait(id, "failed", Duration::from_secs(60), |m| {
            m["state"] == "failed"
        })
        .await;
    let why = m["last_error"].as_str().unwrap();
    assert!(
        why.contains("base volume 'no-such-base.qcow2' is not in the storage pool 'vmportal'"),
        "{why}"
    );
    assert!(leftovers(id).is_empty(), "{:?}", leftovers(id));
    p.delete(id).await;

    // 3. The portal killed (SIGKILL) mid-build: the next start resumes the job; one machine results.
    let (id, job) = p.ask_and_approve(debian, "e2e-killed").await;
    p.wait(id, "booting", Duration::from_secs(120), |m| {
        m["current_job"]["progress"].as_i64() >= Some(55)
    })
    .await;
    p.server.take().unwrap().kill();
    p.start();
    assert_eq!(
        p.login(&p.user, "alice", "alice's long password").await,
        StatusCode::OK,
        "sessions survive"
    );
    p.wait(
        id,
        "running after the restart",
        Duration::from_secs(360),
        |m| m["state"] == "running",
    )
    .await;
    assert_eq!(
        leftovers(id)
            .iter()
            .filter(|l| !l.ends_with(".qcow2") && !l.ends_with(".iso"))
            .count(),
        1,
        "one domain: {:?}",
        leftovers(id)
    );
    let (_, j) = p
        .call(&p.user, Method::GET, &format!("/api/v1/jobs/{job}"), None)
        .await;
    assert!(
        j["attempts"].as_i64() >= Some(2),
        "the job ran again after the kill: {j}"
    );

    // 4. A guest powered off behind the portal's back shows `stopped`; a stray guest is drift.
    assert!(virsh(&["destroy", &format!("{}-{id}-e2e-killed", prefix())]).0);
    p.wait(
        id,
        "stopped by reconciliation",
        Duration::from_secs(30),
        |m| m["state"] == "stopped",
    )
    .await;
    let ghost_name = format!("{}-9999-ghost", prefix());
    let ghost = format!(
        "<domain type='qemu'><name>{ghost_name}</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os></domain>"
    );
    std::fs::write(p.dir.join("ghost.xml"), ghost).unwrap();
    assert!(virsh(&["define", p.dir.join("ghost.xml").to_str().unwrap()]).0);
    tokio::time::sleep(Duration::from_secs(8)).await;
    let (_, drift) = p.call(&p.admin, Method::GET, "/api/v1/drift", None).await;
    virsh(&["undefine", &ghost_name]);
    assert!(
        drift
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "unknown" && d["name"] == ghost_name.as_str()),
        "{drift}"
    );
    p.delete(id).await;

    // 5. libvirtd down while a build runs: the job says why and retries; once libvirtd is back
    //    the machine is built, once.
    let pid = libvirtd_pid().expect("libvirtd started by scripts/libvirt-up.sh");
    assert!(sh("kill", &[&pid.to_string()]).0);
    while Path::new(&format!("/proc/{pid}")).exists() {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (id, job) = p.ask_and_approve(debian, "e2e-retried").await;
    let start = Instant::now();
    loop {
        let (_, j) = p
            .call(&p.user, Method::GET, &format!("/api/v1/jobs/{job}"), None)
            .await;
        if j["message"]
            .as_str()
            .is_some_and(|m| m.contains("will retry: cannot reach libvirt"))
        {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no retry reported: {j}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    last_stdout_line("scripts/libvirt-up.sh");
    p.wait(
        id,
        "running after libvirtd came back",
        Duration::from_secs(360),
        |m| m["state"] == "running",
    )
    .await;
    p.delete(id).await;
    p.server.take().unwrap().kill();
}
