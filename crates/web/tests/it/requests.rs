use crate::app::{TestApp, error_code, invalid_fields};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vmportal_core::{store::prelude::*, user::Role};

#[tokio::test]
async fn request_approve_then_machine_and_job_exist() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let t = app.template(&admin, "Debian 12").await;
    let id = app.request(&alice, t, "web-01").await;

    let mine: Value = app
        .get(&alice, "/api/v1/requests")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let pending: Value = app
        .get(&admin, "/api/v1/requests?state=pending")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending[0]["id"], id);
    assert_eq!(pending[0]["username"], "alice");

    let r = app
        .post(&admin, &format!("/api/v1/requests/{id}/approve"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let approved: Value = r.json().await.unwrap();
    assert_eq!(approved["request"]["state"], "approved");
    assert_eq!(approved["request"]["decided_by"], "root");
    let (machine, job) = (
        approved["machine_id"].as_i64().unwrap(),
        approved["job_id"].as_i64().unwrap(),
    );

    let m: Value = app
        .get(&alice, &format!("/api/v1/machines/{machine}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(m["state"], "provisioning");
    assert_eq!(m["name"], "web-01");
    assert_eq!(m["owner"], "alice");
    assert_eq!(m["current_job"]["id"], job);
    assert_eq!(m["current_job"]["state"], "queued");
    let j: Value = app
        .get(&alice, &format!("/api/v1/jobs/{job}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            j["kind"].as_str(),
            j["state"].as_str(),
            j["progress"].as_i64()
        ),
        (Some("provision"), Some("queued"), Some(0))
    );

    // A second approval is a conflict and creates nothing.
    let again = app
        .post(&admin, &format!("/api/v1/requests/{id}/approve"), json!({}))
        .await;
    assert_eq!(error_code(again, StatusCode::CONFLICT).await, "conflict");
    let machines = app.store.machines(&Default::default()).await.unwrap();
    assert_eq!(machines.total, 1);
    let actions = app.audit_actions().await;
    assert!(
        actions.starts_with(&["request.approve".into(), "request.create".into()]),
        "{actions:?}"
    );
}

#[tokio::test]
async fn reject_needs_a_reason_the_user_then_sees() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let t = app.template(&admin, "Debian 12").await;
    let id = app.request(&alice, t, "db").await;
    let r = app
        .post(
            &admin,
            &format!("/api/v1/requests/{id}/reject"),
            json!({"reason": "   "}),
        )
        .await;
    assert_eq!(invalid_fields(r).await, ["reason"]);
    let r = app
        .post(
            &admin,
            &format!("/api/v1/requests/{id}/reject"),
            json!({"reason": "use the shared DB"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let seen: Value = app
        .get(&alice, &format!("/api/v1/requests/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["state"], "rejected");
    assert_eq!(seen["reason"], "use the shared DB");
    let r = app
        .post(&admin, &format!("/api/v1/requests/{id}/approve"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let machines = app.store.machines(&Default::default()).await.unwrap();
    assert_eq!(machines.total, 0);
}

#[tokio::test]
async fn owner_cancels_while_pending_only() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let t = app.template(&admin, "Debian 12").await;
    let id = app.request(&alice, t, "scratch").await;
    let r = app
        .post(&alice, &format!("/api/v1/requests/{id}/cancel"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "cancelled");
    let again = app
        .post(&alice, &format!("/api/v1/requests/{id}/cancel"), json!({}))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let me: Value = app.get(&alice, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(
        me["usage"]["machines"], 0,
        "a cancelled request no longer counts"
    );
}

#[tokio::test]
async fn invalid_requests_name_their_fields_and_store_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let t = app.template(&admin, "Debian 12").await;
    let bad = json!({"template_id": t, "name": "not a host!", "cpus": 9, "memory_mib": 64, "disk_gib": 0, "purpose": ""});
    let fields = invalid_fields(app.post(&alice, "/api/v1/requests", bad).await).await;
    assert_eq!(
        fields,
        ["name", "cpus", "memory_mib", "disk_gib", "purpose"]
    );
    let unknown = json!({"template_id": 999, "name": "x1", "purpose": "p"});
    assert_eq!(
        invalid_fields(app.post(&alice, "/api/v1/requests", unknown).await).await,
        ["template_id"]
    );
    let wrong_type = json!({"template_id": t, "name": "x1", "cpus": "two", "purpose": "p"});
    assert_eq!(
        invalid_fields(app.post(&alice, "/api/v1/requests", wrong_type).await).await,
        ["cpus"]
    );
    let filter = app.get(&alice, "/api/v1/requests?state=bogus").await;
    assert_eq!(invalid_fields(filter).await, ["state"]);
    let all: Value = app
        .get(&admin, "/api/v1/requests")
        .await
        .json()
        .await
        .unwrap();
    assert!(all.as_array().unwrap().is_empty());
    // Defaults come from the template when sizes are left out.
    let r = app
        .post(
            &alice,
            "/api/v1/requests",
            json!({"template_id": t, "name": "Lab-1", "purpose": "p"}),
        )
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (
            v["name"].as_str(),
            v["cpus"].as_i64(),
            v["memory_mib"].as_i64()
        ),
        (Some("lab-1"), Some(1), Some(1024))
    );
}

#[tokio::test]
async fn quota_counts_pending_requests_and_overrides_apply() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let t = app.template(&admin, "Debian 12").await;
    let first = app.request(&alice, t, "m1").await;
    app.request(&alice, t, "m2").await;
    app.post(
        &admin,
        &format!("/api/v1/requests/{first}/approve"),
        json!({}),
    )
    .await;
    app.request(&alice, t, "m3").await;
    let body = json!({"template_id": t, "name": "m4", "purpose": "p"});
    assert_eq!(
        invalid_fields(app.post(&alice, "/api/v1/requests", body.clone()).await).await,
        ["name"]
    );
    let me: Value = app.get(&alice, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(
        (
            me["usage"]["machines"].as_i64(),
            me["remaining"]["machines"].as_i64()
        ),
        (Some(3), Some(0))
    );

    let alice_id = me["user"]["id"].as_i64().unwrap();
    let r = app
        .patch(
            &admin,
            &format!("/api/v1/users/{alice_id}"),
            json!({"quota": {"machines": 5, "cpus": 4}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.post(&alice, "/api/v1/requests", body).await.status(),
        StatusCode::CREATED
    );
    let big = json!({"template_id": t, "name": "m5", "cpus": 2, "purpose": "p"});
    let r = app.post(&alice, "/api/v1/requests", big).await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["fields"][0]["field"], "cpus");
    assert!(
        v["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("0 left"),
        "{v}"
    );
}

#[tokio::test]
async fn listings_show_only_your_own() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let bob = app.signed_in("bob", Role::User).await;
    let t = app.template(&admin, "Debian 12").await;
    let a = app.request(&alice, t, "alice-box").await;
    app.request(&bob, t, "bob-box").await;
    app.post(&admin, &format!("/api/v1/requests/{a}/approve"), json!({}))
        .await;
    let names = |v: Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            app.get(&bob, "/api/v1/requests")
                .await
                .json()
                .await
                .unwrap()
        ),
        ["bob-box"]
    );
    assert!(
        names(
            app.get(&bob, "/api/v1/machines")
                .await
                .json()
                .await
                .unwrap()
        )
        .is_empty()
    );
    assert_eq!(
        names(
            app.get(&alice, "/api/v1/machines")
                .await
                .json()
                .await
                .unwrap()
        ),
        ["alice-box"]
    );
    // Administrators see everyone's, pending first.
    assert_eq!(
        names(
            app.get(&admin, "/api/v1/requests")
                .await
                .json()
                .await
                .unwrap()
        ),
        ["bob-box", "alice-box"]
    );
}
