//! Lists a page at a time: the array body, `X-Total-Count`, `Link`, filters, sorting and the limits
//! of the query parameters, in the API and on the pages.

use crate::app::{TestApp, invalid_fields};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use vmportal_core::user::Role;

async fn page(r: Response) -> (Vec<Value>, i64, String) {
    assert_eq!(r.status(), StatusCode::OK);
    let total = r.headers()["x-total-count"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let link = r
        .headers()
        .get("link")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body: Value = r.json().await.unwrap();
    (body.as_array().expect("an array body").clone(), total, link)
}

fn names(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| r["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn machine_lists_are_paged_filtered_and_sorted_in_the_database() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let bob = app.signed_in("bob", Role::User).await;
    let t = app.template(&admin, "Debian 12").await;
    for name in ["web-01", "web-02", "db-01"] {
        let id = app.request(&alice, t, name).await;
        app.approve(&admin, id).await;
    }
    let id = app.request(&bob, t, "bob-web").await;
    app.approve(&admin, id).await;

    let (rows, total, link) = page(app.get(&alice, "/api/v1/machines?per_page=2").await).await;
    assert_eq!((names(&rows), total), (vec!["db-01", "web-02"], 3));
    assert!(
        link.contains("</api/v1/machines?page=2&per_page=2>; rel=\"next\""),
        "{link}"
    );
    assert!(!link.contains("rel=\"prev\""), "{link}");
    let (rows, _, link) = page(app.get(&alice, "/api/v1/machines?per_page=2&page=2").await).await;
    assert_eq!(names(&rows), vec!["web-01"]);
    assert!(link.contains("page=1&per_page=2>; rel=\"prev\""), "{link}");
    assert!(!link.contains("rel=\"next\""), "{link}");

    // Search, sort and state; a user never sees another's machines, whatever they ask.
    let (rows, total, _) = page(app.get(&alice, "/api/v1/machines?q=WEB&sort=name").await).await;
    assert_eq!((names(&rows), total), (vec!["web-01", "web-02"], 2));
    let (rows, _, _) = page(app.get(&alice, "/api/v1/machines?sort=-name").await).await;
    assert_eq!(names(&rows), vec!["web-02", "web-01", "db-01"]);
    let (rows, total, _) = page(app.get(&alice, "/api/v1/machines?owner=bob").await).await;
    assert_eq!((rows.len(), total), (0, 0));
    let (rows, _, _) = page(app.get(&admin, "/api/v1/machines?q=web&sort=owner").await).await;
    assert_eq!(names(&rows), vec!["web-01", "web-02", "bob-web"]);
    let (rows, _, _) = page(app.get(&admin, "/api/v1/machines?owner=bob").await).await;
    assert_eq!(names(&rows), vec!["bob-web"]);
    let (_, total, _) = page(app.get(&admin, "/api/v1/machines?state=provisioning").await).await;
    assert_eq!(total, 4);
    let (_, total, _) = page(app.get(&admin, "/api/v1/machines?state=running").await).await;
    assert_eq!(total, 0);
    // `%` is a character like another, not a wildcard.
    let (_, total, _) = page(app.get(&admin, "/api/v1/machines?q=%25").await).await;
    assert_eq!(total, 0);

    // Far pages are empty, not an overflow; nonsense is a field error.
    let (rows, total, link) = page(
        app.get(
            &admin,
            "/api/v1/machines?page=9223372036854775807&per_page=500",
        )
        .await,
    )
    .await;
    assert_eq!((rows.len(), total), (0, 4));
    assert!(
        link.contains("page=1&per_page=500>; rel=\"prev\""),
        "{link}"
    );
    for (query, field) in [
        ("page=0", "page"),
        ("per_page=501", "per_page"),
        ("sort=id;drop", "sort"),
        ("state=lost", "state"),
    ] {
        let r = app.get(&admin, &format!("/api/v1/machines?{query}")).await;
        assert_eq!(invalid_fields(r).await, vec![field], "{query}");
    }

    // Jobs: the same rules, through the machines they work on.
    let (rows, total, _) = page(app.get(&alice, "/api/v1/jobs?state=queued").await).await;
    assert_eq!((rows.len(), total), (3, 3));
    let (_, total, _) = page(app.get(&admin, "/api/v1/jobs?q=bob").await).await;
    assert_eq!(total, 1);
}

#[tokio::test]
async fn other_lists_page_the_same_way() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    for i in 0..3 {
        app.user(&format!("student{i}"), Role::User).await;
    }
    let (rows, total, link) =
        page(app.get(&admin, "/api/v1/users?q=student&per_page=2").await).await;
    assert_eq!((rows.len(), total), (2, 3));
    assert_eq!(rows[0]["username"], "student0");
    assert!(link.contains("rel=\"last\""), "{link}");
    let (_, total, _) = page(app.get(&admin, "/api/v1/users?state=disabled").await).await;
    assert_eq!(total, 0);

    let r = app.get(&admin, "/api/v1/audit?per_page=1").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key("link"));
    let total: i64 = r.headers()["x-total-count"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["total"], total);
    assert_eq!(body["events"].as_array().unwrap().len(), 1);

    let (rows, total, _) = page(app.get(&admin, "/api/v1/drift?state=missing").await).await;
    assert_eq!((rows.len(), total), (0, 0));
    let (_, total, _) = page(app.get(&admin, "/api/v1/requests?state=pending").await).await;
    assert_eq!(total, 0);
}

#[tokio::test]
async fn administrators_find_every_machine_on_their_own_page() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let t = app.template(&admin, "Debian 12").await;
    let id = app.request(&alice, t, "alice-vm").await;
    app.approve(&admin, id).await;

    let home = app.get(&admin, "/").await.text().await.unwrap();
    assert!(
        !home.contains("alice-vm"),
        "the home page lists only one's own"
    );
    let all = app
        .get(&admin, "/machines?q=alice")
        .await
        .text()
        .await
        .unwrap();
    assert!(all.contains("All machines") && all.contains("alice-vm"));
    assert!(all.contains("Page 1 of 1 (1 in all)"));
    let none = app
        .get(&admin, "/machines?q=nobody")
        .await
        .text()
        .await
        .unwrap();
    assert!(none.contains("Nothing matches."));
    let mine = app.get(&alice, "/machines").await.text().await.unwrap();
    assert!(mine.contains("My machines") && mine.contains("alice-vm"));
    let requests = app
        .get(&admin, "/admin/requests?state=approved&q=alice")
        .await
        .text()
        .await
        .unwrap();
    assert!(requests.contains("alice-vm"));
    let r = app.get(&admin, "/admin/users?per_page=0").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
