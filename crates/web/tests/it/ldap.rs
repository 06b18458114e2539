//! Sign-in through a real OpenLDAP directory (a private slapd per test), over HTTP: roles from
//! groups, identical refusals, injection, changes in the directory, outages, StartTLS, and the
//! administrators' lookup.

use crate::app::{PASSWORD as LOCAL_PASSWORD, TestApp, error_code, invalid_fields, test_config};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use vmportal_core::{store::prelude::*, user::Role};
use vmportal_ldap::{LdapConfig, LdapDirectory, Secret};
use vmportal_test_slapd::{
    ADMIN_GROUP, BASE_DN, PASSWORD, SEARCH_DN, SEARCH_PASSWORD, Slapd, USER_GROUP, group_dn,
    person_dn,
};

fn settings(slapd: &Slapd) -> LdapConfig {
    LdapConfig {
        bind_dn: SEARCH_DN.into(),
        bind_password: Secret(SEARCH_PASSWORD.into()),
        ..LdapConfig::new(&slapd.url(), BASE_DN, ADMIN_GROUP, USER_GROUP)
    }
}

async fn portal(settings: LdapConfig) -> TestApp {
    let directory = LdapDirectory::new(settings).unwrap();
    TestApp::with_directory(test_config(), Some(Arc::new(directory))).await
}

/// Signs in and gives back the client and the `/api/v1/me` answer.
async fn sign_in(app: &TestApp, username: &str) -> (Client, Value) {
    let c = app.client();
    let r = app.login(&c, username, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK, "sign-in of {username}");
    let me = app.get(&c, "/api/v1/me").await.json().await.unwrap();
    (c, me)
}

async fn refusal(app: &TestApp, username: &str, password: &str) -> Value {
    let r = app.login(&app.client(), username, password).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{username:?}");
    r.json().await.unwrap()
}

async fn page(app: &TestApp, c: &Client, path: &str) -> String {
    app.get(c, path).await.text().await.unwrap()
}

async fn user_count(app: &TestApp) -> usize {
    let users = app.store.users(&Default::default()).await.unwrap();
    users.total as usize
}

#[tokio::test]
async fn directory_groups_decide_the_role_and_the_account_is_kept() {
    let slapd = Slapd::start();
    let app = portal(settings(&slapd)).await;
    let (ada, me) = sign_in(&app, "ada").await;
    let user = &me["user"];
    assert_eq!(user["username"], "ada");
    assert_eq!(user["role"], "admin");
    assert_eq!(user["source"], "ldap");
    assert_eq!(user["display_name"], "Ada Lovelace");
    assert_eq!(user["email"], "ada@school.example");
    assert_eq!(me["quota"]["machines"], 20, "the admin quota");
    assert_eq!(
        app.get(&ada, "/api/v1/users").await.status(),
        StatusCode::OK
    );
    let (bob, me) = sign_in(&app, "bob").await;
    assert_eq!(me["user"]["role"], "user");
    assert_eq!(
        error_code(app.get(&bob, "/api/v1/users").await, StatusCode::FORBIDDEN).await,
        "forbidden"
    );
    // Signing in again finds the same record: no second account.
    let count = user_count(&app).await;
    let (_, again) = sign_in(&app, "bob").await;
    assert_eq!(again["user"]["id"], me["user"]["id"]);
    assert_eq!(user_count(&app).await, count);
    let actions = app.audit_actions().await;
    assert_eq!(actions[0], "session.login");
    assert_eq!(actions.iter().filter(|a| *a == "user.create").count(), 2);
    assert_eq!(
        app.audit().await[0].detail,
        format!("directory: {} as user", person_dn("bob"))
    );
}

#[tokio::test]
async fn no_group_wrong_password_unknown_user_and_empty_password_answer_alike() {
    let slapd = Slapd::start();
    let app = portal(settings(&slapd)).await;
    let no_group = refusal(&app, "cy", PASSWORD).await;
    assert_eq!(no_group["error"]["code"], "bad_credentials");
    for (user, password) in [
        ("ada", "not her password"),
        ("nobody", PASSWORD),
        ("ada", ""),
        ("", PASSWORD),
    ] {
        assert_eq!(refusal(&app, user, password).await, no_group, "{user:?}");
    }
    assert_eq!(user_count(&app).await, 0, "nobody got an account");
    let actions = app.audit_actions().await;
    // The empty name is refused before any work, unrecorded: no account has it.
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "session.login_failed")
            .count(),
        4
    );
    assert!(
        app.audit()
            .await
            .iter()
            .any(|e| e.detail == "directory: not a member of an allowed group"),
        "the log tells the administrator why"
    );
}

#[tokio::test]
async fn filter_injection_in_the_username_changes_nothing() {
    let slapd = Slapd::start();
    let app = portal(settings(&slapd)).await;
    let plain = refusal(&app, "nobody", PASSWORD).await;
    for name in [
        "*",
        "ada*",
        "*)(uid=*",
        "ada)(objectClass=*",
        "ada)(|(uid=*",
        "ada\\",
    ] {
        assert_eq!(refusal(&app, name, PASSWORD).await, plain, "{name:?}");
    }
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn changes_in_the_directory_apply_at_the_next_sign_in() {
    let slapd = Slapd::start();
    let app = portal(settings(&slapd)).await;
    let (_, me) = sign_in(&app, "bob").await;
    assert_eq!(me["user"]["role"], "user");

    slapd.add_member(ADMIN_GROUP, "bob");
    let (bob, me) = sign_in(&app, "bob").await;
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(
        app.get(&bob, "/api/v1/users").await.status(),
        StatusCode::OK
    );
    assert!(app.audit_actions().await.contains(&"user.update".into()));

    slapd.remove_member(ADMIN_GROUP, "bob");
    let (_, me) = sign_in(&app, "bob").await;
    assert_eq!(me["user"]["role"], "user");

    slapd.remove_member(USER_GROUP, "bob");
    refusal(&app, "bob", PASSWORD).await;
    let event = &app.audit().await[0];
    assert_eq!(
        (
            event.action.as_str(),
            event.object_id,
            event.detail.as_str()
        ),
        (
            "session.login_failed",
            me["user"]["id"].as_i64(),
            "directory: not a member of an allowed group"
        )
    );

    sign_in(&app, "eve").await;
    slapd.delete_person("eve");
    refusal(&app, "eve", PASSWORD).await;
}

#[tokio::test]
async fn an_unreachable_directory_says_so_and_local_accounts_still_sign_in() {
    let mut slapd = Slapd::start();
    let app = portal(settings(&slapd)).await;
    app.user("root", Role::Admin).await;
    sign_in(&app, "bob").await;
    slapd.stop();

    let r = app.login(&app.client(), "bob", PASSWORD).await;
    assert_eq!(
        error_code(r, StatusCode::SERVICE_UNAVAILABLE).await,
        "directory_unavailable"
    );
    let page = app
        .client()
        .post(app.url("/login"))
        .form(&[("username", "bob"), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = page.text().await.unwrap();
    assert!(
        body.contains("cannot be reached") && body.contains(r#"id="login-error""#),
        "{body}"
    );
    assert!(!body.contains("127.0.0.1"), "no detail for the public");

    let root = app.client();
    let r = app.login(&root, "root", LOCAL_PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the local admin is not locked out"
    );
    let r = app.login(&app.client(), "root", "not the password").await;
    assert_eq!(
        error_code(r, StatusCode::UNAUTHORIZED).await,
        "bad_credentials",
        "local accounts never wait for the directory"
    );
}

#[tokio::test]
async fn a_local_account_is_never_taken_over_and_a_disabled_one_stays_out() {
    let slapd = Slapd::start();
    let app = portal(settings(&slapd)).await;
    let local_bob = app.user("bob", Role::User).await;
    // bob is a local account: the directory's bob and his password do not sign in as him...
    refusal(&app, "bob", PASSWORD).await;
    // ...not even by a spelling that only the directory folds to "bob".
    refusal(&app, "BOB", PASSWORD).await;
    let c = app.client();
    let r = app.login(&c, "bob", LOCAL_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = app.get(&c, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["id"], local_bob.id.0);
    assert_eq!(me["user"]["source"], "local");

    // An administrator disables a directory account in the portal: the directory cannot undo it.
    let (_, me) = sign_in(&app, "eve").await;
    let root = app.signed_in("root", Role::Admin).await;
    let eve = me["user"]["id"].as_i64().unwrap();
    let r = app
        .patch(
            &root,
            &format!("/api/v1/users/{eve}"),
            serde_json::json!({"disabled": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    refusal(&app, "eve", PASSWORD).await;
    let user = app
        .store
        .user(vmportal_core::ids::UserId(eve))
        .await
        .unwrap();
    assert!(user.unwrap().disabled);
}

#[tokio::test]
async fn starttls_with_a_certificate_the_test_made() {
    let slapd = Slapd::start_with_tls();
    let app = portal(LdapConfig {
        starttls: true,
        ca_file: Some(slapd.ca_file()),
        ..settings(&slapd)
    })
    .await;
    let (_, me) = sign_in(&app, "ada").await;
    assert_eq!(me["user"]["role"], "admin");
}

#[tokio::test]
async fn administrators_look_names_up_without_a_password() {
    let mut slapd = Slapd::start();
    let app = portal(settings(&slapd)).await;
    let root = app.signed_in("root", Role::Admin).await;
    let lookup = |name: &str| format!("/api/v1/directory/lookup?username={name}");

    let ada: Value = app.get(&root, &lookup("ada")).await.json().await.unwrap();
    let entry = &ada["entry"];
    assert_eq!(entry["dn"], person_dn("ada"));
    assert_eq!(
        entry["groups"],
        serde_json::json!([ADMIN_GROUP, USER_GROUP])
    );
    assert_eq!(entry["role"], "admin");
    let cy: Value = app.get(&root, &lookup("cy")).await.json().await.unwrap();
    assert_eq!(cy["entry"]["role"], Value::Null, "in no group: no role");
    for nobody in ["nobody", "%2A", "ada%2A"] {
        let v: Value = app.get(&root, &lookup(nobody)).await.json().await.unwrap();
        assert_eq!(v["entry"], Value::Null, "{nobody}");
    }
    assert_eq!(user_count(&app).await, 1, "a lookup creates no account");

    let cy = page(&app, &root, "/admin/directory?username=cy").await;
    assert!(
        cy.contains(&person_dn("cy")) && cy.contains("in no allowed group"),
        "{cy}"
    );

    let (bob, _) = sign_in(&app, "bob").await;
    assert_eq!(
        error_code(app.get(&bob, &lookup("ada")).await, StatusCode::FORBIDDEN).await,
        "forbidden"
    );

    slapd.stop();
    let r = app.get(&root, &lookup("ada")).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "directory_unavailable");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Connection refused"),
        "administrators see why: {v}"
    );
    let down = page(&app, &root, "/admin/directory?username=ada").await;
    assert!(down.contains(r#"id="directory-error""#), "{down}");
}

#[tokio::test]
async fn without_a_directory_the_lookup_says_so() {
    let app = TestApp::spawn().await;
    let root = app.signed_in("root", Role::Admin).await;
    let r = app
        .get(&root, "/api/v1/directory/lookup?username=ada")
        .await;
    assert_eq!(error_code(r, StatusCode::NOT_FOUND).await, "not_found");
    let none = page(&app, &root, "/admin/directory").await;
    assert!(none.contains("No directory is configured"), "{none}");
}

#[tokio::test]
async fn leaving_the_directory_ends_sessions_and_tokens_at_the_next_check() {
    let slapd = Slapd::start();
    let directory = LdapDirectory::new(settings(&slapd)).unwrap();
    let mut config = test_config();
    // Checked at every request here; hourly by default.
    config.sessions.directory_recheck_minutes = 0;
    let app = TestApp::with_directory(config, Some(Arc::new(directory))).await;
    let (bob, _) = sign_in(&app, "bob").await;
    let r = app
        .post(
            &bob,
            "/api/v1/tokens",
            serde_json::json!({"name": "ci", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let made: Value = r.json().await.unwrap();
    let script = Client::builder()
        .default_headers(
            [(
                reqwest::header::AUTHORIZATION,
                format!("Bearer {}", made["token"].as_str().unwrap())
                    .parse()
                    .unwrap(),
            )]
            .into_iter()
            .collect(),
        )
        .build()
        .unwrap();
    assert_eq!(
        app.get(&script, "/api/v1/me").await.status(),
        StatusCode::OK
    );
    slapd.remove_member(USER_GROUP, "bob");
    assert_eq!(
        app.get(&bob, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(&script, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Ended, not merely refused: back in the group, the old session and token stay dead.
    slapd.add_member(USER_GROUP, "bob");
    assert_eq!(
        app.get(&script, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// A course whose students follow a directory group: set with the roster, read again on demand,
/// members new to the portal get a directory account, members who left the group (or whose entry
/// is gone) leave the course; an unknown group changes nothing, and a CSV cannot mix in.
#[tokio::test]
async fn a_course_roster_follows_a_directory_group() {
    let slapd = Slapd::start();
    slapd.modify(&format!(
        "dn: {}\nchangetype: add\nobjectClass: groupOfNames\ncn: os101\nmember: {}\nmember: {}\n",
        group_dn("os101"),
        person_dn("bob"),
        person_dn("eve")
    ));
    let app = portal(settings(&slapd)).await;
    let admin = app.signed_in("root", Role::Admin).await;
    let tina = app.signed_in("tina", Role::User).await;
    let r = app
        .post(
            &admin,
            "/api/v1/courses",
            json!({"name": "Operating systems", "code": "os101"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let course = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let members = format!("/api/v1/courses/{course}/members");

    let unknown = json!({"teachers": ["tina"], "ldap_group": "no-such-group"});
    let r = app.put(&admin, &members, unknown).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let roster: Value = app.get(&admin, &members).await.json().await.unwrap();
    assert_eq!(
        roster,
        json!({"teachers": [], "students": [], "ldap_group": null})
    );

    let r = app
        .put(
            &admin,
            &members,
            json!({"teachers": ["tina"], "ldap_group": "os101"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let roster: Value = r.json().await.unwrap();
    assert_eq!(
        roster,
        json!({"teachers": ["tina"], "students": ["bob", "eve"], "ldap_group": "os101"})
    );
    let (bob, _) = app.store.user_for_login("bob").await.unwrap().unwrap();
    assert_eq!(
        bob.source.as_str(),
        "ldap",
        "a directory account, no password of ours"
    );

    // The group changes: Ada joins, Bob leaves, Eve's entry is deleted (a stale member DN).
    slapd.add_member("os101", "ada");
    slapd.remove_member("os101", "bob");
    slapd.delete_person("eve");
    let sync = format!("/api/v1/courses/{course}/members/sync");
    let r = app.post(&tina, &sync, json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let synced: Value = r.json().await.unwrap();
    assert_eq!(synced["roster"]["students"], json!(["ada"]));
    assert_eq!(
        synced["created"],
        json!([{"username": "ada", "password": null}])
    );
    // Ada signs in with the directory's password and sees the course.
    let (ada, _) = sign_in(&app, "ada").await;
    let courses: Value = app.get(&ada, "/api/v1/courses").await.json().await.unwrap();
    assert_eq!(courses[0]["code"], "os101");

    let r = app
        .client()
        .post(app.url(&format!("{members}/csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = tina
        .post(app.url(&format!("{members}/csv")))
        .header("content-type", "text/csv")
        .body("cy\n")
        .send()
        .await
        .unwrap();
    assert_eq!(invalid_fields(r).await, ["csv"]);

    // A roster by hand stops following the group; syncing then is refused with the reason.
    let r = app
        .put(
            &admin,
            &members,
            json!({"teachers": ["tina"], "students": ["ada"]}),
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["ldap_group"], Value::Null);
    let r = app.post(&tina, &sync, json!({})).await;
    assert_eq!(invalid_fields(r).await, ["ldap_group"]);
}
