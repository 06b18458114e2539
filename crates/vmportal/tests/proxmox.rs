//! The whole portal on the Proxmox VE provider, against the PVE simulator and a real sshd playing
//! the node: a user asks, an administrator approves, the machine runs with the owner's
//! credentials, its console opens through the portal without asking for a password, it shuts
//! down, starts, and is deleted; then the same under each fault the simulator can inject. No
//! request or answer may break the official API schema.

mod common;
mod pve_portal;

use common::portal::{console_at, console_read, console_version};
use futures_util::SinkExt;
use pve_portal::{ALICE_PASSWORD, Portal, Setting, USER_KEY};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const CLONED: Setting = Setting {
    kind: "container",
    source: "9000",
    provider: "",
};

/// The user-visible outcome of a good build: running, reachable, with the owner's own login.
async fn running_with_credentials(p: &Portal, id: i64, vmid: u32) {
    let m = p.wait_for(id, "running").await;
    assert_eq!(m["address"], "10.10.0.102", "{m}");
    let creds = p.credentials(id).await;
    assert_eq!(
        (
            creds["username"].as_str(),
            creds["host"].as_str(),
            creds["port"].as_i64()
        ),
        (Some("alice"), Some("10.10.0.102"), Some(22)),
        "{creds}"
    );
    let cluster = p.sim.cluster();
    let g = &cluster.guests[&vmid];
    assert!(g.running);
    assert_eq!(
        (g.config["cores"].as_str(), g.config["memory"].as_str()),
        ("2", "2048")
    );
    let exec = g.execs.last().expect("the owner's login was made over SSH");
    assert_eq!(exec.args[3..], ["sh", "alice", USER_KEY]);
    assert_eq!(
        exec.stdin,
        format!("{}\n", creds["password"].as_str().unwrap())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_vm_on_proxmox_from_request_to_deletion() {
    let p = Portal::start(Setting {
        kind: "vm",
        source: "9001",
        provider: "",
    })
    .await;
    let (_, providers) = p
        .call(&p.admin, reqwest::Method::GET, "/api/v1/providers", None)
        .await;
    assert_eq!(providers[0]["reachable"], true, "{providers}");
    let (id, _) = p.approved("thesis").await;
    p.wait_for(id, "running").await;
    let creds = p.credentials(id).await;
    assert_eq!(creds["username"], "alice", "{creds}");
    assert_eq!(creds["host"], "10.10.0.102", "{creds}");
    {
        let cluster = p.sim.cluster();
        let g = &cluster.guests[&100];
        assert_eq!(g.config["ciuser"], "alice");
        assert_eq!(g.config["cipassword"], creds["password"].as_str().unwrap());
        let drive = g
            .cloud_init_drive
            .as_ref()
            .expect("the cloud-init drive regenerated");
        assert_eq!(drive["cipassword"], creds["password"].as_str().unwrap());
    }
    console_shows_qemus_picture(&p, id).await;
    p.shutdown_start_delete(id, 100).await;
    p.no_violations();
}

/// The console: the portal answers the node's VNC authentication itself, so the browser is
/// offered security type None, then sees QEMU's picture.
async fn console_shows_qemus_picture(p: &Portal, id: i64) {
    let mut console = console_at(&p.addr, "alice", ALICE_PASSWORD, id).await;
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cloned_container_from_request_to_deletion() {
    let p = Portal::start(CLONED).await;
    let (id, _) = p.approved("thesis").await;
    running_with_credentials(&p, id, 100).await;
    assert_eq!(
        p.sim.cluster().guests[&100].config["rootfs"],
        "local-lvm:base-9000-disk-0/vm-100-disk-0,size=10G"
    );
    p.shutdown_start_delete(id, 100).await;
    p.no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_archive_container_gets_the_owners_own_login_over_ssh_too() {
    let p = Portal::start(Setting {
        kind: "container",
        source: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
        provider: "",
    })
    .await;
    let (id, _) = p.approved("thesis").await;
    running_with_credentials(&p, id, 100).await;
    p.shutdown_start_delete(id, 100).await;
    p.no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_containers_approved_at_once_from_one_template_take_turns_to_clone() {
    let p = Portal::start(CLONED).await;
    // Long enough clones that two at once would overlap and meet the template's lock.
    p.sim.cluster().faults.task_time = Duration::from_millis(700);
    let (a, job_a) = p.approved("first").await;
    let (b, job_b) = p.approved("second").await;
    for job in [job_a, job_b] {
        let j = p.job_done(job).await;
        assert_eq!(
            (j["state"].as_str(), j["attempts"].as_i64()),
            (Some("succeeded"), Some(1)),
            "built in one go, never refused by the lock: {j}"
        );
    }
    {
        let cluster = p.sim.cluster();
        let clones = cluster.tasks.iter().filter(|t| t.kind == "vzclone");
        assert_eq!(clones.count(), 2);
        assert!(!cluster.overlapping("vzclone"), "the clones overlapped");
    }
    p.wait_for(a, "running").await;
    p.wait_for(b, "running").await;
    p.no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_clone_fails_the_machine_with_the_task_log_and_leaves_nothing() {
    let p = Portal::start(CLONED).await;
    let why = "storage 'local-lvm' is full";
    p.sim.cluster().faults.fail_task = Some(("vzclone".into(), why.into()));
    let (id, _) = p.approved("thesis").await;
    p.wait_for(id, "failed").await;
    let m = p.machine_detail(id).await;
    let error = m["last_error"].as_str().unwrap();
    assert!(error.contains(&format!("TASK ERROR: {why}")), "{error}");
    assert_eq!(
        p.sim.cluster().guests.len(),
        2,
        "only the templates are left"
    );
    p.act(id, "delete").await;
    p.wait_for(id, "deleted").await;
    p.no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_template_locked_by_another_task_is_waited_for() {
    let p = Portal::start(CLONED).await;
    p.sim
        .cluster()
        .hold_lock(9000, "backup", Duration::from_secs(2));
    let (id, job) = p.approved("thesis").await;
    running_with_credentials(&p, id, 100).await;
    let messages = p.job_messages(job).await;
    assert!(
        messages.contains("will retry") && messages.contains("CT is locked (backup)"),
        "{messages}"
    );
    p.shutdown_start_delete(id, 100).await;
    p.no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tasks_slower_than_the_timeout_are_retried_to_the_end() {
    let p = Portal::start(Setting {
        provider: "task_timeout_secs = 1",
        ..CLONED
    })
    .await;
    p.sim.cluster().faults.task_time = Duration::from_millis(1500);
    let (id, job) = p.approved("thesis").await;
    running_with_credentials(&p, id, 100).await;
    let messages = p.job_messages(job).await;
    assert!(messages.contains("did not finish in time"), "{messages}");
    assert_eq!(
        p.sim
            .cluster()
            .tasks
            .iter()
            .filter(|t| t.kind == "vzclone")
            .count(),
        1,
        "a retry finds the clone instead of making another"
    );
    p.shutdown_start_delete(id, 100).await;
    p.no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_error_fails_one_action_which_the_owner_can_repeat() {
    let p = Portal::start(CLONED).await;
    let (id, _) = p.approved("thesis").await;
    running_with_credentials(&p, id, 100).await;
    p.sim.cluster().faults.errors_500 = 1;
    let job = p.act(id, "shutdown").await;
    let j = p.job_done(job).await;
    assert_eq!(j["state"], "failed", "{j}");
    let m = p.machine_detail(id).await;
    assert_eq!(m["state"], "running", "{m}");
    assert!(
        m["last_error"]
            .as_str()
            .unwrap()
            .contains("Proxmox VE answered 500: simulated server error"),
        "{m}"
    );
    p.shutdown_start_delete(id, 100).await;
    p.no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dropped_connections_are_retried() {
    let p = Portal::start(CLONED).await;
    // The portal's open connections are cut (a restarted pveproxy), and the next new one too.
    p.sim.cut_connections();
    p.sim
        .drop_connections
        .store(1, std::sync::atomic::Ordering::SeqCst);
    let (id, job) = p.approved("thesis").await;
    running_with_credentials(&p, id, 100).await;
    let messages = p.job_messages(job).await;
    assert!(messages.contains("cannot reach Proxmox VE"), "{messages}");
    let attempts = p.job_done(job).await["attempts"].as_i64().unwrap();
    assert!(attempts >= 2, "a failure, then the build: {attempts}");
    p.shutdown_start_delete(id, 100).await;
    p.no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_token_fails_the_build_with_its_reason_until_renewed() {
    let p = Portal::start(CLONED).await;
    p.sim.cluster().faults.token_expired = true;
    let (id, _) = p.approved("thesis").await;
    p.wait_for(id, "failed").await;
    let m = p.machine_detail(id).await;
    assert!(
        m["last_error"]
            .as_str()
            .unwrap()
            .contains("refused the API token or the sign-in (expired, revoked or wrong secret?)"),
        "{m}"
    );
    // Renewed: the failed machine is deleted and a new request builds.
    p.sim.cluster().faults.token_expired = false;
    p.act(id, "delete").await;
    p.wait_for(id, "deleted").await;
    let (id, _) = p.approved("again").await;
    running_with_credentials(&p, id, 100).await;
    p.shutdown_start_delete(id, 100).await;
    p.no_violations();
}

/// Issue 15, item 4: a QEMU template without a cloud-init drive would give VMs their owner cannot
/// sign in to (`PUT .../cloudinit` then does nothing); the administrator is told when saving it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_vm_template_without_a_cloud_init_drive_is_refused_with_why() {
    let p = Portal::start(Setting {
        kind: "vm",
        source: "9001",
        provider: "",
    })
    .await;
    let vm = [
        ("name", "no-cloud-init"),
        ("scsi0", "local-lvm:base-9003-disk-0,size=4G"),
    ];
    p.sim
        .cluster()
        .add_guest(9003, pve_sim::state::Kind::Qemu, "pve1", true, &vm);
    let template = serde_json::json!({"name": "Bare", "provider": "pve", "kind": "vm",
        "os_family": "linux", "source": "9003", "default_cpus": 1, "default_memory_mib": 1024,
        "default_disk_gib": 8, "max_cpus": 2, "max_memory_mib": 2048, "max_disk_gib": 20,
        "shutdown_timeout_secs": 30});
    let (status, body) = p
        .call(
            &p.admin,
            reqwest::Method::POST,
            "/api/v1/templates",
            Some(template),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let why = body.to_string();
    assert!(why.contains("\"source\""), "{why}");
    assert!(
        why.contains("QEMU template 9003 on pve1 has no cloud-init drive"),
        "{why}"
    );
    p.no_violations();
}

/// The owner's snapshot calls: (status, body).
async fn snapshot_call(
    p: &Portal,
    method: reqwest::Method,
    id: i64,
    rest: &str,
    body: Option<serde_json::Value>,
) -> (reqwest::StatusCode, serde_json::Value) {
    let path = format!("/api/v1/machines/{id}/snapshots{rest}");
    p.call(&p.user, method, &path, body).await
}

/// Queues a snapshot job and waits for it: the finished job.
async fn snapshot_job(
    p: &Portal,
    method: reqwest::Method,
    id: i64,
    rest: &str,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let (status, queued) = snapshot_call(p, method, id, rest, body).await;
    assert_eq!(status, reqwest::StatusCode::ACCEPTED, "{queued}");
    p.job_done(queued["job_id"].as_i64().unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_running_vm_is_snapshotted_with_its_memory_and_reverted_running() {
    use reqwest::Method;
    let p = Portal::start(Setting {
        kind: "vm",
        source: "9001",
        provider: "",
    })
    .await;
    let (id, _) = p.approved("lab").await;
    p.wait_for(id, "running").await;
    let take = serde_json::json!({"name": "before_lab", "description": "clean"});
    let j = snapshot_job(&p, Method::POST, id, "", Some(take)).await;
    assert_eq!(j["state"], "succeeded", "{j}");
    {
        let cluster = p.sim.cluster();
        let snaps = &cluster.guests[&100].snapshots;
        assert_eq!(snaps.len(), 1);
        assert!(snaps[0].vmstate, "a running QEMU guest's memory is saved");
        assert_eq!(snaps[0].description, "clean");
    }
    let (_, listed) = snapshot_call(&p, Method::GET, id, "", None).await;
    assert_eq!(listed[0]["with_memory"], true, "{listed}");

    p.act(id, "stop").await;
    p.wait_for(id, "stopped").await;
    let j = snapshot_job(&p, Method::POST, id, "/before_lab/revert", None).await;
    assert_eq!(j["state"], "succeeded", "{j}");
    assert_eq!(p.machine(id).await["state"], "running");
    assert!(p.sim.cluster().guests[&100].running);

    let j = snapshot_job(&p, Method::DELETE, id, "/before_lab", None).await;
    assert_eq!(j["state"], "succeeded", "{j}");
    assert!(p.sim.cluster().guests[&100].snapshots.is_empty());
    let (_, listed) = snapshot_call(&p, Method::GET, id, "", None).await;
    assert_eq!(listed, serde_json::json!([]));
    p.no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_container_snapshot_waits_for_a_backup_lock_blocks_other_actions_and_reverts_stopped() {
    use reqwest::{Method, StatusCode};
    let p = Portal::start(CLONED).await;
    let (id, _) = p.approved("thesis").await;
    p.wait_for(id, "running").await;
    // A backup holds the container's lock: the snapshot is refused until it ends, then made.
    p.sim
        .cluster()
        .hold_lock(100, "backup", Duration::from_secs(2));
    p.sim.cluster().faults.task_time = Duration::from_millis(1500);
    let take = serde_json::json!({"name": "first"});
    let (status, queued) = snapshot_call(&p, Method::POST, id, "", Some(take)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    let (status, why) = p
        .call(
            &p.user,
            Method::POST,
            &format!("/api/v1/machines/{id}/shutdown"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        why["error"]["message"],
        "a snapshot of this machine is being taken; try again when it is done"
    );
    let job = queued["job_id"].as_i64().unwrap();
    let j = p.job_done(job).await;
    assert_eq!(j["state"], "succeeded", "{j}");
    let messages = p.job_messages(job).await;
    assert!(messages.contains("CT is locked (backup)"), "{messages}");
    p.sim.cluster().faults.task_time = Duration::ZERO;
    {
        let cluster = p.sim.cluster();
        let snaps = &cluster.guests[&100].snapshots;
        assert_eq!(snaps.len(), 1);
        assert!(!snaps[0].vmstate, "a container's snapshot holds no memory");
    }
    // The server stops a running container before it rolls back; it stays stopped.
    let j = snapshot_job(&p, Method::POST, id, "/first/revert", None).await;
    assert_eq!(j["state"], "succeeded", "{j}");
    assert_eq!(p.machine(id).await["state"], "stopped");
    assert!(!p.sim.cluster().guests[&100].running);
    let j = snapshot_job(&p, Method::DELETE, id, "/first", None).await;
    assert_eq!(j["state"], "succeeded", "{j}");
    assert!(p.sim.cluster().guests[&100].snapshots.is_empty());
    p.no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_snapshot_failing_on_proxmox_leaves_nothing_and_says_why() {
    use reqwest::Method;
    let p = Portal::start(CLONED).await;
    let (id, _) = p.approved("thesis").await;
    p.wait_for(id, "running").await;
    let why = "snapshot feature is not available";
    p.sim.cluster().faults.fail_task = Some(("vzsnapshot".into(), why.into()));
    let take = serde_json::json!({"name": "doomed"});
    let (status, queued) = snapshot_call(&p, Method::POST, id, "", Some(take)).await;
    assert_eq!(status, reqwest::StatusCode::ACCEPTED, "{queued}");
    let job = queued["job_id"].as_i64().unwrap();
    let j = p.job_done(job).await;
    assert_eq!(j["state"], "failed", "{j}");
    // The owner reads a plain reason with an error id, the administrator the server's words.
    let plain = j["error"].as_str().unwrap();
    assert!(!plain.contains(why) && plain.contains("error E-"), "{j}");
    let path = format!("/api/v1/jobs/{job}");
    let (_, detail) = p.call(&p.admin, Method::GET, &path, None).await;
    assert!(detail["error"].as_str().unwrap().contains(why), "{detail}");
    let (_, listed) = snapshot_call(&p, Method::GET, id, "", None).await;
    assert_eq!(listed, serde_json::json!([]), "no half-made snapshot");
    assert!(p.sim.cluster().guests[&100].snapshots.is_empty());
    assert!(p.sim.cluster().guests[&100].lock.is_none());
    let m = p.machine_detail(id).await;
    assert!(
        m["last_error"]
            .as_str()
            .unwrap()
            .starts_with("snapshot failed:"),
        "{m}"
    );
    assert_eq!(m["state"], "running");
    assert_eq!(p.machine(id).await["error_id"], m["error_id"]);
    p.no_violations();
}
