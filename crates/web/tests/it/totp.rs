//! Two-factor sign-in for local accounts: set up on *My account* with a QR code the portal draws,
//! asked after the password (pages and API), each code used once, recovery codes, the setting that
//! requires it for administrators, and an administrator's audited reset.

use crate::app::{PASSWORD, TestApp, error_code, invalid_fields, test_config};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};
use totp_rs::{Algorithm, TOTP};
use vmportal_core::{second_factor::Required, user::Role};

fn decode_base32(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in s.bytes() {
        buffer = (buffer << 5) | ALPHABET.iter().position(|&x| x == c).unwrap() as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// The authenticator app: the code of the step `offset` steps from now.
pub(crate) fn code(secret: &str, offset: i64) -> String {
    let t = TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, decode_base32(secret));
    let now = vmportal_core::now().unix_timestamp() + offset * 30;
    t.generate(now as u64)
}

/// Sets up a second factor for a signed-in client; its secret and recovery codes.
async fn enrol(app: &TestApp, c: &Client) -> (String, Vec<String>) {
    let r = app.post(c, "/api/v1/me/totp", json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let begun: Value = r.json().await.unwrap();
    let secret = begun["secret"].as_str().unwrap().to_owned();
    assert!(
        begun["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    assert!(begun["qr_svg"].as_str().unwrap().contains("<svg"));
    let r = app
        .post(c, "/api/v1/me/totp/confirm", json!({"code": "000000"}))
        .await;
    assert_eq!(invalid_fields(r).await, ["code"]);
    let r = app
        .post(
            c,
            "/api/v1/me/totp/confirm",
            json!({"code": code(&secret, 0)}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let confirmed: Value = r.json().await.unwrap();
    let codes: Vec<String> = confirmed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn login(app: &TestApp, user: &str, totp: Option<&str>) -> reqwest::Response {
    let mut body = json!({"username": user, "password": PASSWORD});
    if let Some(code) = totp {
        body["totp"] = json!(code);
    }
    app.post(&app.client(), "/api/v1/login", body).await
}

#[tokio::test]
async fn the_api_asks_for_a_code_after_the_password_and_takes_each_once() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice", Role::User).await;
    let (secret, recovery) = enrol(&app, &alice).await;
    assert!(
        app.audit_actions()
            .await
            .contains(&"user.totp_enabled".to_owned())
    );

    let r = login(&app, "alice", None).await;
    assert_eq!(
        error_code(r, StatusCode::UNAUTHORIZED).await,
        "totp_required"
    );
    // The code of the enrolment's step was used up by the enrolment: the next one works, once.
    let next = code(&secret, 1);
    assert_eq!(
        login(&app, "alice", Some(&next)).await.status(),
        StatusCode::OK
    );
    let r = login(&app, "alice", Some(&next)).await;
    assert_eq!(
        error_code(r, StatusCode::UNAUTHORIZED).await,
        "bad_credentials"
    );
    // A wrong password with a right code says nothing about the code.
    let r = app
        .post(
            &app.client(),
            "/api/v1/login",
            json!({"username": "alice", "password": "not the password", "totp": code(&secret, 0)}),
        )
        .await;
    assert_eq!(
        error_code(r, StatusCode::UNAUTHORIZED).await,
        "bad_credentials"
    );
    // A recovery code works once, with or without its dashes.
    let spaced = recovery[3].to_lowercase().replace('-', " ");
    assert_eq!(
        login(&app, "alice", Some(&spaced)).await.status(),
        StatusCode::OK
    );
    let r = login(&app, "alice", Some(&recovery[3])).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        login(&app, "alice", Some(&recovery[4])).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_pages_enrol_with_a_qr_code_and_ask_for_the_code_as_a_second_step() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice", Role::User).await;
    let r = app.post_form(&alice, "/account/totp", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let page = r.text().await.unwrap();
    assert!(page.contains("<svg"), "the QR code is drawn by the portal");
    let start = page.find("id=\"totp-secret\">").unwrap() + "id=\"totp-secret\">".len();
    let secret = page[start..].split('<').next().unwrap().to_owned();
    let r = app
        .post_form(
            &alice,
            "/account/totp/confirm",
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert_eq!(
        page.matches("class=\"recovery-code\"").count(),
        10,
        "{page}"
    );

    let c = app.client();
    let r = app
        .post_form(
            &c,
            "/login",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "the second step");
    assert!(
        r.headers().get(header::SET_COOKIE).is_none(),
        "not signed in yet"
    );
    let page = r.text().await.unwrap();
    let start = page.find("name=\"pending\" value=\"").unwrap() + "name=\"pending\" value=\"".len();
    let pending = page[start..].split('"').next().unwrap().to_owned();
    let r = app
        .post_form(
            &c,
            "/login/code",
            &[
                ("pending", &pending),
                ("code", "123456"),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .post_form(
            &c,
            "/login/code",
            &[
                ("pending", &pending),
                ("code", &code(&secret, 1)),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/account");
    assert_eq!(app.get(&c, "/api/v1/me").await.status(), StatusCode::OK);
    // The pending step is used up.
    let r = app
        .post_form(
            &app.client(),
            "/login/code",
            &[("pending", &pending), ("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn administrators_must_set_it_up_and_can_reset_a_users() {
    let mut config = test_config();
    config.login.totp_required = Required::Admins;
    let app = TestApp::with_config(config).await;
    let admin = app.signed_in("root", Role::Admin).await;
    let r = app.get(&admin, "/api/v1/users").await;
    assert_eq!(
        error_code(r, StatusCode::FORBIDDEN).await,
        "totp_setup_required"
    );
    let r = app.get(&admin, "/").await;
    assert_eq!(r.headers()[header::LOCATION], "/account");
    enrol(&app, &admin).await;
    assert_eq!(
        app.get(&admin, "/api/v1/users").await.status(),
        StatusCode::OK
    );
    // Users are not asked.
    let alice = app.signed_in("alice", Role::User).await;
    assert_eq!(
        app.get(&alice, "/api/v1/requests").await.status(),
        StatusCode::OK
    );

    enrol(&app, &alice).await;
    let me: Value = app.get(&alice, "/api/v1/me").await.json().await.unwrap();
    let id = me["user"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/users/{id}/totp");
    let r = alice.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = admin.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(
        app.audit_actions()
            .await
            .contains(&"user.totp_reset".to_owned())
    );
    assert_eq!(login(&app, "alice", None).await.status(), StatusCode::OK);
}
