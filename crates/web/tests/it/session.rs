use crate::app::{PASSWORD, TestApp, error_code, session_hash, test_config};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use vmportal_core::{now, store::prelude::*, user::Role};
use vmportal_web::WebConfig;

fn session_token(r: &reqwest::Response) -> String {
    let cookie = r
        .headers()
        .get(header::SET_COOKIE)
        .expect("a session cookie")
        .to_str()
        .unwrap();
    cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned()
}

#[tokio::test]
async fn sign_in_see_me_sign_out() {
    let app = TestApp::spawn().await;
    app.user("alice", Role::User).await;
    let c = app.client();
    assert_eq!(
        error_code(app.get(&c, "/api/v1/me").await, StatusCode::UNAUTHORIZED).await,
        "unauthenticated"
    );
    let r = app.login(&c, "alice", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain-http public_url: no Secure flag: {cookie}"
    );
    let me: Value = app.get(&c, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["username"], "alice");
    assert_eq!(me["quota"]["machines"], 3);
    assert_eq!(me["remaining"]["cpus"], 8);
    let r = app.post(&c, "/api/v1/logout", json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&c, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let actions = app.audit_actions().await;
    assert_eq!(actions[..2], ["session.logout", "session.login"]);
}

#[tokio::test]
async fn wrong_password_unknown_user_and_disabled_account_answer_alike() {
    let app = TestApp::spawn().await;
    let bob = app.user("bob", Role::User).await;
    let c = app.client();
    let wrong = app.login(&c, "bob", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong: Value = wrong.json().await.unwrap();
    let unknown: Value = app
        .login(&c, "nobody", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["error"]["code"], "bad_credentials");
    let empty: Value = app.login(&c, "bob", "").await.json().await.unwrap();
    assert_eq!(empty, wrong);
    app.store
        .update_user(
            bob.id,
            vmportal_core::user::UserPatch {
                disabled: Some(true),
                ..Default::default()
            },
            &vmportal_core::audit::Actor::system("t"),
        )
        .await
        .unwrap();
    let disabled: Value = app.login(&c, "bob", PASSWORD).await.json().await.unwrap();
    assert_eq!(disabled, wrong);
    assert_eq!(
        app.audit_actions()
            .await
            .iter()
            .filter(|a| *a == "session.login_failed")
            .count(),
        4
    );
}

#[tokio::test]
async fn signing_in_again_replaces_the_session() {
    let app = TestApp::spawn().await;
    app.user("alice", Role::User).await;
    let c = app.client();
    let first = session_token(&app.login(&c, "alice", PASSWORD).await);
    let second = session_token(&app.login(&c, "alice", PASSWORD).await);
    assert_ne!(first, second);
    // The first token is dead: a token planted before sign-in cannot be reused afterwards.
    let old = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header(header::COOKIE, format!("vmportal_session={first}"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&c, "/api/v1/me").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn sessions_survive_a_restart_and_expire_when_idle() {
    let mut app = TestApp::spawn().await;
    app.user("alice", Role::User).await;
    let c = app.client();
    let token = session_token(&app.login(&c, "alice", PASSWORD).await);
    app.restart().await;
    assert_eq!(
        app.get(&c, "/api/v1/me").await.status(),
        StatusCode::OK,
        "same cookie after restart"
    );
    let hash = session_hash(&token);
    let t = now();
    app.store
        .touch_session(&hash, t, t - time::Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        app.get(&c, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "idle deadline passed"
    );
}

#[tokio::test]
async fn failures_of_one_name_from_one_address_are_slowed_down() {
    let config = WebConfig {
        login: vmportal_web::config::LoginConfig {
            free_failures: 3,
            ..Default::default()
        },
        ..test_config()
    };
    let app = TestApp::with_config(config).await;
    app.user("alice", Role::User).await;
    let c = app.client();
    for _ in 0..3 {
        assert_eq!(
            app.login(&c, "alice", "guess guess guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let r = app.login(&c, "alice", PASSWORD).await;
    assert_eq!(
        error_code(r, StatusCode::TOO_MANY_REQUESTS).await,
        "too_many_attempts"
    );
    // Another name from the same address is still allowed.
    app.user("bob", Role::User).await;
    assert_eq!(
        app.login(&c, "bob", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn failures_of_many_names_from_one_address_are_slowed_down() {
    let config = WebConfig {
        login: vmportal_web::config::LoginConfig {
            free_failures_per_address: 2,
            ..Default::default()
        },
        ..test_config()
    };
    let app = TestApp::with_config(config).await;
    let c = app.client();
    for name in ["a1", "a2"] {
        assert_eq!(
            app.login(&c, name, PASSWORD).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login(&c, "a3", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice", Role::User).await;
    let r = alice
        .post(app.url("/api/v1/logout"))
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(r, StatusCode::FORBIDDEN).await,
        "cross_site_request"
    );
    assert_eq!(
        app.get(&alice, "/api/v1/me").await.status(),
        StatusCode::OK,
        "still signed in"
    );
    // An old browser without Sec-Fetch-Site, posting from another origin.
    let r = alice
        .post(app.url("/logout"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The same origin passes.
    let same = alice
        .post(app.url("/logout"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&alice, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn security_headers_secure_cookie_and_probes() {
    let config = WebConfig {
        public_url: "https://portal.school.example".into(),
        ..test_config()
    };
    let app = TestApp::with_config(config).await;
    app.user("alice", Role::User).await;
    let c = app.client();
    let r = app.login(&c, "alice", PASSWORD).await;
    assert!(
        r.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
    let r = app.get(&c, "/login").await;
    let h = r.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    assert_eq!(app.get(&c, "/healthz").await.text().await.unwrap(), "ok");
    assert_eq!(app.get(&c, "/readyz").await.text().await.unwrap(), "ok");
    let metrics = app.get(&c, "/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(
            "vmportal_http_requests_total{method=\"POST\",route=\"/api/v1/login\",status=\"200\"}"
        ),
        "{metrics}"
    );
    let big = "x".repeat(100 * 1024);
    let r = c
        .post(app.url("/api/v1/login"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn malformed_bodies_get_clear_errors() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let r = c
        .post(app.url("/api/v1/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(r, StatusCode::BAD_REQUEST).await, "bad_request");
    let r = app
        .post(&c, "/api/v1/login", json!({"username": "a"}))
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "invalid_input");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("password"),
        "{v}"
    );
    let r = app.get(&c, "/api/v1/nothing-here").await;
    assert_eq!(error_code(r, StatusCode::NOT_FOUND).await, "not_found");
}
