//! Every route, called as nobody, as the owner of the objects, as another user and as an
//! administrator. Objects of others answer 404, so their existence is not revealed.

use crate::app::TestApp;
use reqwest::{Client, Method};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use vmportal_core::user::Role;

enum Body {
    None,
    Json(Value),
    Form(&'static [(&'static str, &'static str)]),
    Csv(&'static str),
}

struct Row {
    method: Method,
    /// `{request}` `{machine}` `{job}` `{user}` `{victim}` `{template}`, `{no_extension}` (an
    /// extension request that does not exist), or `{fresh}` for a new
    /// pending request of the owner's for each call (the call may change it), `{fresh_machine}`
    /// for a new machine of the owner's, `{fresh_token}` for a new API token of the owner's.
    /// Course objects: `{course}` (the owner is a student, the teacher teaches it), the owner's
    /// `{course_machine}`, `{course_job}`, `{course_request}`, `{deployment}`, and fresh ones per
    /// call: `{course_fresh}` (a pending course request), `{fresh_course_machine}`,
    /// `{fresh_course}`.
    path: &'static str,
    body: Body,
    /// Anonymous, owner, other user, a teacher of a course the owner attends, administrator.
    expect: [u16; 5],
}

fn row(method: Method, path: &'static str, body: Body, expect: [u16; 5]) -> Row {
    Row {
        method,
        path,
        body,
        expect,
    }
}

fn table() -> Vec<Row> {
    use Body::{Csv, Form, Json, None};
    use Method as M;
    const ANY: [u16; 5] = [401, 200, 200, 200, 200];
    const OWNED: [u16; 5] = [401, 200, 404, 404, 200];
    const ADMIN: [u16; 5] = [401, 403, 403, 403, 200];
    const PAGE: [u16; 5] = [303, 200, 200, 200, 200];
    const ADMIN_PAGE: [u16; 5] = [303, 403, 403, 403, 200];
    const COURSE: [u16; 5] = [401, 403, 404, 200, 200];
    const PUBLIC: [u16; 5] = [200, 200, 200, 200, 200];
    vec![
        row(M::GET, "/api/v1/me", None, ANY),
        row(
            M::PUT,
            "/api/v1/me/ssh-key",
            Json(json!({"ssh_public_key": ""})),
            ANY,
        ),
        row(M::GET, "/api/v1/me/preferences", None, ANY),
        row(
            M::PUT,
            "/api/v1/me/preferences",
            Json(json!({"language": "it", "notifications": {"job_failed": false}})),
            ANY,
        ),
        // A wrong current password: the caller got past authorization (422), or was not signed in.
        row(
            M::POST,
            "/api/v1/me/password",
            Json(json!({"current_password": "wrong one", "new_password": "irrelevant here"})),
            [401, 422, 422, 422, 422],
        ),
        // Two-factor sign-in: starting is open to every signed-in caller; a wrong code is 422.
        row(M::POST, "/api/v1/me/totp", None, ANY),
        row(
            M::POST,
            "/api/v1/me/totp/confirm",
            Json(json!({"code": "000000"})),
            [401, 422, 422, 422, 422],
        ),
        row(M::GET, "/api/v1/tokens", None, ANY),
        row(
            M::POST,
            "/api/v1/tokens",
            Json(json!({"name": "script", "password": crate::app::PASSWORD})),
            [401, 201, 201, 201, 201],
        ),
        // Only its owner revokes a token; to everyone else it does not exist.
        row(
            M::DELETE,
            "/api/v1/tokens/{fresh_token}",
            None,
            [401, 204, 404, 404, 404],
        ),
        row(M::GET, "/api/v1/templates", None, ANY),
        row(
            M::POST,
            "/api/v1/templates",
            Json(
                json!({"name": "T2", "provider": "local", "kind": "vm", "os_family": "linux", "source": "s"}),
            ),
            [401, 403, 403, 403, 201],
        ),
        row(
            M::PATCH,
            "/api/v1/templates/{template}",
            Json(json!({"description": "d"})),
            ADMIN,
        ),
        row(M::GET, "/api/v1/providers", None, ADMIN),
        row(
            M::POST,
            "/api/v1/requests",
            Json(json!({"template_id": 1, "name": "n1", "purpose": "p"})),
            [401, 201, 201, 201, 201],
        ),
        row(M::GET, "/api/v1/requests", None, ANY),
        row(M::GET, "/api/v1/requests/{request}", None, OWNED),
        row(
            M::POST,
            "/api/v1/requests/{fresh}/approve",
            None,
            [401, 403, 403, 403, 202],
        ),
        row(
            M::POST,
            "/api/v1/requests/{fresh}/reject",
            Json(json!({"reason": "no"})),
            [401, 403, 403, 403, 200],
        ),
        row(
            M::POST,
            "/api/v1/requests/{fresh}/cancel",
            None,
            [401, 200, 404, 404, 403],
        ),
        row(M::GET, "/api/v1/machines", None, ANY),
        row(M::GET, "/api/v1/machines/{machine}", None, OWNED),
        row(
            M::GET,
            "/api/v1/machines?expiring_within_days=30",
            None,
            ANY,
        ),
        // The fixture's template gives no lease: 409 past authorization, 404 before it.
        row(
            M::POST,
            "/api/v1/machines/{machine}/extend",
            Json(json!({"days": 1})),
            [401, 409, 404, 404, 409],
        ),
        row(
            M::PATCH,
            "/api/v1/machines/{machine}",
            Json(json!({"expires_at": null})),
            ADMIN,
        ),
        row(M::GET, "/api/v1/extensions", None, ADMIN),
        // No such extension request: 404 once past authorization.
        row(
            M::POST,
            "/api/v1/extensions/{no_extension}/approve",
            None,
            [401, 403, 403, 403, 404],
        ),
        row(
            M::POST,
            "/api/v1/extensions/{no_extension}/reject",
            Json(json!({"reason": "no"})),
            [401, 403, 403, 403, 404],
        ),
        row(M::GET, "/api/v1/jobs", None, ANY),
        row(M::GET, "/api/v1/jobs/{job}", None, OWNED),
        row(M::GET, "/api/v1/jobs/{job}/events", None, OWNED),
        // The machine is still provisioning (no worker runs here): the action is refused as a
        // conflict, which shows the caller got past authorization, or 404 when they did not.
        row(
            M::POST,
            "/api/v1/machines/{machine}/start",
            None,
            [401, 409, 404, 404, 409],
        ),
        row(
            M::POST,
            "/api/v1/machines/{machine}/shutdown",
            None,
            [401, 409, 404, 404, 409],
        ),
        row(
            M::POST,
            "/api/v1/machines/{machine}/stop",
            None,
            [401, 409, 404, 404, 409],
        ),
        row(
            M::POST,
            "/api/v1/machines/{machine}/reboot",
            None,
            [401, 409, 404, 404, 409],
        ),
        row(
            M::DELETE,
            "/api/v1/machines/{fresh_machine}",
            None,
            [401, 202, 404, 404, 202],
        ),
        row(
            M::GET,
            "/api/v1/machines/{machine}/credentials",
            None,
            [401, 409, 404, 404, 409],
        ),
        // Snapshots of a provisioning machine: listing works, taking one is refused as a
        // conflict past authorization; a snapshot that does not exist is 404 to everyone (what
        // the owner and an administrator may do with one that does is in machine_snapshots.rs).
        row(M::GET, "/api/v1/machines/{machine}/snapshots", None, OWNED),
        row(
            M::POST,
            "/api/v1/machines/{machine}/snapshots",
            Json(json!({"name": "before_lab", "description": "d"})),
            [401, 409, 404, 404, 409],
        ),
        row(
            M::POST,
            "/api/v1/machines/{machine}/snapshots/{snapshot}/revert",
            None,
            [401, 404, 404, 404, 404],
        ),
        row(
            M::DELETE,
            "/api/v1/machines/{machine}/snapshots/{snapshot}",
            None,
            [401, 404, 404, 404, 404],
        ),
        // A provisioning machine has no console yet: 409 past authorization, 404 before it.
        row(
            M::POST,
            "/api/v1/machines/{machine}/console",
            None,
            [401, 409, 404, 404, 409],
        ),
        // Without a websocket handshake a signed-in caller gets no further than 400 (the
        // ticket checks are in crates/web/tests/it/console.rs).
        row(
            M::GET,
            "/console/ws?ticket=0000000000000000000000000000000000000000000000000000000000000000",
            None,
            [401, 400, 400, 400, 400],
        ),
        row(M::GET, "/api/v1/drift", None, ADMIN),
        row(M::GET, "/api/v1/users", None, ADMIN),
        row(
            M::POST,
            "/api/v1/users",
            Json(json!({"username": "newbie"})),
            [401, 403, 403, 403, 201],
        ),
        row(M::GET, "/api/v1/users/{user}", None, ADMIN),
        row(
            M::PATCH,
            "/api/v1/users/{user}",
            Json(json!({"display_name": "Alice A."})),
            ADMIN,
        ),
        // The victim has no second factor to remove: 409 past authorization.
        row(
            M::DELETE,
            "/api/v1/users/{victim}/totp",
            None,
            [401, 403, 403, 403, 409],
        ),
        row(M::GET, "/api/v1/audit", None, ADMIN),
        // No directory is configured here: the lookup is absent even for administrators.
        row(
            M::GET,
            "/api/v1/directory/lookup?username=alice",
            None,
            [401, 403, 403, 403, 404],
        ),
        row(M::GET, "/api/v1/openapi.json", None, PUBLIC),
        row(M::GET, "/healthz", None, PUBLIC),
        row(M::GET, "/readyz", None, PUBLIC),
        row(M::GET, "/metrics", None, PUBLIC),
        row(M::GET, "/login", None, PUBLIC),
        // No OpenID provider is configured here: single sign-on is absent for everyone.
        row(M::GET, "/login/sso/school", None, [404, 404, 404, 404, 404]),
        row(
            M::GET,
            "/login/sso/school/callback?code=x&state=y",
            None,
            [404, 404, 404, 404, 404],
        ),
        // A second step whose sign-in is unknown (or over): for everyone alike.
        row(
            M::POST,
            "/login/code",
            Form(&[("pending", "nothing"), ("code", "123456")]),
            [401, 401, 401, 401, 401],
        ),
        row(M::POST, "/account/totp", None, PAGE),
        row(
            M::POST,
            "/account/totp/confirm",
            Form(&[("code", "000000")]),
            [303, 422, 422, 422, 422],
        ),
        row(M::GET, "/", None, PAGE),
        row(M::GET, "/account", None, PAGE),
        row(M::GET, "/requests/new", None, PAGE),
        row(
            M::POST,
            "/account/preferences",
            Form(&[("language", "de"), ("decision", "on")]),
            [303, 303, 303, 303, 303],
        ),
        row(
            M::POST,
            "/account/tokens",
            Form(&[
                ("name", "script"),
                ("expires_in_days", ""),
                ("password", crate::app::PASSWORD),
            ]),
            PAGE,
        ),
        row(
            M::POST,
            "/account/tokens/{fresh_token}/revoke",
            None,
            [303, 303, 404, 404, 404],
        ),
        row(
            M::POST,
            "/requests/{fresh}/cancel",
            None,
            [303, 303, 404, 404, 403],
        ),
        row(
            M::GET,
            "/machines/{machine}",
            None,
            [303, 200, 404, 404, 200],
        ),
        // Not provisioned yet: no credentials (409) past authorization.
        row(
            M::POST,
            "/machines/{machine}/credentials",
            None,
            [303, 409, 404, 404, 409],
        ),
        // The fixture's machine does not expire: 409 past authorization.
        row(
            M::POST,
            "/machines/{machine}/extend",
            Form(&[("days", "1")]),
            [303, 409, 404, 404, 409],
        ),
        row(M::GET, "/admin/expiring", None, ADMIN_PAGE),
        row(M::GET, "/machines", None, PAGE),
        row(
            M::GET,
            "/machines/{machine}/console",
            None,
            [303, 200, 404, 404, 200],
        ),
        row(
            M::GET,
            "/machines/{machine}/delete",
            None,
            [303, 200, 404, 404, 200],
        ),
        row(
            M::POST,
            "/machines/{fresh_machine}/delete",
            None,
            [303, 303, 404, 404, 303],
        ),
        row(
            M::POST,
            "/machines/{machine}/snapshots",
            Form(&[("name", "before_lab"), ("description", "")]),
            [303, 409, 404, 404, 409],
        ),
        row(
            M::POST,
            "/machines/{machine}/snapshots/{snapshot}/revert",
            None,
            [303, 404, 404, 404, 404],
        ),
        row(
            M::POST,
            "/machines/{machine}/snapshots/{snapshot}/delete",
            None,
            [303, 404, 404, 404, 404],
        ),
        row(M::GET, "/admin/requests", None, ADMIN_PAGE),
        row(
            M::POST,
            "/admin/requests/{fresh}/approve",
            None,
            [303, 403, 403, 403, 303],
        ),
        row(
            M::POST,
            "/admin/requests/{fresh}/reject",
            Form(&[("reason", "no")]),
            [303, 403, 403, 403, 303],
        ),
        row(M::GET, "/admin/users", None, ADMIN_PAGE),
        row(
            M::POST,
            "/admin/users",
            Form(&[("username", "formuser"), ("role", "user")]),
            [303, 403, 403, 403, 200],
        ),
        row(M::GET, "/admin/users/{user}", None, ADMIN_PAGE),
        row(
            M::POST,
            "/admin/users/{user}",
            Form(&[("display_name", "Alice B.")]),
            [303, 403, 403, 403, 303],
        ),
        row(
            M::POST,
            "/admin/users/{victim}/totp/reset",
            None,
            [303, 403, 403, 403, 409],
        ),
        row(
            M::POST,
            "/admin/users/{victim}/password",
            None,
            [303, 403, 403, 403, 200],
        ),
        row(M::GET, "/admin/templates", None, ADMIN_PAGE),
        row(M::GET, "/admin/templates/new", None, ADMIN_PAGE),
        row(M::GET, "/admin/templates/{template}", None, ADMIN_PAGE),
        row(
            M::POST,
            "/admin/templates/{template}",
            Form(&[
                ("name", "Debian 12"),
                ("provider", "local"),
                ("kind", "vm"),
                ("os_family", "linux"),
                ("source", "s"),
                ("default_cpus", "1"),
                ("default_memory_mib", "512"),
                ("default_disk_gib", "5"),
                ("max_cpus", "2"),
                ("max_memory_mib", "1024"),
                ("max_disk_gib", "10"),
                ("shutdown_timeout_secs", "60"),
                ("max_snapshots", "3"),
                ("enabled", "on"),
            ]),
            [303, 403, 403, 403, 303],
        ),
        row(
            M::POST,
            "/admin/templates",
            Form(&[
                ("name", "Form T"),
                ("provider", "local"),
                ("kind", "vm"),
                ("os_family", "linux"),
                ("source", "s"),
                ("default_cpus", "1"),
                ("default_memory_mib", "512"),
                ("default_disk_gib", "5"),
                ("max_cpus", "2"),
                ("max_memory_mib", "1024"),
                ("max_disk_gib", "10"),
                ("shutdown_timeout_secs", "60"),
                ("max_snapshots", "3"),
            ]),
            [303, 403, 403, 403, 303],
        ),
        row(M::GET, "/admin/providers", None, ADMIN_PAGE),
        row(M::GET, "/admin/audit", None, ADMIN_PAGE),
        row(M::GET, "/admin/drift", None, ADMIN_PAGE),
        row(M::GET, "/admin/jobs", None, ADMIN_PAGE),
        row(M::GET, "/admin/directory?username=alice", None, ADMIN_PAGE),
        // Courses. The teacher teaches the owner's course; the other user is in no course.
        row(M::GET, "/api/v1/courses", None, ANY),
        row(
            M::POST,
            "/api/v1/courses",
            Json(json!({"name": "Networks", "code": "net1"})),
            [401, 403, 403, 403, 201],
        ),
        row(
            M::GET,
            "/api/v1/courses/{course}",
            None,
            [401, 200, 404, 200, 200],
        ),
        // Teachers rename their course; students may not.
        row(
            M::PATCH,
            "/api/v1/courses/{course}",
            Json(json!({"name": "Operating systems"})),
            COURSE,
        ),
        // The quota is the administrators'.
        row(
            M::PATCH,
            "/api/v1/courses/{course}",
            Json(
                json!({"quota": {"machines": 1000, "cpus": 1000, "memory_mib": 10000000, "disk_gib": 100000}}),
            ),
            [401, 403, 404, 403, 200],
        ),
        row(
            M::DELETE,
            "/api/v1/courses/{fresh_course}",
            None,
            [401, 403, 404, 403, 204],
        ),
        row(M::GET, "/api/v1/courses/{course}/members", None, COURSE),
        row(
            M::PUT,
            "/api/v1/courses/{course}/members",
            Json(json!({"teachers": ["tina"], "students": ["alice"]})),
            COURSE,
        ),
        // Only administrators name teachers.
        row(
            M::PUT,
            "/api/v1/courses/{course}/members",
            Json(json!({"teachers": ["tina", "root"], "students": ["alice"]})),
            [401, 403, 404, 403, 200],
        ),
        row(
            M::POST,
            "/api/v1/courses/{course}/members/csv",
            Csv("username,display name,email\nalice\n"),
            COURSE,
        ),
        // The fixture's course follows no directory group: 422 past authorization.
        row(
            M::POST,
            "/api/v1/courses/{course}/members/sync",
            None,
            [401, 403, 404, 422, 422],
        ),
        // Every student already has a machine in the course: nothing new, but accepted.
        row(
            M::POST,
            "/api/v1/courses/{course}/deployments",
            Json(json!({"template_id": 1, "cpus": 1, "memory_mib": 512, "disk_gib": 5})),
            [401, 403, 404, 202, 202],
        ),
        row(
            M::GET,
            "/api/v1/courses/{course}/deployments/{deployment}",
            None,
            COURSE,
        ),
        row(M::GET, "/api/v1/courses/{course}/machines", None, COURSE),
        // Only the course's students ask for it.
        row(
            M::POST,
            "/api/v1/requests",
            Json(json!({"template_id": 1, "name": "c1", "purpose": "p", "course_id": 1})),
            [401, 201, 422, 422, 422],
        ),
        row(
            M::GET,
            "/api/v1/requests/{course_request}",
            None,
            [401, 200, 404, 200, 200],
        ),
        row(
            M::POST,
            "/api/v1/requests/{course_fresh}/approve",
            None,
            [401, 403, 403, 202, 202],
        ),
        row(
            M::POST,
            "/api/v1/requests/{course_fresh}/reject",
            Json(json!({"reason": "no"})),
            [401, 403, 403, 200, 200],
        ),
        row(
            M::POST,
            "/api/v1/requests/{course_fresh}/cancel",
            None,
            [401, 200, 404, 403, 403],
        ),
        row(
            M::GET,
            "/api/v1/machines/{course_machine}",
            None,
            [401, 200, 404, 200, 200],
        ),
        row(
            M::GET,
            "/api/v1/jobs/{course_job}",
            None,
            [401, 200, 404, 200, 200],
        ),
        row(
            M::GET,
            "/api/v1/jobs/{course_job}/events",
            None,
            [401, 200, 404, 200, 200],
        ),
        // Teachers start, shut down, stop and reboot (409: still provisioning, past
        // authorization), but neither delete (unless the course says so) nor read passwords.
        row(
            M::POST,
            "/api/v1/machines/{course_machine}/start",
            None,
            [401, 409, 404, 409, 409],
        ),
        row(
            M::POST,
            "/api/v1/machines/{course_machine}/shutdown",
            None,
            [401, 409, 404, 409, 409],
        ),
        row(
            M::POST,
            "/api/v1/machines/{course_machine}/stop",
            None,
            [401, 409, 404, 409, 409],
        ),
        row(
            M::POST,
            "/api/v1/machines/{course_machine}/reboot",
            None,
            [401, 409, 404, 409, 409],
        ),
        row(
            M::DELETE,
            "/api/v1/machines/{fresh_course_machine}",
            None,
            [401, 202, 404, 403, 202],
        ),
        row(
            M::GET,
            "/api/v1/machines/{course_machine}/credentials",
            None,
            [401, 409, 404, 403, 409],
        ),
        row(
            M::POST,
            "/api/v1/machines/{course_machine}/console",
            Json(json!({"view_only": true})),
            [401, 409, 404, 409, 409],
        ),
        row(
            M::GET,
            "/machines/{course_machine}",
            None,
            [303, 200, 404, 200, 200],
        ),
        // A course machine's teachers see its snapshots but neither take, revert nor delete one
        // (409 for the owner and an administrator: still provisioning, past authorization).
        row(
            M::GET,
            "/api/v1/machines/{course_machine}/snapshots",
            None,
            [401, 200, 404, 200, 200],
        ),
        row(
            M::POST,
            "/api/v1/machines/{course_machine}/snapshots",
            Json(json!({"name": "before_lab", "description": "d"})),
            [401, 409, 404, 403, 409],
        ),
        row(
            M::POST,
            "/api/v1/machines/{course_machine}/snapshots/{snapshot}/revert",
            None,
            [401, 404, 404, 403, 404],
        ),
        row(
            M::DELETE,
            "/api/v1/machines/{course_machine}/snapshots/{snapshot}",
            None,
            [401, 404, 404, 403, 404],
        ),
        row(
            M::POST,
            "/machines/{course_machine}/snapshots",
            Form(&[("name", "before_lab"), ("description", "")]),
            [303, 409, 404, 403, 409],
        ),
        row(
            M::POST,
            "/machines/{course_machine}/snapshots/{snapshot}/revert",
            None,
            [303, 404, 404, 403, 404],
        ),
        row(
            M::POST,
            "/machines/{course_machine}/snapshots/{snapshot}/delete",
            None,
            [303, 404, 404, 403, 404],
        ),
        row(M::GET, "/courses", None, PAGE),
        row(
            M::POST,
            "/courses",
            Form(&[
                ("name", "Page course"),
                ("code", "page1"),
                ("term_end", ""),
                ("quota_machines", "1"),
                ("quota_cpus", "1"),
                ("quota_memory_mib", "1024"),
                ("quota_disk_gib", "10"),
                ("teacher", "tina"),
            ]),
            [303, 403, 403, 403, 303],
        ),
        row(M::GET, "/courses/{course}", None, [303, 403, 404, 200, 200]),
        row(
            M::POST,
            "/courses/{course}/roster",
            Form(&[("csv", "alice")]),
            [303, 403, 404, 200, 200],
        ),
        row(
            M::POST,
            "/courses/{course}/deploy",
            Form(&[
                ("template_id", "1"),
                ("cpus", "1"),
                ("memory_mib", "512"),
                ("disk_gib", "5"),
            ]),
            [303, 403, 404, 303, 303],
        ),
    ]
}

/// Callers of every kind and objects owned by `alice` (the fuzz test uses it too).
pub(crate) struct Fixture {
    pub(crate) app: TestApp,
    /// Anonymous, owner, other user, a teacher of a course the owner attends, administrator.
    pub(crate) callers: [Client; 5],
    pub(crate) template: i64,
    pub(crate) request: i64,
    pub(crate) machine: i64,
    pub(crate) job: i64,
    pub(crate) alice: i64,
    victim: i64,
    course: i64,
    course_machine: i64,
    course_job: i64,
    course_request: i64,
    deployment: i64,
    /// Numbers the codes of fresh courses.
    made: std::sync::atomic::AtomicUsize,
}

pub(crate) async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let bob = app.signed_in("bob", Role::User).await;
    let tina = app.signed_in("tina", Role::User).await;
    let victim = app.user("victim", Role::User).await.id.0;
    let template = app.template(&admin, "Debian 12").await;
    let me: Value = app.get(&alice, "/api/v1/me").await.json().await.unwrap();
    let alice_id = me["user"]["id"].as_i64().unwrap();
    // Room for the requests every row files.
    let big = json!({"quota": {"machines": 1000, "cpus": 1000, "memory_mib": 10000000, "disk_gib": 100000}});
    for who in ["alice", "bob", "root"] {
        let id = app.store_user_id(who).await;
        app.patch(&admin, &format!("/api/v1/users/{id}"), big.clone())
            .await;
    }
    // Course 1: Alice attends, Tina teaches; one deployment gave Alice her course machine.
    let course = app.course(&admin, "os101", &["tina"], &["alice"]).await;
    let deployed: Value = app
        .post(
            &admin,
            &format!("/api/v1/courses/{course}/deployments"),
            json!({"template_id": template, "cpus": 1, "memory_mib": 512, "disk_gib": 5}),
        )
        .await
        .json()
        .await
        .unwrap();
    let course_request = app.course_request(&alice, template, course, "asked").await;
    let request = app.request(&alice, template, "owned").await;
    let approved = app.request(&alice, template, "owned-machine").await;
    let a: Value = app
        .post(
            &admin,
            &format!("/api/v1/requests/{approved}/approve"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    Fixture {
        callers: [app.client(), alice, bob, tina, admin],
        template,
        request,
        machine: a["machine_id"].as_i64().unwrap(),
        job: a["job_id"].as_i64().unwrap(),
        alice: alice_id,
        victim,
        course,
        course_machine: deployed["machines"][0].as_i64().unwrap(),
        course_job: deployed["jobs"][0].as_i64().unwrap(),
        course_request,
        deployment: deployed["deployment_id"].as_i64().unwrap(),
        made: Default::default(),
        app,
    }
}

impl TestApp {
    /// A course with a roster and room for every row's requests.
    async fn course(
        &self,
        admin: &Client,
        code: &str,
        teachers: &[&str],
        students: &[&str],
    ) -> i64 {
        let quota =
            json!({"machines": 1000, "cpus": 1000, "memory_mib": 10000000, "disk_gib": 100000});
        let r = self
            .post(
                admin,
                "/api/v1/courses",
                json!({"name": code, "code": code, "quota": quota}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = self
            .put(
                admin,
                &format!("/api/v1/courses/{id}/members"),
                json!({"teachers": teachers, "students": students}),
            )
            .await;
        assert_eq!(r.status(), 200);
        id
    }

    async fn course_request(
        &self,
        student: &Client,
        template: i64,
        course: i64,
        name: &str,
    ) -> i64 {
        let r = self
            .post(
                student,
                "/api/v1/requests",
                json!({"template_id": template, "name": name, "purpose": "lab", "course_id": course}),
            )
            .await;
        assert_eq!(r.status(), 201);
        r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    async fn store_user_id(&self, name: &str) -> i64 {
        use vmportal_core::store::prelude::*;
        self.store
            .user_for_login(name)
            .await
            .unwrap()
            .unwrap()
            .0
            .id
            .0
    }
}

impl Fixture {
    async fn path(&self, template: &str) -> String {
        let mut p = template
            .replace("{template}", &self.template.to_string())
            .replace("{request}", &self.request.to_string())
            .replace("{machine}", &self.machine.to_string())
            .replace("{no_extension}", "999999")
            .replace("{job}", &self.job.to_string())
            .replace("{user}", &self.alice.to_string())
            .replace("{victim}", &self.victim.to_string())
            .replace("{course}", &self.course.to_string())
            .replace("{course_machine}", &self.course_machine.to_string())
            .replace("{course_job}", &self.course_job.to_string())
            .replace("{course_request}", &self.course_request.to_string())
            .replace("{deployment}", &self.deployment.to_string())
            .replace("{snapshot}", "no_such_snapshot");
        let (alice, admin) = (&self.callers[1], &self.callers[4]);
        if p.contains("{course_fresh}") {
            let fresh = self
                .app
                .course_request(alice, self.template, self.course, "course-fresh")
                .await;
            p = p.replace("{course_fresh}", &fresh.to_string());
        }
        if p.contains("{fresh_course_machine}") {
            use vmportal_core::{audit::Actor, ids::RequestId, store::prelude::*};
            let fresh = self
                .app
                .course_request(alice, self.template, self.course, "course-machine")
                .await;
            let approval = self
                .app
                .store
                .approve_request(RequestId(fresh), &Actor::system("test"))
                .await
                .unwrap();
            p = p.replace("{fresh_course_machine}", &approval.machine.id.to_string());
        }
        if p.contains("{fresh_course}") {
            let n = self.made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let code = format!("fresh{n}");
            let fresh = self.app.course(admin, &code, &["tina"], &["alice"]).await;
            p = p.replace("{fresh_course}", &fresh.to_string());
        }
        if p.contains("{fresh_machine}") {
            use vmportal_core::{audit::Actor, ids::RequestId, store::prelude::*};
            let fresh = self
                .app
                .request(&self.callers[1], self.template, "fresh-machine")
                .await;
            let approval = self
                .app
                .store
                .approve_request(RequestId(fresh), &Actor::system("test"))
                .await
                .unwrap();
            p = p.replace("{fresh_machine}", &approval.machine.id.to_string());
        }
        if p.contains("{fresh_token}") {
            let made: Value = self
                .app
                .post(
                    &self.callers[1],
                    "/api/v1/tokens",
                    json!({"name": "fresh", "password": crate::app::PASSWORD}),
                )
                .await
                .json()
                .await
                .unwrap();
            p = p.replace("{fresh_token}", &made["id"].to_string());
        }
        if p.contains("{fresh}") {
            let fresh = self
                .app
                .request(&self.callers[1], self.template, "fresh")
                .await;
            p = p.replace("{fresh}", &fresh.to_string());
        }
        p
    }
}

#[tokio::test]
async fn every_route_answers_each_caller_as_it_should() {
    let f = fixture().await;
    let who = ["anonymous", "owner", "other user", "teacher", "admin"];
    let mut failures = Vec::new();
    for row in table() {
        for (i, client) in f.callers.iter().enumerate() {
            let path = f.path(row.path).await;
            let mut req = client.request(row.method.clone(), f.app.url(&path));
            req = match &row.body {
                Body::None => req,
                Body::Json(v) => req.json(v),
                Body::Form(fields) => req.form(fields),
                Body::Csv(text) => req.header("content-type", "text/csv").body(*text),
            };
            let r = req.send().await.unwrap();
            let got = r.status().as_u16();
            if got != row.expect[i] {
                failures.push(format!(
                    "{} {} as {}: expected {}, got {}",
                    row.method, row.path, who[i], row.expect[i], got
                ));
            }
            // JSON errors carry a code; foreign objects are "not_found", never "forbidden".
            if path.starts_with("/api/") && got >= 400 {
                let v: Value = r.json().await.unwrap();
                let code = v["error"]["code"].as_str().unwrap_or_default().to_owned();
                let want = match got {
                    401 => "unauthenticated",
                    403 => "forbidden",
                    404 => "not_found",
                    _ => code.as_str(),
                };
                if code != want {
                    failures.push(format!(
                        "{} {} as {}: code {code}, expected {want}",
                        row.method, row.path, who[i]
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The owner's own request was seen by the owner and the admin, and by nobody else.
    let bob_list: Value = f
        .app
        .get(&f.callers[2], "/api/v1/requests")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        bob_list
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["username"] == "bob"),
        "{bob_list}"
    );
}

#[tokio::test]
async fn the_table_covers_every_documented_route() {
    let doc = vmportal_web::openapi();
    let documented: BTreeSet<String> = doc
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            let methods = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PUT", item.put.is_some()),
            ];
            methods
                .into_iter()
                .filter(|(_, has)| *has)
                .map(move |(m, _)| {
                    let path = path.replace("{id}", "*").replace("{deployment}", "*");
                    format!("{m} {path}")
                })
        })
        .collect();
    let covered: BTreeSet<String> = table()
        .iter()
        .map(|r| {
            let mut p = r.path.split('?').next().unwrap_or_default().to_owned();
            for k in [
                "{fresh_course_machine}",
                "{fresh_course}",
                "{course_fresh}",
                "{course_machine}",
                "{course_job}",
                "{course_request}",
                "{course}",
                "{deployment}",
                "{template}",
                "{request}",
                "{fresh_machine}",
                "{fresh_token}",
                "{fresh}",
                "{machine}",
                "{job}",
                "{user}",
                "{victim}",
                "{no_extension}",
            ] {
                p = p.replace(k, "*");
            }
            p = p.replace("{snapshot}", "{name}");
            format!("{} {p}", r.method)
        })
        .collect();
    // Sign-in and sign-out are covered by the session tests.
    let missing: Vec<_> = documented
        .iter()
        .filter(|r| !covered.contains(*r) && !r.ends_with("/login") && !r.ends_with("/logout"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes not in the authorization table: {missing:?}"
    );
}
