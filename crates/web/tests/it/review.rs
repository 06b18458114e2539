//! The faults a review of sign-in found (issue 17), one test each, driven over HTTP against the
//! running portal. Clients bind distinct loopback addresses to stand for distinct people.

use crate::app::{PASSWORD, TestApp, error_code};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};
use std::net::IpAddr;
use vmportal_core::user::Role;

/// A browser-like client whose connections come from `ip` (any 127.0.0.0/8 address).
fn from(ip: &str) -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(ip.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn login_form(
    app: &TestApp,
    c: &Client,
    user: &str,
    password: &str,
    next: &str,
) -> reqwest::Response {
    app.post_form(
        c,
        "/login",
        &[("username", user), ("password", password), ("next", next)],
    )
    .await
}

#[tokio::test]
async fn failures_from_one_address_never_lock_the_account_for_another() {
    let app = TestApp::spawn().await;
    app.user("admin", Role::Admin).await;
    let attacker = from("127.0.0.2");
    for _ in 0..12 {
        let s = app
            .login(&attacker, "admin", "a wrong guess")
            .await
            .status();
        assert!(
            s == StatusCode::UNAUTHORIZED || s == StatusCode::TOO_MANY_REQUESTS,
            "{s}"
        );
    }
    // The attacker's address is slowed down, even with the right password...
    let r = app.login(&attacker, "admin", PASSWORD).await;
    assert!(r.headers().contains_key(header::RETRY_AFTER));
    assert_eq!(
        error_code(r, StatusCode::TOO_MANY_REQUESTS).await,
        "too_many_attempts"
    );
    // ...while the administrator, elsewhere, signs in at once.
    let admin = from("127.0.0.3");
    assert_eq!(
        app.login(&admin, "admin", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn only_failures_count_so_a_classroom_behind_one_address_signs_in() {
    let app = TestApp::spawn().await;
    let school = from("127.0.0.4");
    for i in 0..35 {
        let name = format!("pupil{i}");
        app.user(&name, Role::User).await;
        let r = app.login(&school, &name, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::OK, "{name}");
    }
}

#[tokio::test]
async fn over_long_usernames_are_refused_before_any_work() {
    let app = TestApp::spawn().await;
    app.user("alice", Role::User).await;
    let c = from("127.0.0.5");
    let long = "x".repeat(1000);
    for _ in 0..40 {
        let r = app.login(&c, &long, "whatever it is").await;
        assert_eq!(
            error_code(r, StatusCode::UNAUTHORIZED).await,
            "bad_credentials"
        );
    }
    // Neither counted against the address nor written to the audit log.
    assert_eq!(
        app.login(&c, "alice", PASSWORD).await.status(),
        StatusCode::OK
    );
    let failed = app.audit_actions().await;
    assert!(
        !failed.iter().any(|a| a == "session.login_failed"),
        "{failed:?}"
    );
}

/// `next` values that must never leave the portal, nor break the answer.
const HOSTILE_NEXT: [&str; 8] = [
    "/\t/evil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "/ /evil.example",
    "/%09/evil.example",
    "evil.example",
    "/\u{7f}/evil.example",
];

#[tokio::test]
async fn next_after_sign_in_stays_on_the_portal() {
    let app = TestApp::spawn().await;
    app.user("alice", Role::User).await;
    let c = app.client();
    for next in HOSTILE_NEXT {
        let page = app
            .get(
                &c,
                &format!("/login?next={}", vmportal_web::auth::urlencode(next)),
            )
            .await;
        assert_eq!(page.status(), StatusCode::OK);
        let body = page.text().await.unwrap();
        assert!(!body.contains("evil.example"), "{next:?}: {body}");
        let r = login_form(&app, &c, "alice", PASSWORD, next).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(r.headers()[header::LOCATION], "/", "{next:?}");
    }
    let r = login_form(&app, &c, "alice", PASSWORD, "/machines/3?tab=x").await;
    assert_eq!(r.headers()[header::LOCATION], "/machines/3?tab=x");
}

#[tokio::test]
async fn line_breaks_in_next_are_not_a_server_error() {
    let app = TestApp::spawn().await;
    app.user("alice", Role::User).await;
    let c = app.client();
    for next in ["/\n/x", "/\r\nSet-Cookie: stolen=1", "/\0"] {
        let r = login_form(&app, &c, "alice", PASSWORD, next).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(r.headers()[header::LOCATION], "/", "{next:?}");
        assert!(
            !r.headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .any(|v| v.to_str().unwrap().contains("stolen")),
            "{next:?}"
        );
    }
}

#[tokio::test]
async fn huge_page_numbers_do_not_overflow() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let max = i64::MAX.to_string();
    let min = i64::MIN.to_string();
    for (page, size) in [
        (max.as_str(), "50"),
        (max.as_str(), max.as_str()),
        ("2", max.as_str()),
        (min.as_str(), min.as_str()),
        ("-5", "-5"),
    ] {
        for path in ["/api/v1/audit", "/admin/audit"] {
            let url = app.url(&format!("{path}?page={page}&per_page={size}"));
            let r = admin
                .get(url)
                .send()
                .await
                .expect("an answer, not a dropped connection");
            // A page far past the end is an empty page; sizes outside 1..=500 and pages below 1
            // are refused with the field named, never a 500.
            let expected = if size == "50" { 200 } else { 422 };
            assert_eq!(r.status(), expected, "{path} {page} {size}");
        }
    }
}

#[tokio::test]
async fn secret_answers_are_never_cached() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let no_store = |r: &reqwest::Response| {
        r.headers()
            .get(header::CACHE_CONTROL)
            .is_some_and(|v| v.to_str().unwrap().contains("no-store"))
    };
    // A generated password, on the page and in the API.
    let r = app
        .post_form(
            &admin,
            "/admin/users",
            &[("username", "bob"), ("role", "user")],
        )
        .await;
    assert!(no_store(&r), "{:?}", r.headers());
    let r = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"username": "carol", "role": "user"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(no_store(&r), "{:?}", r.headers());
    // A new token, on the page and in the API.
    let r = app
        .post_form(
            &admin,
            "/account/tokens",
            &[("name", "ci"), ("password", PASSWORD)],
        )
        .await;
    assert!(no_store(&r), "{:?}", r.headers());
    let r = app
        .post(
            &admin,
            "/api/v1/tokens",
            json!({"name": "ci2", "password": PASSWORD}),
        )
        .await;
    assert!(no_store(&r), "{:?}", r.headers());
    // Static assets may still be cached.
    let r = app.get(&admin, "/static/app.css").await;
    assert!(!no_store(&r));
}

#[tokio::test]
async fn a_generated_password_must_be_changed_at_the_next_sign_in() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let r = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"username": "bob", "role": "user"}),
        )
        .await;
    let made: Value = r.json().await.unwrap();
    let generated = made["generated_password"].as_str().unwrap().to_owned();
    let bob = app.client();
    let r = app.login(&bob, "bob", &generated).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["must_change_password"], true, "{me}");
    // Nothing but the password change until then.
    let r = app.get(&bob, "/api/v1/requests").await;
    assert_eq!(
        error_code(r, StatusCode::FORBIDDEN).await,
        "password_change_required"
    );
    let r = app.get(&bob, "/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/account");
    let r = app
        .post(
            &bob,
            "/api/v1/me/password",
            json!({"current_password": generated, "new_password": "bob's own secret"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&bob, "/api/v1/requests").await.status(),
        StatusCode::OK
    );
    // An administrator's reset asks the same again.
    let id = made["user"]["id"].as_i64().unwrap();
    let r = app
        .patch(
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"password": "reset by root 1"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.login(&bob, "bob", "reset by root 1").await;
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["must_change_password"], true, "{me}");
}

/// A client that carries the token and no cookie jar, as a script would.
fn script(token: &str) -> Client {
    let mut headers = header::HeaderMap::new();
    let value = header::HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    headers.insert(header::AUTHORIZATION, value);
    Client::builder().default_headers(headers).build().unwrap()
}

async fn token_of(app: &TestApp, c: &Client) -> Client {
    let r = app
        .post(
            c,
            "/api/v1/tokens",
            json!({"name": "ci", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let made: Value = r.json().await.unwrap();
    script(made["token"].as_str().unwrap())
}

#[tokio::test]
async fn making_a_token_asks_for_the_password_again() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice", Role::User).await;
    for body in [
        json!({"name": "ci"}),
        json!({"name": "ci", "password": "not it at all"}),
    ] {
        let r = app.post(&alice, "/api/v1/tokens", body).await;
        assert_eq!(crate::app::invalid_fields(r).await, ["password"]);
    }
    let r = app
        .post_form(
            &alice,
            "/account/tokens",
            &[("name", "ci"), ("password", "not it at all")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let tokens: Value = app
        .get(&alice, "/api/v1/tokens")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tokens, json!([]));
    token_of(&app, &alice).await;
}

#[tokio::test]
async fn a_password_change_or_reset_ends_the_api_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let bob = app.signed_in("bob", Role::User).await;
    let (alice_script, bob_script) = (token_of(&app, &alice).await, token_of(&app, &bob).await);
    assert_eq!(
        app.get(&alice_script, "/api/v1/me").await.status(),
        StatusCode::OK
    );
    let r = app
        .post(
            &alice,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "a brand new secret"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&alice_script, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let me: Value = app.get(&bob, "/api/v1/me").await.json().await.unwrap();
    let id = me["user"]["id"].as_i64().unwrap();
    let r = app
        .patch(
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"password": "reset by the admin"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.get(&bob_script, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn sessions_are_short_and_the_cookie_is_host_bound_under_https() {
    let config = vmportal_web::WebConfig {
        public_url: "https://portal.school.example".into(),
        ..crate::app::test_config()
    };
    let app = TestApp::with_config(config).await;
    app.user("alice", Role::User).await;
    let c = app.client();
    let r = app.login(&c, "alice", PASSWORD).await;
    let cookie = r.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-vmportal_session="), "{cookie}");
    assert!(
        cookie.contains("; Secure; ") || cookie.ends_with("; Secure"),
        "{cookie}"
    );
    assert!(
        cookie.contains("Path=/") && !cookie.contains("Domain"),
        "{cookie}"
    );
    // The browser sends it back over https; this test talks plain HTTP, so it sends it by hand.
    let pair = cookie.split(';').next().unwrap().to_owned();
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header(header::COOKIE, &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let defaults = vmportal_web::WebConfig::default().sessions;
    assert!(
        defaults.idle_minutes <= 30 && defaults.max_hours <= 12,
        "{defaults:?}"
    );
}

#[tokio::test]
async fn credentials_are_read_only_when_asked_and_never_after_deletion() {
    use vmportal_core::{
        ids::MachineId,
        machine::{MachinePatch, MachineState},
        store::prelude::*,
    };
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let template = app.template(&admin, "Debian 12").await;
    let request = app.request(&alice, template, "box").await;
    let machine = app.approve(&admin, request).await;
    let ready = MachinePatch {
        state: Some(MachineState::Running),
        login_name: Some("debian".into()),
        secret: Some(app.key.seal("guest secret 1")),
        ..Default::default()
    };
    app.store
        .update_machine(MachineId(machine), ready)
        .await
        .unwrap();

    let page = app
        .get(&alice, &format!("/machines/{machine}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("guest secret 1"), "{page}");
    assert_eq!(
        credential_reads(&app).await,
        0,
        "looking at the machine reads no password"
    );

    let r = app
        .post_form(&alice, &format!("/machines/{machine}/credentials"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    assert!(r.text().await.unwrap().contains("guest secret 1"));
    let r = app
        .get(&alice, &format!("/api/v1/machines/{machine}/credentials"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    assert_eq!(credential_reads(&app).await, 2);

    let gone = MachinePatch {
        state: Some(MachineState::Deleted),
        ..Default::default()
    };
    app.store
        .update_machine(MachineId(machine), gone)
        .await
        .unwrap();
    let r = app
        .get(&alice, &format!("/api/v1/machines/{machine}/credentials"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app
        .post_form(&alice, &format!("/machines/{machine}/credentials"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!r.text().await.unwrap().contains("guest secret 1"));
}

#[tokio::test]
async fn hypervisor_internals_reach_administrators_only() {
    use vmportal_core::{
        ids::MachineId,
        machine::{MachinePatch, MachineState},
        store::prelude::*,
    };
    const DETAIL: &str = "Permission check failed (/nodes/pve-b, VM.Allocate) via ssh tester@10.1.2.3:2222 (known_hosts /var/lib/vmportal/known_hosts)";
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let template = app.template(&admin, "Debian 12").await;
    let request = app.request(&alice, template, "box").await;
    let machine = app.approve(&admin, request).await;
    let failed = MachinePatch {
        state: Some(MachineState::Failed),
        last_error: Some(Some(DETAIL.into())),
        ..Default::default()
    };
    app.store
        .update_machine(MachineId(machine), failed)
        .await
        .unwrap();
    let path = format!("/api/v1/machines/{machine}");
    let theirs: Value = app.get(&alice, &path).await.json().await.unwrap();
    let shown = theirs["last_error"].as_str().unwrap();
    assert!(
        !shown.contains("pve-b") && !shown.contains("10.1.2.3"),
        "{shown}"
    );
    let id = theirs["error_id"].as_str().expect("an error id").to_owned();
    assert!(shown.contains(&id), "{shown}");
    let page = app
        .get(&alice, &format!("/machines/{machine}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("pve-b") && page.contains(&id), "{page}");
    let listed: Value = app
        .get(&alice, "/api/v1/machines")
        .await
        .json()
        .await
        .unwrap();
    assert!(!listed.to_string().contains("pve-b"), "{listed}");
    // The administrator sees the detail and the same id.
    let admins: Value = app.get(&admin, &path).await.json().await.unwrap();
    assert_eq!(admins["last_error"], DETAIL);
    assert_eq!(admins["error_id"], id.as_str());
}

/// How many times credentials were read, by the audit log.
async fn credential_reads(app: &TestApp) -> usize {
    app.audit_actions()
        .await
        .iter()
        .filter(|a| *a == vmportal_core::audit::action::CREDENTIALS_READ)
        .count()
}
