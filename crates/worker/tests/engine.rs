//! The engine against the real store (SQLite and PostgreSQL) and the libvirt provider: an unreachable libvirt for
//! transient failures, libvirt's in-memory test driver for permanent ones. (Building machines for
//! real is proven in `crates/vmportal/tests/kvm.rs`.)

use std::sync::Arc;
use vmportal_core::{
    audit::Actor,
    clock::SystemClock,
    hypervisor::Registry,
    ids::MachineId,
    job::{JobKind, JobState},
    machine::MachineState,
    names::{Hostname, Username},
    now,
    quota::Quota,
    request::NewRequest,
    resources::Resources,
    secret::SecretKey,
    store::prelude::*,
    template::{MachineKind, OsFamily, TemplateSpec},
    user::{NewUser, Role, UserSource},
};
use vmportal_libvirt::{LibvirtConfig, LibvirtHypervisor};
use vmportal_test_postgres::{Backend, TestStore, on_both_backends};
use vmportal_worker::{Engine, EngineConfig};

on_both_backends!(
    an_unreachable_hypervisor_is_retried_then_given_up_with_the_reason,
    a_permanent_failure_fails_the_machine_at_once_and_it_can_still_be_deleted,
    a_job_whose_worker_died_is_claimed_again_and_jobs_of_a_machine_run_in_order,
);

struct World {
    store: Arc<dyn Store>,
    engine: Arc<Engine>,
    _db: TestStore,
}

async fn world(backend: Backend, uri: &str, max_attempts: i64) -> World {
    let db = TestStore::open(backend).await;
    let store = db.store.clone();
    let mut providers = Registry::default();
    let uri = uri.into();
    let cfg = LibvirtConfig {
        uri,
        ..LibvirtConfig::test_driver()
    };
    providers.insert("local", Arc::new(LibvirtHypervisor::new(cfg)));
    let cfg = EngineConfig {
        max_attempts,
        retry_secs: 0,
        // The test driver's guests are shared by the process: each backend names its own.
        guest_prefix: match backend {
            Backend::Sqlite => "eng",
            Backend::Postgres => "pgeng",
        }
        .into(),
        ..EngineConfig::default()
    };
    let engine = Engine::new(
        store.clone(),
        providers,
        SecretKey::generate(),
        cfg,
        Arc::new(SystemClock),
    );
    World {
        store,
        engine,
        _db: db,
    }
}

/// An approved request: a machine in `provisioning` with its queued provision job.
async fn approved(store: &dyn Store, name: &str) -> MachineId {
    let by = Actor::system("test");
    let user = match store.user_for_login("alice").await.unwrap() {
        Some((u, _)) => u,
        None => store
            .create_user(
                NewUser {
                    username: Username::parse("username", "alice").unwrap(),
                    display_name: "Alice".into(),
                    email: None,
                    role: Role::User,
                    source: UserSource::Local,
                    password_hash: None,
                    must_change_password: false,
                },
                &by,
            )
            .await
            .unwrap(),
    };
    let r = Resources {
        cpus: 1,
        memory_mib: 512,
        disk_gib: 2,
    };
    let template = match store.templates().await.unwrap().pop() {
        Some(t) => t,
        None => store
            .create_template(
                TemplateSpec {
                    name: "Debian".into(),
                    description: String::new(),
                    provider: "local".into(),
                    kind: MachineKind::Vm,
                    os_family: OsFamily::Linux,
                    source: "missing-base.qcow2".into(),
                    defaults: r,
                    limits: r,
                    shutdown_timeout_secs: 5,
                    locale: None,
                    max_snapshots: 3,
                    enabled: true,
                    lease: Default::default(),
                },
                &by,
            )
            .await
            .unwrap(),
    };
    let new = NewRequest {
        user_id: user.id,
        template_id: template.id,
        name: Hostname::parse("name", name).unwrap(),
        resources: r,
        purpose: "test".into(),
        course_id: None,
    };
    let quota = Quota {
        machines: 10,
        cpus: 10,
        memory_mib: 10_000,
        disk_gib: 100,
    };
    let request = store.create_request(new, quota, &by).await.unwrap();
    store
        .approve_request(request.id, &by)
        .await
        .unwrap()
        .machine
        .id
}

/// Claims the next job as `worker` and runs one attempt of it.
async fn run_next(w: &World, worker: &str) -> bool {
    let lease = now() + time::Duration::seconds(30);
    match w.store.claim_job(worker, now(), lease).await.unwrap() {
        Some(job) => {
            w.engine.run(worker, job).await;
            true
        }
        None => false,
    }
}

async fn an_unreachable_hypervisor_is_retried_then_given_up_with_the_reason(backend: Backend) {
    let w = world(backend, "qemu+tcp://127.0.0.1:9/system", 2).await;
    let id = approved(&*w.store, "web").await;
    assert!(run_next(&w, "w1").await);
    let m = w.store.machine(id).await.unwrap().unwrap();
    let job = m.current_job.unwrap();
    assert_eq!(job.state, JobState::Queued, "retried, not failed");
    assert!(
        job.message.starts_with("will retry: cannot reach libvirt"),
        "{}",
        job.message
    );
    assert_eq!(m.state, MachineState::Provisioning);

    assert!(
        run_next(&w, "w1").await,
        "due again at once (retry_secs = 0)"
    );
    let m = w.store.machine(id).await.unwrap().unwrap();
    assert_eq!(m.state, MachineState::Failed, "given up after max_attempts");
    assert!(
        m.last_error
            .unwrap()
            .contains("provision failed: cannot reach libvirt")
    );
    let job = w
        .store
        .job(m.current_job.unwrap().id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Failed, 2));
    assert!(!run_next(&w, "w1").await, "nothing left to do");
}

async fn a_permanent_failure_fails_the_machine_at_once_and_it_can_still_be_deleted(
    backend: Backend,
) {
    let w = world(backend, "test:///default", 5).await;
    let id = approved(&*w.store, "db").await;
    assert!(run_next(&w, "w1").await);
    let m = w.store.machine(id).await.unwrap().unwrap();
    assert_eq!(m.state, MachineState::Failed);
    assert!(
        m.last_error
            .as_deref()
            .unwrap()
            .contains("base volume 'missing-base.qcow2'"),
        "{:?}",
        m.last_error
    );
    assert!(
        w.store.machine_secret(id).await.unwrap().is_some(),
        "the password was sealed before the first attempt"
    );

    w.store
        .enqueue_job(id, JobKind::Delete, &Actor::system("test"))
        .await
        .unwrap();
    assert!(run_next(&w, "w1").await);
    assert_eq!(
        w.store.machine(id).await.unwrap().unwrap().state,
        MachineState::Deleted
    );
}

async fn a_job_whose_worker_died_is_claimed_again_and_jobs_of_a_machine_run_in_order(
    backend: Backend,
) {
    let w = world(backend, "test:///default", 5).await;
    let id = approved(&*w.store, "app").await;
    // Worker "dead" claims the provision job with a lease that has already run out.
    let gone = now() - time::Duration::seconds(1);
    let first = w
        .store
        .claim_job("dead", now(), gone)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.attempts, 1);
    // A delete queued meanwhile waits behind the provision job of the same machine.
    w.store
        .enqueue_job(id, JobKind::Delete, &Actor::system("test"))
        .await
        .unwrap();
    let again = w
        .store
        .claim_job("alive", now(), now() + time::Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (again.id, again.attempts, again.kind),
        (first.id, 2, JobKind::Provision)
    );
    assert!(
        !w.store.renew_lease(first.id, "dead", now()).await.unwrap(),
        "the dead worker lost its lease"
    );
    assert!(
        w.store
            .claim_job("other", now(), now() + time::Duration::seconds(30))
            .await
            .unwrap()
            .is_none(),
        "the delete waits"
    );
    w.engine.run("alive", again).await;
    assert!(run_next(&w, "alive").await, "now the delete runs");
    assert_eq!(
        w.store.machine(id).await.unwrap().unwrap().state,
        MachineState::Deleted
    );
}
