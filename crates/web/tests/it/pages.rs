//! The HTML pages, driven as a browser without JavaScript would: forms posted, redirects read.

use crate::app::{PASSWORD, TestApp};
use reqwest::{StatusCode, header::LOCATION};
use serde_json::Value;
use vmportal_core::user::Role;

async fn form_login(
    app: &TestApp,
    c: &reqwest::Client,
    user: &str,
    password: &str,
    next: &str,
) -> reqwest::Response {
    c.post(app.url("/login"))
        .form(&[("username", user), ("password", password), ("next", next)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_form_goes_back_where_you_were_but_never_off_site() {
    let app = TestApp::spawn().await;
    app.user("alice", Role::User).await;
    let c = app.client();
    let r = app.get(&c, "/requests/new").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/login?next=/requests/new");
    let page = app
        .get(&c, "/login?next=/requests/new")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"name="next" value="/requests/new""#),
        "{page}"
    );

    let wrong = form_login(&app, &c, "alice", "nope nope nope", "/").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let body = wrong.text().await.unwrap();
    assert!(body.contains("wrong username or password") && body.contains(r#"value="alice""#));

    let r = form_login(&app, &c, "alice", PASSWORD, "//evil.example/x").await;
    assert_eq!(r.headers()[LOCATION], "/");
    let r = form_login(&app, &c, "alice", PASSWORD, "/requests/new").await;
    assert_eq!(r.headers()[LOCATION], "/requests/new");
    assert_eq!(app.get(&c, "/requests/new").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn request_form_shows_each_error_beside_its_field_and_keeps_input() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let t = app.template(&admin, "Debian 12").await;
    let alice = app.client();
    app.user("alice", Role::User).await;
    form_login(&app, &alice, "alice", PASSWORD, "/").await;

    let page = app.get(&alice, "/requests/new").await.text().await.unwrap();
    assert!(
        page.contains("Debian 12") && page.contains(r#"name="cpus" inputmode="numeric" value="1""#),
        "defaults filled in"
    );

    let t = t.to_string();
    let fields = [
        ("template_id", t.as_str()),
        ("name", "no spaces allowed"),
        ("cpus", "two"),
        ("memory_mib", "1024"),
        ("disk_gib", "500"),
        ("purpose", "thesis <script>"),
    ];
    let r = app.post_form(&alice, "/requests/new", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains(r#"id="name-error""#) && body.contains("may contain only letters"),
        "{body}"
    );
    assert!(body.contains(r#"id="cpus-error""#) && body.contains("must be a whole number"));
    assert!(body.contains(r#"id="disk_gib-error""#) && body.contains("between 1 and 100"));
    assert!(
        body.contains("thesis &#60;script&#62;") || body.contains("thesis &lt;script&gt;"),
        "input kept, escaped"
    );
    assert!(!body.contains("<script>"));
    let mine: Value = app
        .get(&alice, "/api/v1/requests")
        .await
        .json()
        .await
        .unwrap();
    assert!(mine.as_array().unwrap().is_empty(), "nothing stored");

    let ok = [
        ("template_id", t.as_str()),
        ("name", "thesis-vm"),
        ("cpus", "2"),
        ("memory_mib", "2048"),
        ("disk_gib", "20"),
        ("purpose", "thesis"),
    ];
    let r = app.post_form(&alice, "/requests/new", &ok).await;
    assert_eq!(r.headers()[LOCATION], "/");
    let dash = app.get(&alice, "/").await.text().await.unwrap();
    assert!(dash.contains("thesis-vm") && dash.contains("badge-pending"));
}

#[tokio::test]
async fn admin_decides_through_the_pages() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let t = app.template(&admin, "Debian 12").await;
    let keep = app.request(&alice, t, "keep").await;
    let drop = app.request(&alice, t, "drop").await;

    let list = app
        .get(&admin, "/admin/requests")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains(&format!(r#"id="approve-{keep}""#)));
    let r = admin
        .post(app.url(&format!("/admin/requests/{keep}/approve")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[LOCATION], "/admin/requests");
    let twice = admin
        .post(app.url(&format!("/admin/requests/{keep}/approve")))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    assert!(twice.text().await.unwrap().contains("already approved"));

    let r = app
        .post_form(
            &admin,
            &format!("/admin/requests/{drop}/reject"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.post_form(
        &admin,
        &format!("/admin/requests/{drop}/reject"),
        &[("reason", "not this term")],
    )
    .await;

    let dash = app.get(&alice, "/").await.text().await.unwrap();
    assert!(
        dash.contains("badge-provisioning") && dash.contains("not this term"),
        "{dash}"
    );
    let audit = app.get(&admin, "/admin/audit").await.text().await.unwrap();
    assert!(audit.contains("request.approve") && audit.contains("request.reject"));
}

#[tokio::test]
async fn admin_creates_a_user_and_resets_a_password_through_the_pages() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let r = app
        .post_form(
            &admin,
            "/admin/users",
            &[("username", "erin"), ("role", "user"), ("password", "")],
        )
        .await;
    let page = r.text().await.unwrap();
    let generated = page
        .split(r#"<code id="generated-password">"#)
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.login(&app.client(), "erin", &generated).await.status(),
        StatusCode::OK
    );

    let r = app
        .post_form(
            &admin,
            "/admin/users",
            &[("username", "erin"), ("role", "user"), ("password", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("is already taken"));

    let users: Value = app.get(&admin, "/api/v1/users").await.json().await.unwrap();
    let erin = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "erin")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let page = admin
        .post(app.url(&format!("/admin/users/{erin}/password")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let fresh = page
        .split(r#"<code id="generated-password">"#)
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert_ne!(fresh, generated);
    assert_eq!(
        app.login(&app.client(), "erin", &generated).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&app.client(), "erin", fresh).await.status(),
        StatusCode::OK
    );

    let r = admin
        .post(app.url(&format!("/admin/users/{erin}")))
        .form(&[
            ("quota_machines", "x"),
            ("quota_cpus", ""),
            ("quota_memory_mib", ""),
            ("quota_disk_gib", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_form(
            &admin,
            &format!("/admin/users/{erin}"),
            &[("status", "disable")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.login(&app.client(), "erin", fresh).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn deleting_from_the_pages_takes_a_confirmation() {
    use vmportal_core::{job::JobOutcome, now, store::prelude::*};
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let t = app.template(&admin, "Debian 12").await;
    let request = app.request(&alice, t, "scratch").await;
    let machine = app.approve(&admin, request).await;
    // The build fails (no engine runs here), so the machine page offers its actions.
    let job = app
        .store
        .claim_job("test", now(), now())
        .await
        .unwrap()
        .unwrap();
    let failed = JobOutcome::Failed("no engine".into());
    app.store.finish_job(job.id, "test", failed).await.unwrap();
    let jobs = || async {
        let m: Value = app
            .get(&alice, &format!("/api/v1/machines/{machine}"))
            .await
            .json()
            .await
            .unwrap();
        m["current_job"]["kind"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    // The machine page only links to the confirmation; opening it changes nothing.
    let page = app
        .get(&alice, &format!("/machines/{machine}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!(r#"href="/machines/{machine}/delete""#)));
    let confirm = app
        .get(&alice, &format!("/machines/{machine}/delete"))
        .await;
    assert_eq!(confirm.status(), StatusCode::OK);
    let confirm = confirm.text().await.unwrap();
    assert!(confirm.contains("Delete scratch for good"), "{confirm}");
    // The current job is still the failed build.
    assert_eq!(jobs().await, "provision");

    let r = alice
        .post(app.url(&format!("/machines/{machine}/delete")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()[LOCATION],
        format!("/machines/{machine}").as_str()
    );
    assert_eq!(jobs().await, "delete");
}
