//! Leases through the API, with the portal's test clock: what a machine shows, extensions within
//! the template's policy and beyond it (decided by an administrator), an administrator's change,
//! and the expiring list.

use crate::app::{TestApp, error_code, invalid_fields};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};
use vmportal_core::{clock::Clock, user::Role};

fn at(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().expect("a time"), &Rfc3339).unwrap()
}

/// A template with a 30-day lease, extensions of up to 14 days by the owner, a 60-day life, and
/// deletion 7 days after expiry; and an approved machine of alice's on it.
async fn leased(app: &TestApp, admin: &Client, alice: &Client) -> (i64, i64) {
    let t = app.template(admin, "Course VM").await;
    let lease = json!({"lease_days": 30, "max_lease_days": 60, "extend_days": 14,
        "expiry_action": "delete", "grace_days": 7});
    let r = app
        .patch(admin, &format!("/api/v1/templates/{t}"), lease)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let template: Value = r.json().await.unwrap();
    assert_eq!(
        (
            template["lease_days"].as_i64(),
            template["expiry_action"].as_str()
        ),
        (Some(30), Some("delete"))
    );
    let request = app.request(alice, t, "lab-01").await;
    (t, app.approve(admin, request).await)
}

async fn machine(app: &TestApp, client: &Client, id: i64) -> Value {
    app.get(client, &format!("/api/v1/machines/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_machine_shows_its_lease_and_its_owner_extends_within_policy() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let (_, id) = leased(&app, &admin, &alice).await;
    let m = machine(&app, &alice, id).await;
    let (created, end) = (at(&m["created_at"]), at(&m["expires_at"]));
    assert_eq!(end - created, Duration::days(30));
    assert_eq!(m["expiry_action"], "delete");
    assert_eq!(at(&m["delete_after"]), end + Duration::days(7));

    app.clock.set(end - Duration::days(2));
    let r = app
        .post(
            &alice,
            &format!("/api/v1/machines/{id}/extend"),
            json!({"days": 14}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let m: Value = r.json().await.unwrap();
    assert_eq!(at(&m["expires_at"]), end + Duration::days(14));
    assert_eq!(at(&m["delete_after"]), end + Duration::days(21));
    assert!(
        app.audit_actions()
            .await
            .contains(&"lease.extend".to_owned())
    );

    // More days than the template lets owners add at once needs a reason, then an approver.
    let r = app
        .post(
            &alice,
            &format!("/api/v1/machines/{id}/extend"),
            json!({"days": 20}),
        )
        .await;
    assert_eq!(invalid_fields(r).await, ["reason"]);
}

#[tokio::test]
async fn an_extension_beyond_policy_is_decided_by_an_administrator() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let (_, id) = leased(&app, &admin, &alice).await;
    let end = at(&machine(&app, &alice, id).await["expires_at"]);
    app.clock.set(end - Duration::days(1));
    // 30 + 14 + 14 = 58 days are within the 60-day life; 30 + 14 + 14 + 14 are not.
    for _ in 0..2 {
        let r = app
            .post(
                &alice,
                &format!("/api/v1/machines/{id}/extend"),
                json!({"days": 14}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = app
        .post(
            &alice,
            &format!("/api/v1/machines/{id}/extend"),
            json!({"days": 14, "reason": "the project runs until the exam"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let asked: Value = r.json().await.unwrap();
    assert_eq!(asked["state"], "pending");
    assert_eq!(at(&asked["expires_at"]), end + Duration::days(42));
    assert_eq!(
        at(&machine(&app, &alice, id).await["expires_at"]),
        end + Duration::days(28),
        "unchanged until decided"
    );

    let pending: Value = app
        .get(&admin, "/api/v1/extensions?state=pending")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending[0]["id"], asked["id"]);
    assert_eq!(pending[0]["username"], "alice");
    let ext = asked["id"].as_i64().unwrap();
    let r = app
        .post(
            &admin,
            &format!("/api/v1/extensions/{ext}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "approved");
    assert_eq!(
        at(&machine(&app, &alice, id).await["expires_at"]),
        end + Duration::days(42)
    );
    let r = app
        .post(
            &admin,
            &format!("/api/v1/extensions/{ext}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "conflict");

    // A second one, rejected with a reason: the lease stays.
    let r = app
        .post(
            &alice,
            &format!("/api/v1/machines/{id}/extend"),
            json!({"days": 30, "reason": "more"}),
        )
        .await;
    let ext = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = app
        .post(
            &admin,
            &format!("/api/v1/extensions/{ext}/reject"),
            json!({"reason": "the term is over"}),
        )
        .await;
    let rejected: Value = r.json().await.unwrap();
    assert_eq!(
        (
            rejected["state"].as_str(),
            rejected["decision_reason"].as_str()
        ),
        (Some("rejected"), Some("the term is over"))
    );
    assert_eq!(
        at(&machine(&app, &alice, id).await["expires_at"]),
        end + Duration::days(42)
    );
    let actions = app.audit_actions().await;
    for a in [
        "extension.create",
        "extension.approve",
        "extension.reject",
        "lease.extend",
    ] {
        assert!(actions.contains(&a.to_owned()), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn administrators_set_any_lease_and_list_what_expires() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let (t, id) = leased(&app, &admin, &alice).await;
    let soon = app.clock.now() + Duration::days(3);
    let r = app
        .patch(
            &admin,
            &format!("/api/v1/machines/{id}"),
            json!({"expires_at": soon.format(&Rfc3339).unwrap()}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(at(&r.json::<Value>().await.unwrap()["expires_at"]), soon);
    assert!(app.audit_actions().await.contains(&"lease.set".to_owned()));

    let list = |path: String| {
        let (app, admin) = (&app, &admin);
        async move {
            let v: Value = app.get(admin, &path).await.json().await.unwrap();
            v.as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list("/api/v1/machines?expiring_within_days=2".into()).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        list("/api/v1/machines?expiring_within_days=3".into()).await,
        [id]
    );
    assert_eq!(
        list(format!(
            "/api/v1/machines?expiring_within_days=30&template_id={}",
            t + 1
        ))
        .await,
        Vec::<i64>::new()
    );
    // The lease is over: the owner cannot start it again before extending it.
    app.clock.set(soon);
    let r = app
        .post(&alice, &format!("/api/v1/machines/{id}/start"), json!({}))
        .await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "conflict");

    let r = app
        .patch(
            &admin,
            &format!("/api/v1/machines/{id}"),
            json!({"expires_at": null}),
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["expires_at"], Value::Null);
}

#[tokio::test]
async fn a_recorded_notice_shows_as_a_banner_and_the_expiring_page_lists_the_machine() {
    use vmportal_core::{
        ids::MachineId,
        lease::{ExpiryAction, NewNotice, NoticeKind},
        store::prelude::*,
    };
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let (_, id) = leased(&app, &admin, &alice).await;
    let page = app
        .get(&alice, &format!("/machines/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("lease-banner"), "no notice yet");
    let end = at(&machine(&app, &alice, id).await["expires_at"]);
    // What the engine's sweep records seven days before the end.
    app.store
        .record_notice(NewNotice {
            machine_id: MachineId(id),
            kind: NoticeKind::Warning,
            point: "7d".into(),
            expires_at: Some(end),
            action: ExpiryAction::Delete,
            at: end - Duration::days(7),
        })
        .await
        .unwrap()
        .unwrap();
    let date = vmportal_i18n::Tr::default().datetime(end);
    let page = app
        .get(&alice, &format!("/machines/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"lease-banner\""), "{page}");
    assert!(
        page.contains(&format!("The lease ends on {date}")),
        "{page}"
    );
    assert!(page.contains("the machine will then be stopped, and deleted on"));
    let dash = app.get(&alice, "/").await.text().await.unwrap();
    assert!(
        dash.contains(&format!("id=\"lease-banner-{id}\"")),
        "{dash}"
    );

    // The form extends within policy; the banner was about the old end and goes.
    let r = app
        .post_form(
            &alice,
            &format!("/machines/{id}/extend"),
            &[("days", "7"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = app
        .get(&alice, &format!("/machines/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("lease-banner"));

    app.clock.set(end);
    let expiring = app
        .get(&admin, "/admin/expiring")
        .await
        .text()
        .await
        .unwrap();
    assert!(expiring.contains("lab-01"), "{expiring}");
}
