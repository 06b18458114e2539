//! The store, each test run against both backends from one body: SQLite in a fresh database
//! file, PostgreSQL in a fresh database of a private cluster (see `vmportal-test-postgres`).

use time::Duration;
use vmportal_core::{
    Lang,
    audit::{Actor, action},
    ids::MachineId,
    job::{Job, JobKind, JobOutcome},
    machine::{MachinePatch, MachineState},
    names::{Hostname, Username},
    notification::NotificationKind,
    now,
    preferences::{Notifications, Preferences},
    quota::Quota,
    request::{NewRequest, NotPending, RequestState},
    resources::Resources,
    snapshot::{NewSnapshot, SnapshotName, SnapshotState},
    store::{AuditQuery, MachineQuery, RequestQuery, Session, StoreError, prelude::*},
    template::{MachineKind, OsFamily, Template, TemplateSpec},
    user::{NewUser, Role, User, UserPatch, UserSource},
};
use vmportal_test_postgres::{Backend, TestStore, on_both_backends};

on_both_backends!(
    duplicate_username_is_a_field_error,
    approving_twice_conflicts_and_creates_one_machine,
    concurrent_requests_cannot_exceed_the_quota,
    sessions_expire_and_end_when_the_user_is_disabled,
    a_console_ticket_works_once_for_its_own_session_before_it_expires,
    api_tokens_are_found_by_hash_until_revoked_expired_or_their_user_disabled,
    an_identity_keys_one_account_made_with_it_or_nothing,
    snapshots_are_bounded_by_the_template_and_used_only_when_ready,
    preferences_are_the_defaults_until_chosen_then_kept,
    the_outbox_is_written_with_its_causes_and_each_row_claimed_once_at_a_time,
);

fn sys() -> Actor {
    Actor::system("test")
}

async fn user(store: &dyn Store, name: &str, role: Role) -> User {
    store
        .create_user(
            NewUser {
                username: Username::parse("username", name).unwrap(),
                display_name: name.into(),
                email: None,
                role,
                source: UserSource::Local,
                password_hash: None,
                must_change_password: false,
            },
            &sys(),
        )
        .await
        .unwrap()
}

async fn template(store: &dyn Store) -> Template {
    let r = Resources {
        cpus: 2,
        memory_mib: 1024,
        disk_gib: 10,
    };
    store
        .create_template(
            TemplateSpec {
                name: "Debian".into(),
                description: String::new(),
                provider: "local".into(),
                kind: MachineKind::Vm,
                os_family: OsFamily::Linux,
                source: "base.qcow2".into(),
                defaults: r,
                limits: r,
                shutdown_timeout_secs: 30,
                locale: None,
                max_snapshots: 3,
                enabled: true,
                lease: Default::default(),
            },
            &sys(),
        )
        .await
        .unwrap()
}

fn ask(user: &User, t: &Template, name: &str) -> NewRequest {
    NewRequest {
        user_id: user.id,
        template_id: t.id,
        name: Hostname::parse("name", name).unwrap(),
        resources: Resources {
            cpus: 1,
            memory_mib: 512,
            disk_gib: 5,
        },
        purpose: "lab".into(),
        course_id: None,
    }
}

const QUOTA: Quota = Quota {
    machines: 3,
    cpus: 8,
    memory_mib: 8192,
    disk_gib: 100,
};

async fn duplicate_username_is_a_field_error(backend: Backend) {
    let db = TestStore::open(backend).await;
    user(&*db.store, "alice", Role::User).await;
    let err = db
        .store
        .create_user(
            NewUser {
                username: Username::parse("username", "alice").unwrap(),
                display_name: String::new(),
                email: None,
                role: Role::User,
                source: UserSource::Local,
                password_hash: None,
                must_change_password: false,
            },
            &sys(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref i) if i.0[0].field == "username"),
        "{err:?}"
    );
}

async fn approving_twice_conflicts_and_creates_one_machine(backend: Backend) {
    let db = TestStore::open(backend).await;
    let alice = user(&*db.store, "alice", Role::User).await;
    let t = template(&*db.store).await;
    let r = db
        .store
        .create_request(ask(&alice, &t, "web"), QUOTA, &sys())
        .await
        .unwrap();
    let by = sys();
    let (a, b) = tokio::join!(
        db.store.approve_request(r.id, &by),
        db.store.approve_request(r.id, &by)
    );
    let oks = [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count();
    assert_eq!(oks, 1, "exactly one approval wins");
    let err = if let Err(e) = a { e } else { b.unwrap_err() };
    assert!(
        matches!(
            err,
            StoreError::Conflict(NotPending(RequestState::Approved))
        ),
        "{err:?}"
    );
    let machines = db
        .store
        .machines(&MachineQuery::of(alice.id))
        .await
        .unwrap()
        .items;
    assert_eq!(machines.len(), 1);
    let job = machines[0].current_job.as_ref().expect("a queued job");
    assert_eq!(job.kind.as_str(), "provision");
    assert_eq!(job.state.as_str(), "queued");
    assert_eq!(machines[0].state.as_str(), "provisioning");
}

async fn concurrent_requests_cannot_exceed_the_quota(backend: Backend) {
    let db = TestStore::open(backend).await;
    let alice = user(&*db.store, "alice", Role::User).await;
    let t = template(&*db.store).await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (store, alice, t) = (db.store.clone(), alice.clone(), t.clone());
        tasks.push(tokio::spawn(async move {
            store
                .create_request(ask(&alice, &t, &format!("m{i}")), QUOTA, &sys())
                .await
        }));
    }
    let mut admitted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => admitted += 1,
            Err(StoreError::Invalid(i)) => assert_eq!(i.0[0].field, "name"),
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(admitted, 3);
    let usage = db.store.usage(alice.id).await.unwrap();
    assert_eq!((usage.machines, usage.cpus, usage.memory_mib), (3, 3, 1536));
    let pending = db
        .store
        .requests(&RequestQuery {
            state: Some(RequestState::Pending),
            ..RequestQuery::of(alice.id)
        })
        .await
        .unwrap();
    assert_eq!((pending.items.len(), pending.total), (3, 3));
}

async fn sessions_expire_and_end_when_the_user_is_disabled(backend: Backend) {
    let db = TestStore::open(backend).await;
    let alice = user(&*db.store, "alice", Role::User).await;
    let t0 = now();
    for (hash, ttl) in [("live", 60), ("old", -1)] {
        db.store
            .create_session(Session {
                token_hash: hash.into(),
                user_id: alice.id,
                created_at: t0,
                last_seen_at: t0,
                expires_at: t0 + Duration::seconds(ttl),
            })
            .await
            .unwrap();
    }
    assert!(db.store.session("live", t0).await.unwrap().is_some());
    assert!(db.store.session("old", t0).await.unwrap().is_none());
    assert_eq!(db.store.delete_expired_sessions(t0).await.unwrap(), 1);
    db.store
        .update_user(
            alice.id,
            UserPatch {
                disabled: Some(true),
                ..Default::default()
            },
            &sys(),
        )
        .await
        .unwrap();
    assert!(db.store.session("live", t0).await.unwrap().is_none());
    let listed = db.store.audit(&AuditQuery::default()).await.unwrap();
    let (events, total) = (listed.items, listed.total);
    assert_eq!(total, 2);
    assert_eq!(events[0].action, "user.update");
    assert!(
        events[0].detail.contains("disabled"),
        "{}",
        events[0].detail
    );
}

async fn a_console_ticket_works_once_for_its_own_session_before_it_expires(backend: Backend) {
    use vmportal_core::console::{NewConsoleTicket, UsedTicket};
    let db = TestStore::open(backend).await;
    let alice = user(&*db.store, "alice", Role::User).await;
    let t = template(&*db.store).await;
    let r = db
        .store
        .create_request(ask(&alice, &t, "web"), QUOTA, &sys())
        .await
        .unwrap();
    let machine = db
        .store
        .approve_request(r.id, &sys())
        .await
        .unwrap()
        .machine;
    let mint = |hash: &str, expires_at| NewConsoleTicket {
        ticket_hash: hash.into(),
        user_id: alice.id,
        machine_id: machine.id,
        session_hash: "session-a".into(),
        expires_at,
        // One view-only ticket: the flag must come back when it is used.
        view_only: hash == "t1",
    };
    let t0 = now();
    for (hash, ttl) in [("t1", 30), ("t2", 30), ("old", 1)] {
        db.store
            .create_console_ticket(mint(hash, t0 + Duration::seconds(ttl)), &sys())
            .await
            .unwrap();
    }
    let s = &db.store;
    // Another session cannot use it, and its attempt does not use it up.
    assert_eq!(
        s.consume_console_ticket("t1", "session-b", t0)
            .await
            .unwrap(),
        None
    );
    // Two uses at once: exactly one gets it.
    let (a, b) = tokio::join!(
        s.consume_console_ticket("t1", "session-a", t0),
        s.consume_console_ticket("t1", "session-a", t0)
    );
    let won: Vec<UsedTicket> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(
        won,
        vec![UsedTicket {
            user_id: alice.id,
            machine_id: machine.id,
            view_only: true,
        }]
    );
    assert_eq!(
        s.consume_console_ticket("t1", "session-a", t0)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.consume_console_ticket("nope", "session-a", t0)
            .await
            .unwrap(),
        None
    );
    let later = t0 + Duration::seconds(5);
    assert_eq!(
        s.consume_console_ticket("old", "session-a", later)
            .await
            .unwrap(),
        None
    );
    assert!(
        s.consume_console_ticket("t2", "session-a", later)
            .await
            .unwrap()
            .is_some()
    );
    let events = s.audit(&AuditQuery::default()).await.unwrap().items;
    let minted = events
        .iter()
        .filter(|e| e.action == "console.ticket")
        .count();
    assert_eq!(minted, 3);
}

async fn api_tokens_are_found_by_hash_until_revoked_expired_or_their_user_disabled(
    backend: Backend,
) {
    use vmportal_core::api_token::{NewApiToken, TokenName};
    let db = TestStore::open(backend).await;
    let alice = user(&*db.store, "alice", Role::User).await;
    let bob = user(&*db.store, "bob", Role::User).await;
    let t0 = now();
    let new = |hash: &str, expires_at| NewApiToken {
        user_id: alice.id,
        name: TokenName::parse("name", hash).unwrap(),
        token_hash: hash.into(),
        expires_at,
    };
    let ci = db
        .store
        .create_api_token(new("ci", None), &sys())
        .await
        .unwrap();
    let soon = Some(t0 + Duration::seconds(60));
    db.store
        .create_api_token(new("soon", soon), &sys())
        .await
        .unwrap();
    let names = |tokens: Vec<vmportal_core::api_token::ApiToken>| {
        tokens
            .into_iter()
            .map(|t| t.name.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(db.store.api_tokens(alice.id).await.unwrap()),
        ["ci", "soon"]
    );
    assert!(db.store.api_tokens(bob.id).await.unwrap().is_empty());

    let (found, owner) = db.store.api_token("ci", t0).await.unwrap().unwrap();
    assert_eq!((found.id, owner.id), (ci.id, alice.id));
    assert!(db.store.api_token("soon", t0).await.unwrap().is_some());
    let later = t0 + Duration::seconds(61);
    assert!(db.store.api_token("soon", later).await.unwrap().is_none());
    assert!(db.store.api_token("nothing", t0).await.unwrap().is_none());

    db.store.touch_api_token(ci.id, later).await.unwrap();
    let (used, _) = db.store.api_token("ci", t0).await.unwrap().unwrap();
    assert_eq!(used.last_used_at, Some(later));

    // Only its owner revokes a token.
    assert!(
        !db.store
            .revoke_api_token(bob.id, ci.id, &sys())
            .await
            .unwrap()
    );
    assert!(db.store.api_token("ci", t0).await.unwrap().is_some());
    let disable = UserPatch {
        disabled: Some(true),
        ..Default::default()
    };
    db.store
        .update_user(alice.id, disable, &sys())
        .await
        .unwrap();
    assert!(db.store.api_token("ci", t0).await.unwrap().is_none());
    assert!(
        db.store
            .revoke_api_token(alice.id, ci.id, &sys())
            .await
            .unwrap()
    );
    assert!(
        !db.store
            .revoke_api_token(alice.id, ci.id, &sys())
            .await
            .unwrap()
    );
    assert_eq!(
        names(db.store.api_tokens(alice.id).await.unwrap()),
        ["soon"]
    );

    let events = db.store.audit(&AuditQuery::default()).await.unwrap().items;
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions[0], "token.revoke");
    assert_eq!(actions.iter().filter(|a| **a == "token.create").count(), 2);
}

fn oidc_user(name: &str) -> NewUser {
    NewUser {
        username: Username::parse("username", name).unwrap(),
        display_name: name.into(),
        email: None,
        role: Role::User,
        source: UserSource::Oidc,
        password_hash: None,
        must_change_password: false,
    }
}

async fn an_identity_keys_one_account_made_with_it_or_nothing(backend: Backend) {
    let db = TestStore::open(backend).await;
    let s = &*db.store;
    user(s, "bob", Role::User).await;
    let iss = "https://id.school.example";
    let carol = s
        .create_identity_user(oidc_user("carol"), iss, "sub-1", &sys())
        .await
        .unwrap();
    assert_eq!(carol.source, UserSource::Oidc);
    let found = s.user_by_identity(iss, "sub-1").await.unwrap().unwrap();
    assert_eq!(found.id, carol.id);
    assert!(s.user_by_identity(iss, "sub-2").await.unwrap().is_none());
    // The same subject at another issuer is someone else.
    let other = "https://other.example";
    assert!(s.user_by_identity(other, "sub-1").await.unwrap().is_none());
    // A taken name creates nothing, not even the identity.
    let taken = s
        .create_identity_user(oidc_user("bob"), iss, "sub-2", &sys())
        .await;
    assert!(matches!(taken, Err(StoreError::Invalid(_))), "{taken:?}");
    assert!(s.user_by_identity(iss, "sub-2").await.unwrap().is_none());
    // One identity, one account: the second account is not made either.
    let twice = s
        .create_identity_user(oidc_user("carol2"), iss, "sub-1", &sys())
        .await;
    assert!(matches!(twice, Err(StoreError::Invalid(_))), "{twice:?}");
    assert!(s.user_for_login("carol2").await.unwrap().is_none());
    assert_eq!(s.count_users().await.unwrap(), 2);
}

/// Claims the next job, which must be `kind`, and finishes it.
async fn run_next(s: &dyn Store, kind: JobKind) -> Job {
    let job = s
        .claim_job("w", now(), now() + Duration::seconds(30))
        .await
        .unwrap()
        .expect("a queued job");
    assert_eq!(job.kind, kind);
    s.finish_job(job.id, "w", JobOutcome::Succeeded("done".into()))
        .await
        .unwrap();
    job
}

async fn take(s: &dyn Store, m: MachineId, name: &str) -> Result<Job, StoreError> {
    let new = NewSnapshot::parse(name, "").unwrap();
    s.take_snapshot(m, new, &sys()).await
}

/// Takes `name` and lets its job make it.
async fn made(s: &dyn Store, m: MachineId, name: &str, with_memory: bool) {
    take(s, m, name).await.unwrap();
    let job = run_next(s, JobKind::Snapshot).await;
    assert_eq!(job.snapshot.as_ref().map(SnapshotName::as_str), Some(name));
    let name = SnapshotName::parse(name).unwrap();
    s.snapshot_ready(m, &name, Some(with_memory)).await.unwrap();
}

async fn snapshots_are_bounded_by_the_template_and_used_only_when_ready(backend: Backend) {
    let db = TestStore::open(backend).await;
    let s = &*db.store;
    let alice = user(s, "alice", Role::User).await;
    let t = template(s).await;
    let r = s
        .create_request(ask(&alice, &t, "web"), QUOTA, &sys())
        .await
        .unwrap();
    let m = s.approve_request(r.id, &sys()).await.unwrap().machine.id;
    run_next(s, JobKind::Provision).await;
    let running = MachinePatch {
        state: Some(MachineState::Running),
        ..Default::default()
    };
    s.update_machine(m, running).await.unwrap();

    take(s, m, "aa").await.unwrap();
    let listed = s.snapshots(m).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].state, listed[0].with_memory),
        (SnapshotState::Creating, false)
    );
    // One action at a time on a machine.
    let busy = take(s, m, "bb").await.unwrap_err();
    assert!(matches!(busy, StoreError::Busy(_)), "{busy:?}");
    run_next(s, JobKind::Snapshot).await;
    let a = SnapshotName::parse("aa").unwrap();
    s.snapshot_ready(m, &a, Some(true)).await.unwrap();
    // No news of the memory keeps what was recorded.
    s.snapshot_ready(m, &a, None).await.unwrap();
    let listed = s.snapshots(m).await.unwrap();
    assert_eq!(
        (listed[0].state, listed[0].with_memory),
        (SnapshotState::Ready, true)
    );

    let again = take(s, m, "aa").await.unwrap_err();
    assert!(
        matches!(again, StoreError::Invalid(ref i) if i.0[0].field == "name"),
        "{again:?}"
    );
    made(s, m, "bb", false).await;
    made(s, m, "cc", false).await;
    // The template keeps 3.
    let full = take(s, m, "dd").await.unwrap_err();
    assert!(matches!(full, StoreError::Busy(_)), "{full:?}");

    let b = SnapshotName::parse("bb").unwrap();
    let revert = s
        .enqueue_snapshot_job(m, JobKind::RevertSnapshot, &a, &sys())
        .await
        .unwrap();
    assert_eq!(revert.snapshot.as_ref(), Some(&a));
    run_next(s, JobKind::RevertSnapshot).await;
    s.enqueue_snapshot_job(m, JobKind::DeleteSnapshot, &b, &sys())
        .await
        .unwrap();
    run_next(s, JobKind::DeleteSnapshot).await;
    let states: Vec<_> = (s.snapshots(m).await.unwrap().into_iter())
        .map(|x| (x.name.to_string(), x.state))
        .collect();
    assert_eq!(
        states,
        [
            ("aa".to_string(), SnapshotState::Ready),
            ("bb".to_string(), SnapshotState::Deleting),
            ("cc".to_string(), SnapshotState::Ready),
        ]
    );
    // A snapshot being deleted cannot be reverted to; one never taken is not found.
    let deleting = s
        .enqueue_snapshot_job(m, JobKind::RevertSnapshot, &b, &sys())
        .await
        .unwrap_err();
    assert!(matches!(deleting, StoreError::Busy(_)), "{deleting:?}");
    let missing = SnapshotName::parse("zz").unwrap();
    let missing = s
        .enqueue_snapshot_job(m, JobKind::RevertSnapshot, &missing, &sys())
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound), "{missing:?}");
    s.forget_snapshot(m, &b).await.unwrap();
    let names: Vec<_> = (s.snapshots(m).await.unwrap().into_iter())
        .map(|x| x.name.to_string())
        .collect();
    assert_eq!(names, ["aa", "cc"]);
    // Room again for one more.
    made(s, m, "dd", false).await;
}

async fn preferences_are_the_defaults_until_chosen_then_kept(backend: Backend) {
    let db = TestStore::open(backend).await;
    let s = &*db.store;
    let alice = user(s, "alice", Role::User).await;
    let chosen = s.preferences(alice.id).await.unwrap();
    assert_eq!(chosen, Preferences::default());
    let mut prefs = Preferences {
        language: Some(Lang::It),
        notifications: Notifications {
            daily_digest: true,
            lease: false,
            ..Default::default()
        },
    };
    s.set_preferences(alice.id, prefs, &sys()).await.unwrap();
    assert_eq!(s.preferences(alice.id).await.unwrap(), prefs);
    // A second choice replaces the first.
    prefs.language = None;
    prefs.notifications.lease = true;
    s.set_preferences(alice.id, prefs, &sys()).await.unwrap();
    assert_eq!(s.preferences(alice.id).await.unwrap(), prefs);
    let audit = s.audit(&AuditQuery::default()).await.unwrap().items;
    let changes = audit
        .iter()
        .filter(|e| e.action == action::PREFERENCES_UPDATE)
        .count();
    assert_eq!(changes, 2, "{audit:?}");
}

async fn the_outbox_is_written_with_its_causes_and_each_row_claimed_once_at_a_time(
    backend: Backend,
) {
    let db = TestStore::open(backend).await;
    let s = &*db.store;
    let ada = user(s, "ada", Role::Admin).await;
    let carl = user(s, "carl", Role::Admin).await;
    let bob = user(s, "bob", Role::User).await;
    let off = UserPatch {
        disabled: Some(true),
        ..Default::default()
    };
    s.update_user(carl.id, off, &sys()).await.unwrap();
    let t = template(s).await;
    let r = s
        .create_request(ask(&bob, &t, "web"), QUOTA, &sys())
        .await
        .unwrap();
    s.approve_request(r.id, &sys()).await.unwrap();
    run_next(s, JobKind::Provision).await;

    let t0 = now();
    let lease = t0 + Duration::seconds(60);
    let claimed = s.claim_notifications(t0, lease, 10).await.unwrap();
    let seen: Vec<_> = claimed.iter().map(|p| (p.kind, p.recipient)).collect();
    // A disabled administrator hears of nothing.
    assert_eq!(
        seen,
        [
            (NotificationKind::NewRequest, ada.id),
            (NotificationKind::Decision, bob.id),
            (NotificationKind::MachineReady, bob.id),
        ]
    );
    assert_eq!(claimed[0].about.request, Some(r.id));
    assert!(claimed[2].about.machine.is_some() && claimed[2].about.job.is_some());
    // Leased: nobody else takes them until the lease ends.
    assert!(
        s.claim_notifications(t0, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = s
        .claim_notifications(lease, lease + Duration::seconds(60), 1)
        .await;
    assert_eq!(again.unwrap().len(), 1, "the limit holds");

    let (sent, dropped, failing) = (claimed[0].id, claimed[1].id, claimed[2].id);
    s.notification_sent(sent, "<m1@portal>").await.unwrap();
    s.notification_dropped(dropped, "no address").await.unwrap();
    let retry = t0 + Duration::seconds(300);
    s.notification_failed(failing, "refused", Some(retry))
        .await
        .unwrap();
    let later = lease + Duration::seconds(120);
    let none = s.claim_notifications(later, later, 10).await.unwrap();
    assert!(none.is_empty(), "{none:?}");
    let due = s.claim_notifications(retry, retry, 10).await.unwrap();
    assert_eq!((due.len(), due[0].id, due[0].attempts), (1, failing, 1));
    s.notification_failed(failing, "refused again", None)
        .await
        .unwrap();
    let failed = s.failed_deliveries().await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        (failed[0].recipient.as_str(), failed[0].attempts),
        ("bob", 2)
    );
    assert_eq!(failed[0].last_error, "refused again");

    // A digest for the approver who chose it, while requests wait, once per period.
    let digest = Preferences {
        language: None,
        notifications: Notifications {
            daily_digest: true,
            ..Default::default()
        },
    };
    s.set_preferences(ada.id, digest, &sys()).await.unwrap();
    let since = t0 - Duration::days(1);
    assert_eq!(s.queue_digests(since).await.unwrap(), 0, "nothing pending");
    s.create_request(ask(&bob, &t, "db"), QUOTA, &sys())
        .await
        .unwrap();
    assert_eq!(s.queue_digests(since).await.unwrap(), 1);
    assert_eq!(s.queue_digests(since).await.unwrap(), 0);
}
