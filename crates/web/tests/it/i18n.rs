//! Languages: the user's preference, else the browser's Accept-Language, else the default; API
//! codes stay English while messages follow the language.

use crate::app::TestApp;
use reqwest::{Client, StatusCode, header::ACCEPT_LANGUAGE};
use serde_json::{Value, json};
use vmportal_core::user::Role;

async fn page(app: &TestApp, client: &Client, path: &str, accept: &str) -> String {
    let r = client
        .get(app.url(path))
        .header(ACCEPT_LANGUAGE, accept)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

async fn put_prefs(app: &TestApp, client: &Client, body: Value) -> Value {
    let r = client
        .put(app.url("/api/v1/me/preferences"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_browser_language_is_used_until_the_user_chooses_one() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice", Role::User).await;

    let fr = page(&app, &alice, "/", "fr-CH, fr;q=0.9, en;q=0.5").await;
    assert!(fr.contains(r#"<html lang="fr">"#));
    assert!(fr.contains("<h1>Mes machines</h1>"), "{fr}");
    let de = page(&app, &alice, "/requests/new", "de-AT").await;
    assert!(de.contains("Maschine beantragen"));
    let unknown = page(&app, &alice, "/", "es, pt;q=0.8").await;
    assert!(unknown.contains("<h1>My machines</h1>"), "the default");

    let prefs = put_prefs(&app, &alice, json!({"language": "it"})).await;
    assert_eq!(prefs["language"], "it");
    assert_eq!(prefs["notifications"]["decision"], true, "left as it was");
    let it = page(&app, &alice, "/", "fr").await;
    assert!(
        it.contains("<h1>Le mie macchine</h1>"),
        "the preference wins"
    );

    let prefs = put_prefs(
        &app,
        &alice,
        json!({"language": null, "notifications": {"decision": false}}),
    )
    .await;
    assert_eq!(prefs["language"], Value::Null);
    assert_eq!(prefs["notifications"]["decision"], false);
    assert_eq!(prefs["notifications"]["machine_ready"], true);
    let again = app
        .get(&alice, "/api/v1/me/preferences")
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(again, prefs);
    assert!(page(&app, &alice, "/", "fr").await.contains("Mes machines"));

    let r = alice
        .put(app.url("/api/v1/me/preferences"))
        .json(&json!({"language": "es"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_configured_default_serves_browsers_that_ask_for_nothing_spoken() {
    let config = vmportal_web::WebConfig {
        default_language: vmportal_core::Lang::De,
        ..crate::app::test_config()
    };
    let app = TestApp::with_config(config).await;
    let login = page(&app, &app.client(), "/login", "ja").await;
    assert!(login.contains("<h1>Anmelden</h1>"), "{login}");
    let fr = page(&app, &app.client(), "/login", "fr").await;
    assert!(fr.contains("<h1>Connexion</h1>"));
}

#[tokio::test]
async fn api_codes_stay_english_and_messages_follow_the_language() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("boss", Role::Admin).await;
    let template = app.template(&admin, "Debian").await;
    let alice = app.signed_in("alice", Role::User).await;
    let bad = json!({"template_id": template, "name": "-x", "cpus": 99, "memory_mib": 1024, "disk_gib": 10, "purpose": "tesi"});
    let r = alice
        .post(app.url("/api/v1/requests"))
        .header(ACCEPT_LANGUAGE, "it-IT,it;q=0.9")
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "invalid_input");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("dati non validi: "), "{message}");
    let fields = v["error"]["fields"].as_array().unwrap();
    let of = |name: &str| {
        fields.iter().find(|f| f["field"] == name).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(of("name"), "non può iniziare o finire con '-'");
    assert_eq!(of("cpus"), "deve essere compreso tra 1 e 4");

    // Not signed in, in French; the code is the same word in every language.
    let r = app
        .client()
        .get(app.url("/api/v1/me"))
        .header(ACCEPT_LANGUAGE, "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "unauthenticated");
    assert_eq!(v["error"]["message"], "connectez-vous d'abord");

    // A state inside a sentence is said in the same language.
    let id = app.request(&alice, template, "thesis").await;
    app.approve(&admin, id).await;
    put_prefs(&app, &admin, json!({"language": "de"})).await;
    let r = app
        .post(&admin, &format!("/api/v1/requests/{id}/approve"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "conflict");
    assert_eq!(v["error"]["message"], "der Antrag ist bereits genehmigt");
}

#[tokio::test]
async fn form_errors_plurals_and_dates_follow_the_language() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("boss", Role::Admin).await;
    let template = app.template(&admin, "Debian").await;
    let alice = app.signed_in("alice", Role::User).await;

    // The user quota allows 3 machines: "3 macchine", then after two requests "una macchina".
    let form = page(&app, &alice, "/requests/new", "it").await;
    assert!(
        form.contains("Ti restano nella quota: 3 macchine,"),
        "{form}"
    );
    app.request(&alice, template, "one").await;
    app.request(&alice, template, "two").await;
    let form = page(&app, &alice, "/requests/new", "it").await;
    assert!(form.contains("Ti restano nella quota: una macchina,"));
    let fr = page(&app, &alice, "/requests/new", "fr").await;
    assert!(fr.contains("Il vous reste : une machine,"));

    let r = alice
        .post(app.url("/requests/new"))
        .header(ACCEPT_LANGUAGE, "fr")
        .form(&[
            ("template_id", template.to_string().as_str()),
            ("name", "x"),
            ("cpus", "deux"),
            ("memory_mib", "1024"),
            ("disk_gib", "10"),
            ("purpose", "mémoire"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("Veuillez corriger les champs signalés ci-dessous."));
    assert!(body.contains("doit être un nombre entier"), "{body}");

    // Dates: day, month name and order of each language.
    let today = vmportal_core::now();
    let dash = page(&app, &alice, "/", "de").await;
    let month_de = [
        "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.",
        "Dez.",
    ];
    let expected = format!(
        "{}. {} {}",
        today.day(),
        month_de[today.month() as usize - 1],
        today.year()
    );
    assert!(dash.contains(&expected), "{expected} in {dash}");
    let dash = page(&app, &alice, "/", "fr").await;
    assert!(dash.contains(" à "), "French puts « à » before the time");
}

#[tokio::test]
async fn the_account_page_saves_language_and_mail_choices() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice", Role::User).await;
    let r = app
        .post_form(
            &alice,
            "/account/preferences",
            &[("language", "fr"), ("decision", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let prefs: Value = app
        .get(&alice, "/api/v1/me/preferences")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(prefs["language"], "fr");
    assert_eq!(prefs["notifications"]["decision"], true);
    assert_eq!(prefs["notifications"]["machine_ready"], false);
    assert_eq!(
        prefs["notifications"]["new_request"], true,
        "not on a user's form"
    );
    let account = page(&app, &alice, "/account", "de").await;
    assert!(account.contains("<h1>Mon compte</h1>"));
    assert!(account.contains(r#"<option value="fr" lang="fr" selected>Français</option>"#));
    assert!(
        app.audit_actions()
            .await
            .contains(&"user.preferences".to_owned())
    );
}
