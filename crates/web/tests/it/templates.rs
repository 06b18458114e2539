use crate::app::{TestApp, invalid_fields};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vmportal_core::user::Role;

#[tokio::test]
async fn catalogue_is_managed_by_admins_and_checked() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let t = app.template(&admin, "Debian 12").await;

    let same_name = json!({"name": "Debian 12", "provider": "local", "kind": "vm", "os_family": "linux", "source": "x"});
    assert_eq!(
        invalid_fields(app.post(&admin, "/api/v1/templates", same_name).await).await,
        ["name"]
    );
    let bad = json!({"name": "W", "provider": "elsewhere", "kind": "box", "os_family": "linux", "source": "x", "default_cpus": 8, "max_cpus": 4});
    assert_eq!(
        invalid_fields(app.post(&admin, "/api/v1/templates", bad).await).await,
        ["provider", "kind", "default_cpus"]
    );
    let unknown_field = json!({"name": "W", "colour": "blue"});
    assert_eq!(
        app.post(&admin, "/api/v1/templates", unknown_field)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // A change that would make defaults exceed limits is refused whole.
    let r = app
        .patch(
            &admin,
            &format!("/api/v1/templates/{t}"),
            json!({"max_cpus": 2, "default_memory_mib": 99999}),
        )
        .await;
    assert_eq!(invalid_fields(r).await, ["default_memory_mib"]);
    let r = app
        .patch(
            &admin,
            &format!("/api/v1/templates/{t}"),
            json!({"max_cpus": 2, "description": "smaller"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["limits"]["cpus"].as_i64(), v["description"].as_str()),
        (Some(2), Some("smaller"))
    );
    assert_eq!(
        app.patch(&admin, "/api/v1/templates/999", json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Disabled entries disappear from users' catalogue and cannot be asked for.
    app.patch(
        &admin,
        &format!("/api/v1/templates/{t}"),
        json!({"enabled": false}),
    )
    .await;
    let seen: Value = app
        .get(&alice, "/api/v1/templates")
        .await
        .json()
        .await
        .unwrap();
    assert!(seen.as_array().unwrap().is_empty());
    let all: Value = app
        .get(&admin, "/api/v1/templates")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 1);
    let ask = json!({"template_id": t, "name": "x1", "purpose": "p"});
    assert_eq!(
        invalid_fields(app.post(&alice, "/api/v1/requests", ask).await).await,
        ["template_id"]
    );
    let actions = app.audit_actions().await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| a.starts_with("template."))
            .count(),
        3
    );
}

#[tokio::test]
async fn providers_are_listed_with_reachability() {
    let providers = vec![
        crate::app::libvirt("local", "test:///default"),
        crate::app::libvirt("far", "qemu+tcp://127.0.0.1:9/system"),
    ];
    let app = TestApp::with_providers(crate::app::test_config(), providers).await;
    let admin = app.signed_in("root", Role::Admin).await;
    let v: Value = app
        .get(&admin, "/api/v1/providers")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v[0]["name"], "far");
    assert_eq!(v[0]["reachable"], false, "nothing listens on port 9: {v}");
    assert!(
        v[0]["detail"]
            .as_str()
            .unwrap()
            .contains("cannot reach libvirt"),
        "{v}"
    );
    assert_eq!(v[1]["name"], "local");
    assert_eq!(v[1]["reachable"], true, "{v}");
}

#[tokio::test]
async fn each_host_of_a_provider_with_several_is_shown() {
    let host = |name: &str, uri: &str| vmportal_libvirt::HostConfig {
        name: name.into(),
        uri: uri.into(),
        pool: None,
        network: None,
        domain_type: None,
        memory_mib: Some(4096),
    };
    let lab = vmportal_libvirt::LibvirtConfig {
        uri: String::new(),
        hosts: vec![
            host("kvm1", "test:///default"),
            host("kvm2", "qemu+tcp://127.0.0.1:9/system"),
        ],
        ..vmportal_libvirt::LibvirtConfig::test_driver()
    };
    lab.validate().unwrap();
    let app = TestApp::with_providers(crate::app::test_config(), vec![("lab".into(), lab)]).await;
    let admin = app.signed_in("root", Role::Admin).await;
    let v: Value = app
        .get(&admin, "/api/v1/providers")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v[0]["reachable"], true, "one host of two answers: {v}");
    let hosts = &v[0]["hosts"];
    assert_eq!(hosts[0]["name"], "kvm1");
    assert_eq!(hosts[0]["reachable"], true, "{v}");
    assert!(hosts[0]["free_memory_mib"].as_u64().unwrap() <= 4096, "{v}");
    assert!(hosts[0]["free_disk_gib"].is_u64(), "{v}");
    assert!(hosts[0]["guests"].is_u64(), "{v}");
    assert_eq!(hosts[1]["name"], "kvm2");
    assert_eq!(hosts[1]["reachable"], false);
    assert!(
        hosts[1]["error"]
            .as_str()
            .unwrap()
            .contains("cannot reach libvirt"),
        "{v}"
    );
    let page = app
        .get(&admin, "/admin/providers")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Hosts of lab"), "{page}");
    assert!(page.contains("<td>kvm2</td>"), "{page}");
}

#[tokio::test]
async fn windows_templates_carry_a_locale() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let body = |locale: &str| json!({"name": "Windows 11", "provider": "local", "kind": "vm", "os_family": "windows", "source": "win11.qcow2", "locale": locale});
    assert_eq!(
        invalid_fields(app.post(&admin, "/api/v1/templates", body("french")).await).await,
        ["locale"]
    );
    let r = app.post(&admin, "/api/v1/templates", body("fr-FR")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let t: Value = r.json().await.unwrap();
    assert_eq!(
        (t["os_family"].as_str(), t["locale"].as_str()),
        (Some("windows"), Some("fr-FR"))
    );
    let cleared: Value = app
        .patch(
            &admin,
            &format!("/api/v1/templates/{}", t["id"]),
            json!({"locale": ""}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["locale"], Value::Null);
}
