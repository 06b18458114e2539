use crate::app::{PASSWORD, TestApp, invalid_fields};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vmportal_core::user::Role;

#[tokio::test]
async fn admin_creates_accounts_with_generated_or_chosen_passwords() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let r = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"username": "carol", "email": "carol@school.example"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    let generated = v["generated_password"].as_str().unwrap().to_owned();
    assert!(generated.len() >= 16);
    assert_eq!(v["user"]["role"], "user");
    let c = app.client();
    assert_eq!(
        app.login(&c, "carol", &generated).await.status(),
        StatusCode::OK
    );

    let r = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"username": "dave", "password": "a long chosen one", "role": "admin"}),
        )
        .await;
    let v: Value = r.json().await.unwrap();
    assert!(v.get("generated_password").is_none());
    assert_eq!(v["user"]["role"], "admin");

    let r = app
        .post(&admin, "/api/v1/users", json!({"username": "carol"}))
        .await;
    assert_eq!(invalid_fields(r).await, ["username"]);
    let r = app
        .post(
            &admin,
            "/api/v1/users",
            json!({"username": "Bad Name", "email": "nope", "password": "short"}),
        )
        .await;
    assert_eq!(invalid_fields(r).await, ["username", "email", "password"]);
    let list: Value = app.get(&admin, "/api/v1/users").await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn role_change_disable_and_password_reset() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let me: Value = app.get(&alice, "/api/v1/me").await.json().await.unwrap();
    let id = me["user"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/users/{id}");

    assert_eq!(
        app.get(&alice, "/api/v1/users").await.status(),
        StatusCode::FORBIDDEN
    );
    app.patch(&admin, &path, json!({"role": "admin"})).await;
    assert_eq!(
        app.get(&alice, "/api/v1/users").await.status(),
        StatusCode::OK,
        "role applies at once"
    );
    app.patch(&admin, &path, json!({"role": "user"})).await;

    let r = app.patch(&admin, &path, json!({"disabled": true})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["disabled"], true);
    assert_eq!(
        app.get(&alice, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "session ended"
    );
    assert_eq!(
        app.login(&app.client(), "alice", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.patch(&admin, &path, json!({"disabled": false})).await;
    let again = app.client();
    assert_eq!(
        app.login(&again, "alice", PASSWORD).await.status(),
        StatusCode::OK
    );

    let r = app.patch(&admin, &path, json!({"password": "short"})).await;
    assert_eq!(invalid_fields(r).await, ["password"]);
    app.patch(&admin, &path, json!({"password": "a brand new password"}))
        .await;
    assert_eq!(
        app.get(&again, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "reset ends sessions"
    );
    assert_eq!(
        app.login(&app.client(), "alice", "a brand new password")
            .await
            .status(),
        StatusCode::OK
    );

    let detail: Value = app.get(&admin, &path).await.json().await.unwrap();
    assert_eq!(detail["user"]["username"], "alice");
    assert!(detail["requests"].as_array().unwrap().is_empty());
    let actions = app.audit_actions().await;
    let updates = actions.iter().filter(|a| *a == "user.update").count();
    assert_eq!(updates, 5);
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let me: Value = app.get(&admin, "/api/v1/me").await.json().await.unwrap();
    let path = format!("/api/v1/users/{}", me["user"]["id"]);
    let r = app
        .patch(&admin, &path, json!({"disabled": true, "role": "user"}))
        .await;
    assert_eq!(invalid_fields(r).await, ["disabled", "role"]);
    assert_eq!(
        app.get(&admin, "/api/v1/users").await.status(),
        StatusCode::OK
    );
    let r = app
        .patch(&admin, &path, json!({"quota": {"machines": -1}}))
        .await;
    assert_eq!(invalid_fields(r).await, ["quota_machines"]);
    assert_eq!(
        app.patch(&admin, "/api/v1/users/999", json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
