//! The lease sweep and its expiry jobs, with a test clock (days pass in no time) against the real
//! SQLite store and libvirt's in-memory test driver, where each machine is a real test domain.

use std::sync::Arc;
use time::Duration;
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    clock::{Clock, TestClock},
    hypervisor::Registry,
    ids::MachineId,
    job::{JobCause, JobKind, JobOutcome, JobState},
    lease::{ExpiryAction, LeasePolicy, NoticeKind},
    machine::{MachinePatch, MachineState},
    names::{Hostname, Username},
    quota::Quota,
    request::NewRequest,
    resources::Resources,
    secret::SecretKey,
    store::{AuditQuery, MAX_PER_PAGE, Page, prelude::*},
    template::{MachineKind, OsFamily, TemplateSpec},
    user::{NewUser, Role, UserSource},
};
use vmportal_libvirt::{LibvirtConfig, LibvirtHypervisor};
use vmportal_test_postgres::{Backend, TestStore, on_both_backends};
use vmportal_worker::{Engine, EngineConfig};

on_both_backends!(
    warnings_come_at_the_configured_points_once_each,
    an_idle_machine_is_shut_down_and_one_with_a_console_open_is_not,
    an_expired_machine_is_stopped_and_deleted_only_after_the_grace_period,
    a_stop_lease_without_grace_keeps_the_machine_stopped,
    a_lease_extended_while_its_expiry_job_waits_leaves_the_machine_alone,
    a_busy_machine_is_retried_on_a_later_sweep,
    a_portal_killed_mid_cleanup_resumes_with_nothing_done_twice,
);

struct World {
    store: Arc<dyn Store>,
    clock: Arc<TestClock>,
    engine: Arc<Engine>,
    /// Keeps the test driver's state alive between the provider's own connections.
    conn: virt::connect::Connect,
    prefix: &'static str,
    _db: TestStore,
}

fn prefix(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "lease",
        Backend::Postgres => "pglease",
    }
}

fn engine(store: &Arc<dyn Store>, clock: &Arc<TestClock>, prefix: &str) -> Arc<Engine> {
    let mut providers = Registry::default();
    providers.insert(
        "local",
        Arc::new(LibvirtHypervisor::new(LibvirtConfig::test_driver())),
    );
    let cfg = EngineConfig {
        retry_secs: 0,
        guest_prefix: prefix.into(),
        ..EngineConfig::default()
    };
    Engine::new(
        store.clone(),
        providers,
        SecretKey::generate(),
        cfg,
        clock.clone(),
    )
}

async fn world(backend: Backend, action: ExpiryAction, grace_days: Option<i64>) -> World {
    world_with(backend, action, grace_days, None).await
}

async fn world_with(
    backend: Backend,
    action: ExpiryAction,
    grace_days: Option<i64>,
    idle_stop_minutes: Option<i64>,
) -> World {
    let db = TestStore::open(backend).await;
    let store = db.store.clone();
    let by = Actor::system("test");
    let r = Resources {
        cpus: 1,
        memory_mib: 512,
        disk_gib: 2,
    };
    store
        .create_template(
            TemplateSpec {
                name: "Course VM".into(),
                description: String::new(),
                provider: "local".into(),
                kind: MachineKind::Vm,
                os_family: OsFamily::Linux,
                source: "base.qcow2".into(),
                defaults: r,
                limits: r,
                shutdown_timeout_secs: 5,
                max_snapshots: 0,
                locale: None,
                enabled: true,
                lease: LeasePolicy {
                    lease_days: Some(30),
                    max_lease_days: Some(90),
                    extend_days: 14,
                    expiry_action: action,
                    grace_days,
                    idle_stop_minutes,
                },
            },
            &by,
        )
        .await
        .unwrap();
    store
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
        .unwrap();
    let clock = Arc::new(TestClock::new());
    // The test driver's guests are shared by the process: each backend names its own.
    let prefix = prefix(backend);
    let engine = engine(&store, &clock, prefix);
    let conn = virt::connect::Connect::open(Some("test:///default")).unwrap();
    World {
        store,
        clock,
        engine,
        conn,
        prefix,
        _db: db,
    }
}

impl World {
    /// An approved machine, built: running on a test domain of its own.
    async fn running(&self, name: &str) -> MachineId {
        let by = Actor::system("test");
        let user = self.store.user_for_login("alice").await.unwrap().unwrap().0;
        let template = self.store.templates().await.unwrap().pop().unwrap();
        let new = NewRequest {
            user_id: user.id,
            template_id: template.id,
            name: Hostname::parse("name", name).unwrap(),
            resources: template.defaults,
            purpose: "course".into(),
            course_id: None,
        };
        let quota = Quota {
            machines: 10,
            cpus: 10,
            memory_mib: 10_000,
            disk_gib: 100,
        };
        let request = self.store.create_request(new, quota, &by).await.unwrap();
        let approval = self.store.approve_request(request.id, &by).await.unwrap();
        // The build itself is proven in kvm.rs; here the provision job ends as a build would. The
        // store queued it at the real time, which may be a second past the test clock's.
        let at = vmportal_core::now();
        let job = self
            .store
            .claim_job("builder", at, at + Duration::minutes(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.id, approval.job.id);
        let guest = format!("{}-{}-{name}", self.prefix, approval.machine.id);
        let xml = format!(
            "<domain type='test'><name>{guest}</name><memory unit='MiB'>64</memory>\
             <os><type arch='x86_64'>hvm</type></os></domain>"
        );
        let dom = self.conn.define_domain_xml(&xml).unwrap();
        dom.create().unwrap();
        let patch = MachinePatch {
            state: Some(MachineState::Running),
            external_id: Some(dom.uuid_string().unwrap()),
            ..Default::default()
        };
        self.store
            .update_machine(approval.machine.id, patch)
            .await
            .unwrap();
        self.store
            .finish_job(job.id, "builder", JobOutcome::Succeeded("built".into()))
            .await
            .unwrap();
        approval.machine.id
    }

    async fn machine(&self, id: MachineId) -> vmportal_core::machine::Machine {
        self.store.machine(id).await.unwrap().unwrap()
    }

    /// Claims the next job as `worker` and runs one attempt of it.
    async fn run_next(&self, worker: &str) -> Option<vmportal_core::job::Job> {
        let now = self.clock.now();
        let job = self
            .store
            .claim_job(worker, now, now + Duration::seconds(30))
            .await
            .unwrap()?;
        self.engine.run(worker, job.clone()).await;
        Some(self.store.job(job.id).await.unwrap().unwrap())
    }

    fn domain_active(&self, id: &str) -> Option<bool> {
        self.conn
            .lookup_domain_by_uuid_string(id)
            .ok()
            .map(|d| d.is_active().unwrap())
    }

    /// How often the sweep queued an expiry action on the machine.
    async fn lease_actions(&self, id: MachineId) -> usize {
        let query = AuditQuery {
            page: Page::new(None, Some(MAX_PER_PAGE)).unwrap(),
            ..AuditQuery::default()
        };
        let events = self.store.audit(&query).await.unwrap().items;
        events
            .iter()
            .filter(|e| e.action == action::LEASE_ACTION && e.object_id == Some(id.0))
            .count()
    }
}

async fn warnings_come_at_the_configured_points_once_each(backend: Backend) {
    let w = world(backend, ExpiryAction::Stop, None).await;
    let id = w.running("warned").await;
    let end = w
        .machine(id)
        .await
        .expires_at
        .expect("a lease from the template");
    let created = w.machine(id).await.created_at;
    assert_eq!(end - created, Duration::days(30));

    w.clock.set(end - Duration::days(8));
    w.engine.sweep_leases().await.unwrap();
    assert!(w.store.notices(id).await.unwrap().is_empty(), "too early");

    w.clock.set(end - Duration::days(7));
    w.engine.sweep_leases().await.unwrap();
    w.engine.sweep_leases().await.unwrap();
    // A restarted portal sweeps again: still one notice per point.
    let again = engine(&w.store, &w.clock, w.prefix);
    again.sweep_leases().await.unwrap();
    let notices = w.store.notices(id).await.unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(
        (notices[0].kind, notices[0].point.as_str()),
        (NoticeKind::Warning, "7d")
    );
    assert_eq!(notices[0].expires_at, Some(end));

    w.clock.set(end - Duration::days(1));
    w.engine.sweep_leases().await.unwrap();
    w.clock.set(end);
    w.engine.sweep_leases().await.unwrap();
    let points: Vec<_> = w
        .store
        .notices(id)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.point)
        .collect();
    assert_eq!(points, ["expiry", "1d", "7d"]);
}

async fn an_expired_machine_is_stopped_and_deleted_only_after_the_grace_period(backend: Backend) {
    let w = world(backend, ExpiryAction::Delete, Some(7)).await;
    let id = w.running("expires").await;
    let m = w.machine(id).await;
    let (end, ext) = (m.expires_at.unwrap(), m.external_id.clone().unwrap());
    assert_eq!(m.delete_after, Some(end + Duration::days(7)));
    assert_eq!(m.expiry_action, Some(ExpiryAction::Delete));

    w.clock.set(end - Duration::seconds(1));
    w.engine.sweep_leases().await.unwrap();
    assert!(w.run_next("w").await.is_none(), "nothing before the end");

    w.clock.set(end);
    w.engine.sweep_leases().await.unwrap();
    let job = w.run_next("w").await.expect("a stop at expiry");
    assert_eq!(
        (job.kind, job.cause, job.state),
        (
            JobKind::Shutdown,
            Some(JobCause::Expiry),
            JobState::Succeeded
        )
    );
    assert_eq!(w.machine(id).await.state, MachineState::Stopped);
    assert_eq!(w.domain_active(&ext), Some(false), "shut down, not deleted");

    // Days pass within the grace period: the machine is kept, and nothing is queued twice.
    for day in [1, 6] {
        w.clock.set(end + Duration::days(day));
        w.engine.sweep_leases().await.unwrap();
        assert!(w.run_next("w").await.is_none(), "day {day}");
    }
    w.clock.set(end + Duration::days(7));
    w.engine.sweep_leases().await.unwrap();
    let job = w
        .run_next("w")
        .await
        .expect("a delete after the grace period");
    assert_eq!(
        (job.kind, job.state),
        (JobKind::Delete, JobState::Succeeded),
        "{:?}",
        job.error
    );
    assert_eq!(w.machine(id).await.state, MachineState::Deleted);
    assert_eq!(w.domain_active(&ext), None, "the domain is gone");
    assert_eq!(w.lease_actions(id).await, 2);
}

async fn a_stop_lease_without_grace_keeps_the_machine_stopped(backend: Backend) {
    let w = world(backend, ExpiryAction::Stop, None).await;
    let id = w.running("kept").await;
    let end = w.machine(id).await.expires_at.unwrap();
    w.clock.set(end);
    w.engine.sweep_leases().await.unwrap();
    w.run_next("w").await.unwrap();
    w.clock.set(end + Duration::days(400));
    w.engine.sweep_leases().await.unwrap();
    assert!(w.run_next("w").await.is_none());
    assert_eq!(w.machine(id).await.state, MachineState::Stopped);
}

async fn a_lease_extended_while_its_expiry_job_waits_leaves_the_machine_alone(backend: Backend) {
    let w = world(backend, ExpiryAction::Stop, None).await;
    let id = w.running("saved").await;
    let m = w.machine(id).await;
    let end = m.expires_at.unwrap();
    w.clock.set(end + Duration::minutes(1));
    w.engine.sweep_leases().await.unwrap();
    // The owner extends before a worker takes the queued stop.
    w.store
        .set_lease(
            id,
            Some(end + Duration::days(14)),
            action::LEASE_EXTEND,
            &Actor::system("test"),
        )
        .await
        .unwrap();
    let job = w.run_next("w").await.unwrap();
    assert_eq!(job.state, JobState::Succeeded);
    assert_eq!(job.message, "the lease was extended; nothing done");
    assert_eq!(w.machine(id).await.state, MachineState::Running);
    assert_eq!(
        w.domain_active(m.external_id.as_deref().unwrap()),
        Some(true)
    );
}

async fn a_busy_machine_is_retried_on_a_later_sweep(backend: Backend) {
    let w = world(backend, ExpiryAction::Stop, None).await;
    let id = w.running("busy").await;
    let end = w.machine(id).await.expires_at.unwrap();
    // The owner's reboot is pending when the lease ends.
    w.store
        .enqueue_job(id, JobKind::Reboot, &Actor::system("test"))
        .await
        .unwrap();
    w.clock.set(end);
    w.engine.sweep_leases().await.unwrap();
    assert_eq!(
        w.lease_actions(id).await,
        0,
        "not queued behind a pending job"
    );
    let reboot = w.run_next("w").await.unwrap();
    assert_eq!(reboot.kind, JobKind::Reboot);
    w.engine.sweep_leases().await.unwrap();
    let stop = w
        .run_next("w")
        .await
        .expect("queued once the machine is free");
    assert_eq!(
        (stop.kind, stop.cause),
        (JobKind::Shutdown, Some(JobCause::Expiry))
    );
    assert_eq!(w.machine(id).await.state, MachineState::Stopped);
}

async fn a_portal_killed_mid_cleanup_resumes_with_nothing_done_twice(backend: Backend) {
    let w = world(backend, ExpiryAction::Delete, Some(2)).await;
    let id = w.running("crash").await;
    let end = w.machine(id).await.expires_at.unwrap();
    w.clock.set(end);
    w.engine.sweep_leases().await.unwrap();
    w.run_next("w").await.unwrap();
    w.clock.set(end + Duration::days(2));
    w.engine.sweep_leases().await.unwrap();
    // A worker takes the delete and dies: its lease on the job runs out.
    let now = w.clock.now();
    let taken = w
        .store
        .claim_job("dead", now, now - Duration::seconds(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.kind, JobKind::Delete);

    // The portal starts again: a new engine on the same database.
    let engine = engine(&w.store, &w.clock, w.prefix);
    engine.sweep_leases().await.unwrap();
    let again = w
        .store
        .claim_job("alive", now, now + Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (again.id, again.attempts),
        (taken.id, 2),
        "the same job, resumed"
    );
    engine.run("alive", again).await;
    engine.sweep_leases().await.unwrap();
    assert!(w.run_next("w").await.is_none(), "nothing left to do");
    assert_eq!(w.machine(id).await.state, MachineState::Deleted);
    assert_eq!(w.lease_actions(id).await, 2, "one stop, one delete");
}

/// Idle shutdown on the test driver, whose CPU time follows the wall clock: a test clock minutes
/// ahead sees next to no CPU used. The machine with a console open is left alone; the other is
/// watched for its whole period, then shut down as a durable job with the cause `idle`, and its
/// owner gets the notice the machine page shows.
async fn an_idle_machine_is_shut_down_and_one_with_a_console_open_is_not(backend: Backend) {
    let w = world_with(backend, ExpiryAction::Stop, None, Some(1)).await;
    let by = Actor::system("test");
    let quiet = w.running("quiet").await;
    let watched = w.running("watched").await;
    let open = NewAuditEvent {
        action: action::CONSOLE_OPEN,
        object_type: "machine",
        object_id: Some(watched.0),
        detail: "watched".into(),
    };
    w.store.record(&by, open).await.unwrap();

    for step in [0, 30] {
        w.clock.advance(Duration::seconds(step));
        w.engine.sweep_idle().await.unwrap();
        assert!(w.run_next("w").await.is_none(), "not watched a minute yet");
    }
    w.clock.advance(Duration::seconds(31));
    w.engine.sweep_idle().await.unwrap();
    let job = w
        .run_next("w")
        .await
        .expect("a shutdown of the idle machine");
    assert_eq!(
        (job.machine_id, job.kind, job.cause, job.state),
        (
            Some(quiet),
            JobKind::Shutdown,
            Some(JobCause::Idle),
            JobState::Succeeded
        ),
        "{:?}",
        job.error
    );
    assert!(
        w.run_next("w").await.is_none(),
        "the console keeps the other up"
    );
    assert_eq!(w.machine(quiet).await.state, MachineState::Stopped);
    assert_eq!(w.machine(watched).await.state, MachineState::Running);
    let notices = w.store.notices(quiet).await.unwrap();
    assert_eq!(notices[0].kind, NoticeKind::IdleStop);

    // The console closes (the audit log's time is the real one, behind the test clock): at the
    // next sweep the other machine is idle too.
    let close = NewAuditEvent {
        action: action::CONSOLE_CLOSE,
        object_type: "machine",
        object_id: Some(watched.0),
        detail: "watched".into(),
    };
    w.store.record(&by, close).await.unwrap();
    w.clock.advance(Duration::seconds(61));
    w.engine.sweep_idle().await.unwrap();
    let job = w
        .run_next("w")
        .await
        .expect("a shutdown once the console closed");
    assert_eq!(job.machine_id, Some(watched));
}
