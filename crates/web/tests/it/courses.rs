//! Courses on the real app: a roster from a CSV, deployments (one machine per student, never two,
//! refused with the numbers over the course quota, with progress), and requests decided by the
//! course's teachers. No engine runs here: where a deployment's progress is shown, the test plays
//! the worker through the store.

use crate::app::{TestApp, error_code, invalid_fields};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use vmportal_core::{
    ids::MachineId,
    job::JobOutcome,
    machine::{MachinePatch, MachineState},
    now,
    store::prelude::*,
    user::Role,
};

struct Class {
    app: TestApp,
    admin: Client,
    tina: Client,
    course: i64,
    template: i64,
}

/// Course "os101" taught by Tina, with `quota_machines` machines for the whole course.
async fn class(quota_machines: i64) -> Class {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let tina = app.signed_in("tina", Role::User).await;
    let template = app.template(&admin, "Debian 12").await;
    let quota =
        json!({"machines": quota_machines, "cpus": 100, "memory_mib": 100_000, "disk_gib": 1000});
    let r = app
        .post(
            &admin,
            "/api/v1/courses",
            json!({"name": "Operating systems", "code": "os101", "term_end": "2027-02-01", "quota": quota}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let course = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = app
        .put(
            &admin,
            &format!("/api/v1/courses/{course}/members"),
            json!({"teachers": ["tina"], "students": []}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    Class {
        app,
        admin,
        tina,
        course,
        template,
    }
}

impl Class {
    async fn upload(&self, csv: &str) -> reqwest::Response {
        self.tina
            .post(
                self.app
                    .url(&format!("/api/v1/courses/{}/members/csv", self.course)),
            )
            .header("content-type", "text/csv")
            .body(csv.to_owned())
            .send()
            .await
            .unwrap()
    }

    /// Twelve students s01..s12; alice already has an account.
    async fn twelve(&self) -> Value {
        self.app.user("alice", Role::User).await;
        let mut csv = String::from("username,display name,email\nalice\n");
        for i in 2..=12 {
            csv.push_str(&format!("s{i:02},Student {i},s{i:02}@school.example\n"));
        }
        let r = self.upload(&csv).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    async fn deploy(&self, by: &Client) -> reqwest::Response {
        let body =
            json!({"template_id": self.template, "cpus": 1, "memory_mib": 512, "disk_gib": 5});
        self.app
            .post(
                by,
                &format!("/api/v1/courses/{}/deployments", self.course),
                body,
            )
            .await
    }
}

#[tokio::test]
async fn a_roster_from_a_csv_creates_the_missing_accounts_with_passwords_shown_once() {
    let c = class(20).await;
    let imported = c.twelve().await;
    let created = imported["created"].as_array().unwrap();
    assert_eq!(created.len(), 11, "alice existed: {imported}");
    assert_eq!(imported["roster"]["students"].as_array().unwrap().len(), 12);
    assert_eq!(imported["roster"]["teachers"], json!(["tina"]));
    // A new account signs in with the password shown.
    let s05 = created.iter().find(|a| a["username"] == "s05").unwrap();
    let client = c.app.client();
    let shown = s05["password"].as_str().unwrap();
    let r = c.app.login(&client, "s05", shown).await;
    assert_eq!(r.status(), StatusCode::OK);
    // The teacher saw that password: the student must choose their own first.
    let r = c.app.get(&client, "/api/v1/courses").await;
    assert_eq!(
        error_code(r, StatusCode::FORBIDDEN).await,
        "password_change_required"
    );
    let change = json!({"current_password": shown, "new_password": "s05's own secret"});
    let r = c.app.post(&client, "/api/v1/me/password", change).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // The course is theirs to see now, not its roster.
    let courses: Value = c
        .app
        .get(&client, "/api/v1/courses")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(courses[0]["code"], "os101");
    let r = c
        .app
        .get(&client, &format!("/api/v1/courses/{}/members", c.course))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Uploading again creates nobody; a bad line is named.
    let again: Value = c.upload("alice\ns05\n").await.json().await.unwrap();
    assert_eq!(again["created"], json!([]));
    let bad = c.upload("ok1\nnot valid!,x\n").await;
    assert_eq!(invalid_fields(bad).await, ["csv line 2"]);
}

#[tokio::test]
async fn a_deployment_makes_one_machine_per_student_once_and_reports_its_progress() {
    let c = class(20).await;
    c.twelve().await;
    let r = c.deploy(&c.tina).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["machines"].as_array().unwrap().len(), 12);
    assert_eq!(d["jobs"].as_array().unwrap().len(), 12);
    let machines: Value = c
        .app
        .get(&c.tina, &format!("/api/v1/courses/{}/machines", c.course))
        .await
        .json()
        .await
        .unwrap();
    let machines = machines.as_array().unwrap();
    assert_eq!(machines.len(), 12);
    let s07 = machines.iter().find(|m| m["owner"] == "s07").unwrap();
    assert_eq!(s07["name"], "os101-s07");
    assert_eq!(s07["course_id"], c.course);
    assert_eq!(
        s07["expires_at"], "2027-02-02T00:00:00Z",
        "the lease ends with the term"
    );
    // Never a second machine for a student who has one.
    let again: Value = c.deploy(&c.admin).await.json().await.unwrap();
    assert_eq!(again["machines"], json!([]));

    // The test plays the worker, through the store as the engine would: eleven machines come
    // up, one fails with its reason.
    let ids: Vec<i64> = d["machines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_i64().unwrap())
        .collect();
    let why = "provision failed: the base volume is missing";
    while let Some(job) = c.app.store.claim_job("test", now(), now()).await.unwrap() {
        let machine = job.machine_id.unwrap();
        let (outcome, patch) = if machine.0 == ids[3] {
            let patch = MachinePatch {
                state: Some(MachineState::Failed),
                last_error: Some(Some(why.into())),
                ..Default::default()
            };
            (JobOutcome::Failed(why.into()), patch)
        } else {
            let patch = MachinePatch {
                state: Some(MachineState::Running),
                ..Default::default()
            };
            (JobOutcome::Succeeded("running".into()), patch)
        };
        c.app.store.update_machine(machine, patch).await.unwrap();
        c.app
            .store
            .finish_job(job.id, "test", outcome)
            .await
            .unwrap();
    }
    let path = format!(
        "/api/v1/courses/{}/deployments/{}",
        c.course, d["deployment_id"]
    );
    let status: Value = c.app.get(&c.tina, &path).await.json().await.unwrap();
    assert_eq!(
        (
            &status["total"],
            &status["done"],
            &status["failed"],
            &status["in_progress"]
        ),
        (&json!(12), &json!(11), &json!(1), &json!(0)),
        "{status}"
    );
    let failed: Vec<&Value> = status["machines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["state"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0]["error"],
        "provision failed: the base volume is missing"
    );
    // The teacher's page: the progress, the failure, and a view-only screen for running machines.
    let page = c
        .app
        .get(
            &c.tina,
            &format!("/courses/{}?deployment={}", c.course, d["deployment_id"]),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("11 of 12 done, 1 failed"), "{page}");
    assert!(page.contains("failed: provision failed: the base volume is missing"));
    let s07 = s07["id"].as_i64().unwrap();
    assert!(page.contains(&format!("/machines/{s07}/console?view_only=1")));

    // Deploying again builds the failed one again, and only it.
    let retry: Value = c.deploy(&c.tina).await.json().await.unwrap();
    assert_eq!(retry["machines"], json!([ids[3]]));
    let m = c
        .app
        .store
        .machine(MachineId(ids[3]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.state, MachineState::Provisioning);
    assert_eq!(m.last_error, None);
    assert_eq!(
        m.current_job.unwrap().id.0,
        retry["jobs"][0].as_i64().unwrap()
    );
    let status: Value = c.app.get(&c.tina, &path).await.json().await.unwrap();
    assert_eq!(
        (&status["failed"], &status["in_progress"]),
        (&json!(0), &json!(1))
    );
}

#[tokio::test]
async fn the_course_quota_refuses_a_deployment_up_front_with_the_numbers() {
    let c = class(10).await;
    c.twelve().await;
    let r = c.deploy(&c.tina).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    let message = v["error"]["fields"][0]["message"].as_str().unwrap();
    assert_eq!(v["error"]["fields"][0]["field"], "machines");
    assert!(
        message.contains("allows 10 machines") && message.contains("12 needed"),
        "{message}"
    );
    // Nothing was made.
    let machines: Value = c
        .app
        .get(&c.tina, &format!("/api/v1/courses/{}/machines", c.course))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(machines, json!([]));
}

#[tokio::test]
async fn a_students_course_request_is_decided_by_the_courses_teachers_only() {
    let c = class(5).await;
    let alice = c.app.signed_in("alice", Role::User).await;
    // Bob teaches another course; he is a student in Tina's.
    let bob = c.app.signed_in("bob", Role::User).await;
    let r = c
        .app
        .put(
            &c.admin,
            &format!("/api/v1/courses/{}/members", c.course),
            json!({"teachers": ["tina"], "students": ["alice", "bob"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .app
        .post(
            &c.admin,
            "/api/v1/courses",
            json!({"name": "Networks", "code": "net1"}),
        )
        .await;
    let other = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    c.app
        .put(
            &c.admin,
            &format!("/api/v1/courses/{other}/members"),
            json!({"teachers": ["bob"], "students": []}),
        )
        .await;

    let body = json!({"template_id": c.template, "name": "lab1", "purpose": "exercise 3", "course_id": c.course});
    let r = c.app.post(&alice, "/api/v1/requests", body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let course_request = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let private = c.app.request(&alice, c.template, "mine").await;

    // Tina sees the course request, not Alice's own one; Bob sees neither.
    let seen: Value = c
        .app
        .get(&c.tina, "/api/v1/requests")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [course_request]);
    let seen: Value = c
        .app
        .get(&bob, "/api/v1/requests")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen, json!([]));
    for (who, id, status) in [
        (&bob, course_request, StatusCode::FORBIDDEN),
        (&c.tina, private, StatusCode::FORBIDDEN),
        (&alice, course_request, StatusCode::FORBIDDEN),
    ] {
        let r = c
            .app
            .post(who, &format!("/api/v1/requests/{id}/approve"), json!({}))
            .await;
        assert_eq!(r.status(), status);
    }
    let r = c
        .app
        .post(
            &c.tina,
            &format!("/api/v1/requests/{course_request}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let machine = r.json::<Value>().await.unwrap()["machine_id"]
        .as_i64()
        .unwrap();
    // Tina reaches the course machine but not Alice's password.
    let r = c
        .app
        .get(&c.tina, &format!("/api/v1/machines/{machine}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let m: Value = r.json().await.unwrap();
    assert_eq!(
        m["expires_at"], "2027-02-02T00:00:00Z",
        "a course machine's lease ends with the term (the end of 2027-02-01, UTC)"
    );
    let r = c
        .app
        .get(&c.tina, &format!("/api/v1/machines/{machine}/credentials"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let approved = c.app.approve(&c.admin, private).await;
    let r = c
        .app
        .get(&c.tina, &format!("/api/v1/machines/{approved}"))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "a student's own machine stays private"
    );
    // The decision is in the audit log under the teacher's name.
    let events = c.app.audit().await;
    assert!(
        events
            .iter()
            .any(|e| e.action == "request.approve" && e.actor == "tina")
    );
}
