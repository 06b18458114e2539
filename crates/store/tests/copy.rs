//! `db copy`: a SQLite database with a row in every table, copied into a fresh PostgreSQL
//! database, reads back the same through the store (password hashes, sealed secrets, jobs, audit,
//! snapshots, OpenID identities, preferences, the mail outbox, ...); a second copy into the now
//! non-empty target is refused; new rows on the target get new ids.

use time::Duration;
use vmportal_core::{
    Lang,
    api_token::{NewApiToken, TokenName},
    audit::Actor,
    console::NewConsoleTicket,
    course::{CourseSettings, NewCourse},
    ids::{DeploymentId, JobId},
    job::JobOutcome,
    lease::{ExpiryAction, LeasePolicy, NewNotice, NoticeKind},
    machine::{Drift, MachinePatch, MachineState},
    names::{Hostname, Username},
    now,
    preferences::{Notifications, Preferences},
    quota::Quota,
    request::NewRequest,
    resources::Resources,
    snapshot::NewSnapshot,
    store::{NewDeployment, NewExtension, Session, Store},
    template::{MachineKind, OsFamily, TemplateSpec},
    user::{NewUser, Role, UserSource},
};
use vmportal_store::copy::{CopyError, copy};
use vmportal_test_postgres::{Backend, TestStore};

const ISSUER: &str = "https://id.school.example";

fn sys() -> Actor {
    Actor::system("test")
}

/// Puts at least one row in every table, through the store as the portal would.
async fn populate(s: &dyn Store) {
    let t0 = now();
    let mut users = Vec::new();
    for (name, role) in [("ada", Role::Admin), ("bob", Role::User)] {
        let new = NewUser {
            username: Username::parse("username", name).unwrap(),
            display_name: format!("{name} Example"),
            email: Some(format!("{name}@school.example")),
            role,
            source: UserSource::Local,
            password_hash: Some(format!("$argon2id$v=19$m=19456,t=2,p=1${name}$hash")),
            must_change_password: name == "bob",
        };
        users.push(s.create_user(new, &sys()).await.unwrap());
    }
    let bob = users[1].clone();
    let prefs = Preferences {
        language: Some(Lang::Fr),
        notifications: Notifications {
            daily_digest: true,
            ..Default::default()
        },
    };
    s.set_preferences(bob.id, prefs, &sys()).await.unwrap();
    s.create_session(Session {
        token_hash: "session-hash".into(),
        user_id: bob.id,
        created_at: t0,
        last_seen_at: t0,
        expires_at: t0 + Duration::hours(1),
    })
    .await
    .unwrap();
    s.begin_totp(bob.id, vec![0, 1, 2, 250, 255]).await.unwrap();
    assert!(
        s.confirm_totp(bob.id, 42, vec!["code-a".into(), "code-b".into()], &sys())
            .await
            .unwrap()
    );
    let token = NewApiToken {
        user_id: bob.id,
        name: TokenName::parse("name", "ci").unwrap(),
        token_hash: "token-hash".into(),
        expires_at: None,
    };
    s.create_api_token(token, &sys()).await.unwrap();
    let size = Resources {
        cpus: 1,
        memory_mib: 512,
        disk_gib: 4,
    };
    let template = s
        .create_template(
            TemplateSpec {
                name: "Debian".into(),
                description: "Debian 12 — with a long dash".into(),
                provider: "local".into(),
                kind: MachineKind::Vm,
                os_family: OsFamily::Linux,
                source: "debian-12.qcow2".into(),
                defaults: size,
                limits: size,
                shutdown_timeout_secs: 30,
                locale: Some("fr-FR".into()),
                max_snapshots: 2,
                enabled: true,
                lease: LeasePolicy {
                    lease_days: Some(30),
                    extend_days: 7,
                    expiry_action: ExpiryAction::Delete,
                    grace_days: Some(3),
                    ..Default::default()
                },
            },
            &sys(),
        )
        .await
        .unwrap();
    let quota = Quota {
        machines: 5,
        cpus: 5,
        memory_mib: 5000,
        disk_gib: 50,
    };
    let mut requests = Vec::new();
    for name in ["web", "db", "spare"] {
        let new = NewRequest {
            user_id: bob.id,
            template_id: template.id,
            name: Hostname::parse("name", name).unwrap(),
            resources: size,
            purpose: "course work".into(),
            course_id: None,
        };
        requests.push(s.create_request(new, quota, &sys()).await.unwrap());
    }
    s.reject_request(requests[2].id, "not now", &sys())
        .await
        .unwrap();
    let machine = s
        .approve_request(requests[0].id, &sys())
        .await
        .unwrap()
        .machine;
    s.approve_request(requests[1].id, &sys()).await.unwrap();
    let job = s
        .claim_job("worker-a", now(), now() + Duration::seconds(30))
        .await
        .unwrap()
        .unwrap();
    s.job_progress(job.id, 40, "copying the disk")
        .await
        .unwrap();
    s.update_machine(
        machine.id,
        MachinePatch {
            state: Some(MachineState::Running),
            external_id: Some("vmportal-1-web".into()),
            address: Some("192.0.2.10".into()),
            port: Some(2222),
            login_name: Some("bob".into()),
            secret: Some(vec![9, 8, 7, 0, 255, 128]),
            last_error: Some(None),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    s.finish_job(job.id, "worker-a", JobOutcome::Succeeded("built".into()))
        .await
        .unwrap();
    let snap = NewSnapshot::parse("before_upgrade", "kernel 6.1").unwrap();
    s.take_snapshot(machine.id, snap.clone(), &sys())
        .await
        .unwrap();
    s.snapshot_ready(machine.id, &snap.name, Some(true))
        .await
        .unwrap();
    let dora = NewUser {
        username: Username::parse("username", "dora").unwrap(),
        display_name: "Dora".into(),
        email: None,
        role: Role::User,
        source: UserSource::Oidc,
        password_hash: None,
        must_change_password: false,
    };
    s.create_identity_user(dora, ISSUER, "subject-dora", &sys())
        .await
        .unwrap();
    s.replace_drift(
        "local",
        vec![Drift {
            provider: "local".into(),
            kind: "unknown".into(),
            machine_id: None,
            external_id: Some("stray".into()),
            name: "stray".into(),
            detected_at: t0,
        }],
    )
    .await
    .unwrap();
    let ticket = NewConsoleTicket {
        ticket_hash: "ticket-hash".into(),
        user_id: bob.id,
        machine_id: machine.id,
        session_hash: "session-hash".into(),
        expires_at: t0 + Duration::seconds(30),
        view_only: true,
    };
    s.create_console_ticket(ticket, &sys()).await.unwrap();
    let m = s.machine(machine.id).await.unwrap().unwrap();
    s.record_notice(NewNotice {
        machine_id: machine.id,
        kind: NoticeKind::Warning,
        point: "7d".into(),
        expires_at: m.expires_at,
        action: ExpiryAction::Delete,
        at: t0,
    })
    .await
    .unwrap();
    let extension = NewExtension {
        machine_id: machine.id,
        user_id: bob.id,
        days: 60,
        expires_at: t0 + Duration::days(90),
        reason: "thesis".into(),
    };
    s.create_extension(extension, &sys()).await.unwrap();
    let course = NewCourse {
        name: "Networks 101".into(),
        code: Hostname::parse("code", "net101").unwrap(),
        term_end: Some(time::macros::date!(2031 - 06 - 30)),
        template_ids: vec![template.id],
        quota,
        settings: CourseSettings {
            teacher_full_console: true,
            teacher_may_delete: false,
        },
    };
    let course = s.create_course(course, &sys()).await.unwrap();
    s.set_roster(course.id, &[users[0].id], &[bob.id], &sys())
        .await
        .unwrap();
    let deployment = NewDeployment {
        course_id: course.id,
        template_id: template.id,
        resources: size,
        students: vec![(bob.id, Hostname::parse("name", "net101-bob").unwrap())],
    };
    s.deploy(deployment, &sys()).await.unwrap();
}

/// What the store reads back, as text, for both sides to be compared whole.
async fn read_back(s: &dyn Store) -> Vec<String> {
    let mut seen = Vec::new();
    let users = s.users(&Default::default()).await.unwrap();
    seen.push(format!("{users:?}"));
    for u in &users.items {
        seen.push(format!(
            "{:?}",
            s.user_for_login(u.username.as_str()).await.unwrap()
        ));
        seen.push(format!("{:?}", s.totp(u.id).await.unwrap()));
        seen.push(format!("{:?}", s.preferences(u.id).await.unwrap()));
        seen.push(format!("{:?}", s.api_tokens(u.id).await.unwrap()));
        seen.push(format!("{:?}", s.usage(u.id).await.unwrap()));
    }
    seen.push(format!(
        "{:?}",
        s.session("session-hash", now()).await.unwrap()
    ));
    seen.push(format!(
        "{:?}",
        s.user_by_identity(ISSUER, "subject-dora").await.unwrap()
    ));
    seen.push(format!("{:?}", s.templates().await.unwrap()));
    seen.push(format!(
        "{:?}",
        s.requests(&Default::default()).await.unwrap()
    ));
    let machines = s.machines(&Default::default()).await.unwrap();
    seen.push(format!("{machines:?}"));
    for m in machines.items {
        seen.push(format!("{m:?}"));
        seen.push(format!("{:?}", s.machine_secret(m.id).await.unwrap()));
        seen.push(format!("{:?}", s.notices(m.id).await.unwrap()));
        seen.push(format!("{:?}", s.snapshots(m.id).await.unwrap()));
        if let Some(job) = &m.current_job {
            seen.push(format!("{:?}", s.job(job.id).await.unwrap()));
            seen.push(format!("{:?}", s.job_events(job.id, 0).await.unwrap()));
        }
    }
    seen.push(format!("{:?}", s.job(JobId(1)).await.unwrap()));
    seen.push(format!("{:?}", s.drift(&Default::default()).await.unwrap()));
    seen.push(format!("{:?}", s.extensions(None).await.unwrap()));
    for c in s.courses(None).await.unwrap() {
        seen.push(format!("{c:?}"));
        seen.push(format!("{:?}", s.roster(c.id).await.unwrap()));
        seen.push(format!("{:?}", s.course_usage(c.id).await.unwrap()));
        seen.push(format!("{:?}", s.course_machines(c.id).await.unwrap()));
        seen.push(format!(
            "{:?}",
            s.deployment(c.id, DeploymentId(1)).await.unwrap()
        ));
    }
    seen.push(format!("{:?}", s.audit(&Default::default()).await.unwrap()));
    seen.push(format!("{:?}", s.jobs(&Default::default()).await.unwrap()));
    // Last, as it leases them: the outbox's pending mail, as due at one instant on either side.
    let at = time::macros::datetime!(2100-01-01 0:00 UTC);
    seen.push(format!(
        "{:?}",
        s.claim_notifications(at, at, 1000).await.unwrap()
    ));
    seen
}

#[tokio::test]
async fn a_populated_sqlite_database_moves_to_postgres_with_nothing_lost() {
    let source = TestStore::open(Backend::Sqlite).await;
    populate(&*source.store).await;
    let target_url =
        tokio::task::spawn_blocking(|| vmportal_test_postgres::Cluster::shared().database())
            .await
            .unwrap();

    let report = copy(&source.url, &target_url).await.unwrap();
    let empty: Vec<_> = report.iter().filter(|(_, rows)| *rows == 0).collect();
    assert!(empty.is_empty(), "populate() left tables empty: {empty:?}");
    assert!(report.len() >= 15, "{report:?}");

    let target = vmportal_store::connect(&target_url)
        .await
        .unwrap()
        .into_dyn();
    let (before, after) = (read_back(&*source.store).await, read_back(&*target).await);
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b, a);
    }
    // The console ticket is still good once, for its own session.
    let used = target
        .consume_console_ticket("ticket-hash", "session-hash", now())
        .await
        .unwrap();
    assert!(used.is_some());

    // Ids go on after the copied ones.
    let carol = NewUser {
        username: Username::parse("username", "carol").unwrap(),
        display_name: String::new(),
        email: None,
        role: Role::User,
        source: UserSource::Local,
        password_hash: None,
        must_change_password: false,
    };
    let carol = target.create_user(carol, &sys()).await.unwrap();
    assert_eq!(carol.id.0, 4);

    // The target is no longer empty: a second copy is refused and changes nothing.
    let again = copy(&source.url, &target_url).await.unwrap_err();
    assert!(matches!(again, CopyError::NotEmpty(_)), "{again:?}");
    assert_eq!(target.count_users().await.unwrap(), 4);
}
