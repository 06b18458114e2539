use crate::app::{PASSWORD, TestApp, error_code, invalid_fields};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use vmportal_core::user::Role;

#[tokio::test]
async fn people_change_their_own_password_and_other_sessions_end() {
    let app = TestApp::spawn().await;
    let here = app.signed_in("alice", Role::User).await;
    let elsewhere = app.client();
    app.login(&elsewhere, "alice", PASSWORD).await;

    let wrong = json!({"current_password": "not it at all", "new_password": "short"});
    assert_eq!(
        invalid_fields(app.post(&here, "/api/v1/me/password", wrong).await).await,
        ["current_password", "new_password"]
    );
    let ok = json!({"current_password": PASSWORD, "new_password": "a much newer passphrase"});
    let r = app.post(&here, "/api/v1/me/password", ok).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(
        r.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .starts_with("vmportal_session=")
    );
    assert_eq!(
        app.get(&here, "/api/v1/me").await.status(),
        StatusCode::OK,
        "this session goes on"
    );
    assert_eq!(
        app.get(&elsewhere, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "the others end"
    );
    assert_eq!(
        app.login(&app.client(), "alice", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&app.client(), "alice", "a much newer passphrase")
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn guessing_the_current_password_is_rate_limited() {
    let config = vmportal_web::WebConfig {
        login: vmportal_web::config::LoginConfig {
            free_failures: 1,
            ..Default::default()
        },
        ..crate::app::test_config()
    };
    let app = TestApp::with_config(config).await;
    app.user("alice", Role::User).await;
    let c = app.client();
    app.login(&c, "alice", PASSWORD).await;
    let guess =
        json!({"current_password": "guess guess guess", "new_password": "a much newer passphrase"});
    assert_eq!(
        app.post(&c, "/api/v1/me/password", guess.clone())
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = app.post(&c, "/api/v1/me/password", guess).await;
    assert_eq!(
        error_code(r, StatusCode::TOO_MANY_REQUESTS).await,
        "too_many_attempts"
    );
}

#[tokio::test]
async fn an_ssh_key_is_checked_kept_and_removable() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice", Role::User).await;
    let r = app
        .client()
        .put(app.url("/api/v1/me/ssh-key"))
        .json(&json!({"ssh_public_key": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = alice
        .put(app.url("/api/v1/me/ssh-key"))
        .json(&json!({"ssh_public_key": "not a key"}))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid_fields(r).await, ["ssh_public_key"]);
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0 alice@laptop";
    let r = alice
        .put(app.url("/api/v1/me/ssh-key"))
        .json(&json!({"ssh_public_key": key}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["ssh_public_key"], key);
    let page = app.get(&alice, "/account").await.text().await.unwrap();
    assert!(page.contains("alice@laptop"));
    let r = alice
        .post(app.url("/account/ssh-key"))
        .form(&[("ssh_public_key", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let me: Value = app.get(&alice, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["ssh_public_key"], Value::Null);
}
