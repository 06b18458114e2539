//! The whole path on a real hypervisor: the binary, the real libvirtd on `qemu:///system`, QEMU
//! (KVM where the host has hardware KVM, TCG otherwise) booting the Debian base image built by
//! `scripts/base-volume.sh`, and SSH into the guest with the credentials the portal shows.
//! Needs root and the host prepared by `scripts/test` (libvirtd, the pool, the base image).
//!
//! One test, in phases, because the phases share one libvirtd and one of them stops it.

mod common;

use common::{
    host::{GuestCleanup, last_stdout_line, leftovers, libvirt_config, prefix, sh, virsh},
    portal::{ALICE_PASSWORD, Portal, console_at, console_version},
};
use futures_util::StreamExt;
use reqwest::{Client, Method, StatusCode};
use serde_json::json;
use std::{
    path::Path,
    time::{Duration, Instant},
};
use tokio_tungstenite::tungstenite::Message;

/// How a test logs in to the guest.
enum Login<'a> {
    Password(&'a str),
    /// This private key only: password authentication off.
    Key(&'a Path),
}

/// Logs in over SSH (through the loopback port forward) and runs `command`; retries while the
/// guest is still booting (its sshd may also restart once as cloud-init finishes).
fn ssh(host: &str, port: i64, user: &str, login: Login, command: &str, limit: Duration) -> String {
    let start = Instant::now();
    let (port, target) = (port.to_string(), format!("{user}@{host}"));
    let common = [
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
    ];
    let (program, mut args) = match login {
        Login::Password(password) => (
            "sshpass",
            vec!["-p", password, "ssh", "-o", "PubkeyAuthentication=no"],
        ),
        Login::Key(key) => (
            "ssh",
            vec![
                "-i",
                key.to_str().unwrap(),
                "-o",
                "BatchMode=yes",
                "-o",
                "PasswordAuthentication=no",
            ],
        ),
    };
    args.extend(common);
    args.extend([target.as_str(), command]);
    loop {
        let (ok, out) = sh(program, &args);
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

/// Queues a job as the owner (a 202 with its id) and waits for its end: the finished job.
async fn job_done(
    p: &Portal,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let (s, queued) = p.call(&p.user, method, path, body).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{path}: {queued}");
    let path = format!("/api/v1/jobs/{}", queued["job_id"]);
    let start = Instant::now();
    loop {
        let (_, j) = p.call(&p.admin, Method::GET, &path, None).await;
        if j["state"] == "succeeded" || j["state"] == "failed" {
            return j;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "{path} never ended: {j}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
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
    let _cleanup = GuestCleanup;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    std::fs::write(
        dir.join("portal.toml"),
        libvirt_config(&dir, (23000, 23099)),
    )
    .unwrap();
    // reqwest has no crypto provider of its own in this workspace (see the Proxmox provider).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut p = Portal::new(dir, None, Client::builder);
    let started = p.start();
    p.first_users(&started).await;
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
    let debian = p.add_template("Debian 12", &base).await;

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
    let creds = p.credentials(id).await;
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
        Login::Password(pw),
        "hostname; id -un; sudo -n true && echo sudo-ok",
        Duration::from_secs(300),
    );
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["e2e-one", "alice", "sudo-ok"],
        "{out}"
    );
    println!("approve to SSH login: {:?}", begun.elapsed());
    let login = Login::Key(&key);
    let out = ssh(
        host,
        port,
        "alice",
        login,
        "id -un",
        Duration::from_secs(60),
    );
    assert_eq!(out.trim(), "alice", "key login: {out}");

    // Snapshots on the real guest (issue 13): a snapshot of the running guest holds its disk and
    // memory; a file changed after it is back as it was once the machine is reverted.
    let cat = "echo before > marker && sync && cat marker";
    let out = ssh(
        host,
        port,
        "alice",
        Login::Key(&key),
        cat,
        Duration::from_secs(60),
    );
    assert_eq!(out.trim(), "before", "{out}");
    let snapshots = format!("/api/v1/machines/{id}/snapshots");
    let take = json!({"name": "clean", "description": "before the change"});
    let asked = Instant::now();
    let j = job_done(&p, Method::POST, &snapshots, Some(take)).await;
    assert_eq!(j["state"], "succeeded", "{j}");
    println!("snapshot of the running guest: {:?}", asked.elapsed());
    let (_, listed) = p.call(&p.user, Method::GET, &snapshots, None).await;
    assert_eq!(
        (
            &listed[0]["name"],
            &listed[0]["with_memory"],
            &listed[0]["state"]
        ),
        (&json!("clean"), &json!(true), &json!("ready")),
        "{listed}"
    );
    let domain = format!("{}-{id}-e2e-one", prefix());
    assert_eq!(
        virsh(&["snapshot-list", &domain, "--name"]).1.trim(),
        "clean"
    );
    let change = "echo after > marker && sync && cat marker";
    let out = ssh(
        host,
        port,
        "alice",
        Login::Key(&key),
        change,
        Duration::from_secs(60),
    );
    assert_eq!(out.trim(), "after", "{out}");
    let asked = Instant::now();
    let j = job_done(&p, Method::POST, &format!("{snapshots}/clean/revert"), None).await;
    assert_eq!(j["state"], "succeeded", "{j}");
    println!("revert to it: {:?}", asked.elapsed());
    assert_eq!(p.machine(id).await["state"], "running");
    let out = ssh(
        host,
        port,
        "alice",
        Login::Key(&key),
        "cat marker",
        Duration::from_secs(120),
    );
    assert_eq!(
        out.trim(),
        "before",
        "the change after the snapshot is gone: {out}"
    );
    let j = job_done(&p, Method::DELETE, &format!("{snapshots}/clean"), None).await;
    assert_eq!(j["state"], "succeeded", "{j}");
    assert_eq!(virsh(&["snapshot-list", &domain, "--name"]).1.trim(), "");
    // The console: QEMU's own VNC server through the portal's relay speaks RFB 3.8 and offers
    // "None" security (libvirt guests' VNC is on loopback, without a password).
    let mut console = console_at(&p.addr, "alice", ALICE_PASSWORD, id).await;
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
        Login::Password(pw),
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
    // A guest that ignores the request to power off is stopped hard once the template's shutdown
    // timeout has passed. libvirt asks through the guest agent, else by the ACPI power button;
    // this image has no power-button handler (no logind without D-Bus), so without its agent it
    // ignores the request. One that obeys stops within seconds.
    let ignore = "sudo -n systemctl stop qemu-guest-agent && echo ignoring";
    let out = ssh(
        host,
        port,
        "alice",
        Login::Password(pw),
        ignore,
        Duration::from_secs(60),
    );
    assert_eq!(out.trim(), "ignoring", "{out}");
    let timeout = json!({"shutdown_timeout_secs": 20});
    let path = format!("/api/v1/templates/{debian}");
    let (s, t) = p.call(&p.admin, Method::PATCH, &path, Some(timeout)).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let asked = Instant::now();
    p.act(id, "shutdown", "stopped", Duration::from_secs(150))
        .await;
    let took = asked.elapsed();
    println!("shutdown of a guest that ignores the request: {took:?}");
    assert!(
        took >= Duration::from_secs(20),
        "stopped hard only after the timeout: {took:?}"
    );
    p.delete(id).await;

    // 2. A template whose base volume is missing: the build fails with a reason, leaves nothing.
    let broken = p.add_template("Broken", "no-such-base.qcow2").await;
    let (id, _) = p.ask_and_approve(broken, "e2e-broken").await;
    let m = p
        .wait(id, "failed", Duration::from_secs(60), |m| {
            m["state"] == "failed"
        })
        .await;
    assert!(m["error_id"].is_string(), "the owner gets an error id: {m}");
    let m = p.machine_detail(id).await;
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
        p.login(&p.user, "alice", ALICE_PASSWORD).await,
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
        // An administrator reads the hypervisor's words; the owner gets a plain reason.
        let (_, j) = p
            .call(&p.admin, Method::GET, &format!("/api/v1/jobs/{job}"), None)
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
