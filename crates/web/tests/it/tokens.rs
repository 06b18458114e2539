//! Personal API tokens: made with a password sign-in, used as `Authorization: Bearer` by scripts,
//! revoked by their owner only, useless once revoked or their user disabled.

use crate::app::{TestApp, error_code, invalid_fields};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};
use vmportal_core::user::Role;

/// A client that carries the token and no cookie jar, as a script would.
fn script(token: &str) -> Client {
    let mut headers = header::HeaderMap::new();
    let value = header::HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    headers.insert(header::AUTHORIZATION, value);
    Client::builder().default_headers(headers).build().unwrap()
}

/// Makes a token with `body`, confirming the password `PASSWORD` as the API asks.
async fn make(app: &TestApp, who: &Client, mut body: Value) -> Value {
    body["password"] = json!(crate::app::PASSWORD);
    let r = app.post(who, "/api/v1/tokens", body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_script_acts_as_its_owner_with_a_token_until_it_is_revoked() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let bob = app.signed_in("bob", Role::User).await;
    let template = app.template(&admin, "Debian 12").await;

    let made = make(
        &app,
        &alice,
        json!({"name": "grading", "expires_in_days": 30}),
    )
    .await;
    let secret = made["token"].as_str().unwrap();
    assert!(secret.starts_with("vmp_") && secret.len() == 68, "{secret}");
    assert_eq!(made["name"], "grading");
    assert!(made["expires_at"].is_string() && made["last_used_at"].is_null());

    let s = script(secret);
    let me: Value = app.get(&s, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["username"], "alice");
    let request = app.request(&s, template, "from-a-script").await;
    let mine: Value = app
        .get(&alice, "/api/v1/requests")
        .await
        .json()
        .await
        .unwrap();
    assert!(mine.as_array().unwrap().iter().any(|r| r["id"] == request));
    let listed: Value = app
        .get(&alice, "/api/v1/tokens")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["name"], "grading");
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");
    assert!(
        listed[0].get("token").is_none(),
        "the secret is shown only once"
    );
    // Nobody else sees it.
    let theirs: Value = app.get(&bob, "/api/v1/tokens").await.json().await.unwrap();
    assert_eq!(theirs, json!([]));

    let id = made["id"].as_i64().unwrap();
    let path = format!("/api/v1/tokens/{id}");
    let r = bob.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&s, "/api/v1/me").await.status(), StatusCode::OK);
    let r = alice.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app.get(&s, "/api/v1/me").await;
    assert_eq!(
        error_code(r, StatusCode::UNAUTHORIZED).await,
        "unauthenticated"
    );
    let actions = app.audit_actions().await;
    assert_eq!(actions[0], "token.revoke");
    assert!(actions.contains(&"token.create".to_string()));
}

#[tokio::test]
async fn a_token_cannot_make_tokens_change_the_password_or_sign_out() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice", Role::User).await;
    let made = make(&app, &alice, json!({"name": "ci"})).await;
    assert!(made["expires_at"].is_null());
    let s = script(made["token"].as_str().unwrap());
    for (path, body) in [
        ("/api/v1/tokens", json!({"name": "more"})),
        ("/api/v1/logout", json!({})),
        (
            "/api/v1/me/password",
            json!({"current_password": crate::app::PASSWORD, "new_password": "a new one 123"}),
        ),
    ] {
        let r = app.post(&s, path, body).await;
        assert_eq!(
            error_code(r, StatusCode::FORBIDDEN).await,
            "forbidden",
            "{path}"
        );
    }
    let tokens: Value = app
        .get(&alice, "/api/v1/tokens")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tokens.as_array().unwrap().len(), 1);
    // The password did not change: alice signs in with the old one.
    let again = app.client();
    let r = app.login(&again, "alice", crate::app::PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_tokens_and_bad_token_requests_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    for body in [
        json!({"name": " "}),
        json!({"name": "x".repeat(65)}),
        json!({"name": "ok", "expires_in_days": 0}),
        json!({"name": "ok", "expires_in_days": 731}),
    ]
    .map(|mut body| {
        body["password"] = json!(crate::app::PASSWORD);
        body
    }) {
        let r = app.post(&alice, "/api/v1/tokens", body.clone()).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(invalid_fields(r).await.len(), 1, "{body}");
    }
    let listed: Value = app
        .get(&alice, "/api/v1/tokens")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]), "nothing was made");

    // Unknown, malformed, or not a bearer at all: 401, even beside a valid session cookie.
    let unknown = format!("vmp_{}", "0".repeat(64));
    for header in [
        format!("Bearer {unknown}"),
        "Bearer vmp_short".into(),
        format!("Basic {unknown}"),
    ] {
        let r = alice
            .get(app.url("/api/v1/me"))
            .header(header::AUTHORIZATION, &header)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{header}");
    }

    // Disabling the user disables their tokens.
    let made = make(&app, &alice, json!({"name": "ci"})).await;
    let s = script(made["token"].as_str().unwrap());
    assert_eq!(app.get(&s, "/api/v1/me").await.status(), StatusCode::OK);
    let me: Value = app.get(&alice, "/api/v1/me").await.json().await.unwrap();
    let id = me["user"]["id"].as_i64().unwrap();
    let r = app
        .patch(
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.get(&s, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_account_page_makes_a_token_shows_it_once_and_revokes_it() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice", Role::User).await;
    let form = [
        ("name", "laptop"),
        ("expires_in_days", ""),
        ("password", crate::app::PASSWORD),
    ];
    let r = app.post_form(&alice, "/account/tokens", &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    let start = page.find("vmp_").expect("the new token is shown");
    let secret = &page[start..start + 68];
    assert_eq!(
        app.get(&script(secret), "/api/v1/me").await.status(),
        StatusCode::OK
    );

    let again = app.get(&alice, "/account").await.text().await.unwrap();
    assert!(again.contains("laptop") && !again.contains(secret));

    let bad = [
        ("name", "x"),
        ("expires_in_days", "soon"),
        ("password", crate::app::PASSWORD),
    ];
    let r = app.post_form(&alice, "/account/tokens", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains(r#"id="expires_in_days-error""#)
    );

    let listed: Value = app
        .get(&alice, "/api/v1/tokens")
        .await
        .json()
        .await
        .unwrap();
    let id = listed[0]["id"].as_i64().unwrap();
    let r = alice
        .post(app.url(&format!("/account/tokens/{id}/revoke")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&script(secret), "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}
