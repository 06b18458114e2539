//! The store, each test run against both backends from one body: SQLite in a fresh database
//! file, PostgreSQL in a fresh database of a private cluster (see `vmportal-test-postgres`).

use time::Duration;
use vmportal_core::{
    audit::Actor,
    names::{Hostname, Username},
    now,
    quota::Quota,
    request::{NewRequest, NotPending, RequestState},
    resources::Resources,
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
