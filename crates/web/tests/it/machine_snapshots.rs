//! Snapshots through the portal on libvirt's test driver: the owner takes, reverts to and deletes
//! them, jobs run by the real engine; other actions wait; the template bounds them; a failed one
//! leaves nothing and says why.

use crate::app::TestApp;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use virt::{connect::Connect, domain::Domain};
use vmportal_core::{
    ids::MachineId,
    job::{JobOutcome, JobState},
    machine::{MachinePatch, MachineState},
    store::prelude::*,
    user::Role,
};

struct Running {
    app: TestApp,
    owner: Client,
    admin: Client,
    template: i64,
    machine: i64,
    domain: Domain,
    /// Keeps the test driver's state: it is shared only while a connection is open.
    _conn: Connect,
}

/// `alice`'s machine, built: the provision job cannot run on the test driver (it cannot upload
/// the seed), so it is ended by hand and the machine given a running test-driver guest.
async fn running_machine() -> Running {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let owner = app.signed_in("alice", Role::User).await;
    let template = app.template(&admin, "Debian 12").await;
    let request = app.request(&owner, template, "lab").await;
    let machine = app.approve(&admin, request).await;
    let now = vmportal_core::now();
    let job = app
        .store
        .claim_job("hand", now, now + time::Duration::minutes(1))
        .await
        .unwrap()
        .unwrap();
    app.store
        .finish_job(
            job.id,
            "hand",
            JobOutcome::Succeeded("built by the test".into()),
        )
        .await
        .unwrap();
    let conn = Connect::open(Some("test:///default")).unwrap();
    let name = format!(
        "snap-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let xml = format!(
        "<domain type='test'><name>{name}</name><memory>65536</memory><vcpu>1</vcpu>\
         <os><type>hvm</type></os></domain>"
    );
    let domain = conn.define_domain_xml(&xml).unwrap();
    domain.create().unwrap();
    let patch = MachinePatch {
        state: Some(MachineState::Running),
        external_id: Some(domain.uuid_string().unwrap()),
        ..Default::default()
    };
    app.store
        .update_machine(MachineId(machine), patch)
        .await
        .unwrap();
    Running {
        app,
        owner,
        admin,
        template,
        machine,
        domain,
        _conn: conn,
    }
}

impl Running {
    fn path(&self, rest: &str) -> String {
        format!("/api/v1/machines/{}{rest}", self.machine)
    }

    async fn snapshots(&self) -> Vec<Value> {
        let r = self.app.get(&self.owner, &self.path("/snapshots")).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    async fn take(&self, name: &str) -> reqwest::Response {
        let body = json!({"name": name, "description": "before the lab"});
        self.app
            .post(&self.owner, &self.path("/snapshots"), body)
            .await
    }

    async fn machine(&self) -> Value {
        let r = self.app.get(&self.owner, &self.path("")).await;
        r.json().await.unwrap()
    }

    fn on_libvirt(&self) -> Vec<String> {
        let list = self.domain.list_all_snapshots(0).unwrap();
        list.iter().map(|s| s.name().unwrap()).collect()
    }
}

#[tokio::test]
async fn an_owner_takes_reverts_to_and_deletes_a_snapshot_while_other_actions_wait() {
    let m = running_machine().await;
    let r = m.take("before_lab").await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let listed = m.snapshots().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "before_lab");
    assert_eq!(listed[0]["state"], "creating");

    // While the snapshot is being taken, the machine takes no other action, and says why.
    let r = m.app.post(&m.owner, &m.path("/stop"), json!({})).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let why: Value = r.json().await.unwrap();
    assert!(
        why["error"]["message"]
            .as_str()
            .unwrap()
            .contains("a snapshot of this machine is being taken"),
        "{why}"
    );
    assert_eq!(m.take("another").await.status(), StatusCode::CONFLICT);

    let job = m.app.run_next_job().await;
    assert_eq!(job.state, JobState::Succeeded, "{job:?}");
    assert_eq!(
        job.message,
        "snapshot 'before_lab' taken, with the machine's memory"
    );
    let listed = m.snapshots().await;
    assert_eq!(listed[0]["state"], "ready");
    assert_eq!(listed[0]["with_memory"], true);
    assert_eq!(listed[0]["description"], "before the lab");
    assert_eq!(m.on_libvirt(), ["before_lab"]);

    // The machine page lists it with its buttons.
    let page = m
        .app
        .get(&m.owner, &format!("/machines/{}", m.machine))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Snapshots"), "{page}");
    assert!(
        page.contains(&format!(
            "/machines/{}/snapshots/before_lab/revert",
            m.machine
        )),
        "{page}"
    );

    // Stopped since; the revert brings it back running, from the snapshot's memory.
    m.domain.destroy().unwrap();
    let stopped = MachinePatch {
        state: Some(MachineState::Stopped),
        ..Default::default()
    };
    m.app
        .store
        .update_machine(MachineId(m.machine), stopped)
        .await
        .unwrap();
    let r = m
        .app
        .post(&m.owner, &m.path("/snapshots/before_lab/revert"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let job = m.app.run_next_job().await;
    assert_eq!(job.state, JobState::Succeeded, "{job:?}");
    assert!(m.domain.is_active().unwrap());
    assert_eq!(m.machine().await["state"], "running");

    // An administrator deletes it.
    let r = m
        .admin
        .delete(m.app.url(&m.path("/snapshots/before_lab")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(m.snapshots().await[0]["state"], "deleting");
    let job = m.app.run_next_job().await;
    assert_eq!(job.state, JobState::Succeeded, "{job:?}");
    assert!(m.snapshots().await.is_empty());
    assert!(m.on_libvirt().is_empty());

    let audit = m.app.audit_actions().await;
    for action in ["snapshot.take", "snapshot.revert", "snapshot.delete"] {
        assert!(audit.iter().any(|a| a == action), "{action}: {audit:?}");
    }
}

#[tokio::test]
async fn a_snapshot_that_fails_on_the_hypervisor_leaves_nothing_and_says_why() {
    let m = running_machine().await;
    assert_eq!(m.take("doomed").await.status(), StatusCode::ACCEPTED);
    // The guest vanishes from the hypervisor before the job runs.
    m.domain.destroy().unwrap();
    m.domain.undefine().unwrap();
    let job = m.app.run_next_job().await;
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(
        job.error.as_deref(),
        Some("the machine does not exist on the hypervisor")
    );
    assert!(m.snapshots().await.is_empty(), "no half-made snapshot");
    // The administrator reads the detail; the owner a plain reason and the same error id.
    let r = m.app.get(&m.admin, &m.path("")).await;
    let detail: Value = r.json().await.unwrap();
    assert_eq!(
        detail["last_error"],
        "snapshot failed: the machine does not exist on the hypervisor"
    );
    let plain = m.machine().await;
    assert_eq!(plain["error_id"], detail["error_id"]);
    assert!(
        !plain["last_error"]
            .as_str()
            .unwrap()
            .contains("does not exist"),
        "{plain}"
    );
}

#[tokio::test]
async fn the_template_bounds_snapshots_and_names_are_checked() {
    let m = running_machine().await;
    let template = format!("/api/v1/templates/{}", m.template);
    let all: Value = m
        .app
        .get(&m.admin, "/api/v1/templates")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all[0]["max_snapshots"], 3, "the default of a new template");

    let r = m.take("Bad-Name").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(crate::app::invalid_fields(r).await, ["name"]);

    m.app
        .patch(&m.admin, &template, json!({"max_snapshots": 1}))
        .await;
    assert_eq!(m.take("one").await.status(), StatusCode::ACCEPTED);
    assert_eq!(m.app.run_next_job().await.state, JobState::Succeeded);
    let r = m.take("two").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let why: Value = r.json().await.unwrap();
    assert!(
        why["error"]["message"]
            .as_str()
            .unwrap()
            .contains("as many as its template allows"),
        "{why}"
    );

    m.app
        .patch(&m.admin, &template, json!({"max_snapshots": 2}))
        .await;
    let r = m.take("one").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(crate::app::invalid_fields(r).await, ["name"]);

    m.app
        .patch(&m.admin, &template, json!({"max_snapshots": 0}))
        .await;
    let r = m.take("three").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let why: Value = r.json().await.unwrap();
    assert_eq!(
        why["error"]["message"],
        "snapshots are disabled for this machine's template"
    );
    let r = m
        .app
        .patch(&m.admin, &template, json!({"max_snapshots": 21}))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
