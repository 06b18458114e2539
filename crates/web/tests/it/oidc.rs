//! Single sign-on against a real OpenID provider: the certified `oidc-provider` (npm, pinned in
//! `crates/web/tests/oidc-provider/package-lock.json`, installed by `scripts/oidc-provider.sh`)
//! under Debian's nodejs on a loopback port, over TLS from a CA this test makes. Its login page is
//! driven by Chromium for the sign-ins people make, and by a plain HTTP client where a test must
//! hold the provider's answer in its hands (to bring it twice, or from another browser).

use crate::app::{TestApp, test_config};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    sync::Arc,
    time::Duration,
};
use thirtyfour::prelude::*;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};
use vmportal_core::{
    sso::IdentityProvider,
    store::prelude::*,
    user::{Role, UserSource},
};
use vmportal_oidc::{OidcConfig, OidcProvider};
use vmportal_test_browser::{ChromeDriver, Shots, output_dir, submit, wait_for_text};

const CLIENT_ID: &str = "vmportal";
const CLIENT_SECRET: &str = "a client secret of the test";

/// The provider's people: login -> claims. `groups` decides the portal role (see `config`).
fn accounts() -> Value {
    json!({
        "alice": {"preferred_username": "alice", "name": "Alice Liddell",
                  "email": "alice@school.example", "email_verified": true,
                  "groups": ["students"]},
        "tina": {"preferred_username": "tina", "name": "Tina Teacher",
                 "groups": ["teachers", "vmportal-admins"]},
        "guest": {"preferred_username": "guest", "name": "A Guest", "groups": ["visitors"]},
        // Claims the name of the portal's local administrator, with a verified address.
        "imposter": {"preferred_username": "root", "name": "Not Root",
                     "email": "root@school.example", "email_verified": true,
                     "groups": ["students"]}
    })
}

/// `oidc-provider` on a loopback port with a certificate of the test's CA; killed when dropped.
struct TestProvider {
    _child: Child,
    dir: tempfile::TempDir,
    issuer: String,
}

impl TestProvider {
    async fn start(redirect_uri: &str) -> TestProvider {
        let dir = tempfile::tempdir().unwrap();
        vmportal_test_slapd::make_certificates(dir.path());
        let accounts_file = dir.path().join("accounts.json");
        std::fs::write(&accounts_file, accounts().to_string()).unwrap();
        let port = free_port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-provider");
        assert!(
            script.join("node_modules/oidc-provider").exists(),
            "oidc-provider is not installed: run scripts/oidc-provider.sh (scripts/test does)"
        );
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(&script)
            .env("PORT", port.to_string())
            .env("TLS_CERT", dir.path().join("server.crt"))
            .env("TLS_KEY", dir.path().join("server.key"))
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URI", redirect_uri)
            .env("ACCOUNTS", &accounts_file)
            .env("MODE_FILE", dir.path().join("mode"))
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node not found: install Debian's nodejs (scripts/test does)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the provider did not start in 30 s")
            .unwrap();
        let issuer = format!("https://127.0.0.1:{port}");
        assert_eq!(
            ready.as_deref(),
            Some(format!("listening {issuer}").as_str())
        );
        // Whatever it prints later is read (a closed pipe would make node exit on EPIPE).
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        TestProvider {
            _child: child,
            dir,
            issuer,
        }
    }

    fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// What the token endpoint's answers go through (see `provider.mjs`).
    fn set_mode(&self, mode: &str) {
        std::fs::write(self.dir.path().join("mode"), mode).unwrap();
    }

    /// The base64 SHA-256 of the provider's public key, for Chromium's
    /// `--ignore-certificate-errors-spki-list` (the browser does not know the test's CA; the
    /// portal, which checks the tokens, trusts exactly that CA).
    fn spki_hash(&self) -> String {
        let cert = self.dir.path().join("server.crt");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "openssl x509 -in '{}' -pubkey -noout | openssl pkey -pubin -outform der \
                 | openssl dgst -sha256 -binary | openssl enc -base64",
                cert.display()
            ))
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn config(provider: &TestProvider) -> OidcConfig {
    OidcConfig {
        id: "school".into(),
        label: "School account".into(),
        issuer: provider.issuer.clone(),
        client_id: CLIENT_ID.into(),
        client_secret_env: None,
        client_secret_file: Some(provider.dir.path().join("client-secret")),
        scopes: vec!["profile".into(), "email".into()],
        username_claim: "preferred_username".into(),
        groups_claim: "groups".into(),
        admin_group: Some("vmportal-admins".into()),
        user_group: Some("students".into()),
        ca_file: Some(provider.ca_file()),
        timeout_secs: 10,
    }
}

/// The portal with a local administrator `root`, and the provider it trusts.
async fn portal() -> (TestApp, TestProvider) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let public_url = format!("http://{}", listener.local_addr().unwrap());
    let provider = TestProvider::start(&format!("{public_url}/login/sso/school/callback")).await;
    std::fs::write(provider.dir.path().join("client-secret"), CLIENT_SECRET).unwrap();
    let oidc = OidcProvider::new(config(&provider), &public_url).unwrap();
    let sso: Vec<Arc<dyn IdentityProvider>> = vec![Arc::new(oidc)];
    let mut web = test_config();
    web.public_url = public_url;
    let app = TestApp::with_sso(web, listener, sso).await;
    app.user("root", Role::Admin).await;
    (app, provider)
}

/// A browser-like client that trusts the test's CA, keeps cookies and shows redirects.
fn http_client(provider: &TestProvider) -> Client {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(provider.ca_file()).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()[header::LOCATION].to_str().unwrap().to_owned()
}

/// Starts a sign-in at the portal with `client` and signs in at the provider's login page as
/// `login`; the portal's callback URL the provider redirects to (not yet visited).
async fn answer_for(
    app: &TestApp,
    provider: &TestProvider,
    client: &Client,
    login: &str,
) -> String {
    let r = client
        .get(app.url("/login/sso/school"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut url = location(&r);
    assert!(
        url.starts_with(&format!("{}/auth?", provider.issuer)),
        "{url}"
    );
    assert!(url.contains("code_challenge_method=S256") && url.contains("nonce="));
    // Follow the provider's redirects to its login form, post it, and follow on until the
    // provider sends the browser back to the portal.
    let mut posted = false;
    for _ in 0..10 {
        if url.starts_with(&app.url("/")) {
            return url;
        }
        let absolute = if url.starts_with('/') {
            format!("{}{url}", provider.issuer)
        } else {
            url.clone()
        };
        let r = client.get(&absolute).send().await.unwrap();
        if r.status().is_redirection() {
            url = location(&r);
            continue;
        }
        assert_eq!(r.status(), StatusCode::OK, "{absolute}");
        assert!(
            !posted,
            "the provider asked twice: {}",
            r.text().await.unwrap()
        );
        let page = r.text().await.unwrap();
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the provider's login form")
            .to_owned();
        let action = if action.starts_with('/') {
            format!("{}{action}", provider.issuer)
        } else {
            action
        };
        let r = client
            .post(action)
            .form(&[("prompt", "login"), ("login", login), ("password", "any")])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection(), "{}", r.status());
        url = location(&r);
        posted = true;
    }
    panic!("the provider never sent the browser back: {url}");
}

async fn me(app: &TestApp, client: &Client) -> Value {
    let r = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// In Chromium: the sign-in page's button, the provider's login page, back at the portal signed
/// in; the account made at the first sign-in and found again at the second, its role from its
/// groups; someone in no allowed group is refused; the local administrator's name is not
/// taken over by an identity that claims it.
#[tokio::test]
async fn sign_in_with_the_provider_in_chromium() {
    let (app, provider) = portal().await;
    let chromedriver = ChromeDriver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let flags = [
        format!(
            "--ignore-certificate-errors-spki-list={}",
            provider.spki_hash()
        ),
        // The provider's page asks for a web font: nothing may leave the machine.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1".to_owned(),
    ];
    let driver = chromedriver.browser(profile.path(), &flags).await;
    let mut shots = Shots::new(output_dir().join("oidc"));

    let sign_in = async |login: &str| {
        driver.delete_all_cookies().await.unwrap();
        driver.goto(app.url("/login")).await.unwrap();
        wait_for_text(&driver, "Sign in with School account").await;
        submit(&driver, "a#sso-school").await;
        wait_for_text(&driver, "Sign-in").await;
        for (field, value) in [("login", login), ("password", "any")] {
            driver
                .find(By::Css(format!("input[name={field}]")))
                .await
                .unwrap()
                .send_keys(value)
                .await
                .unwrap();
        }
        submit(&driver, "button.login-submit").await;
    };

    sign_in("alice").await;
    wait_for_text(&driver, "Sign out").await;
    shots.take(&driver, "signed-in-as-alice").await;
    let alice = app.store.user_for_login("alice").await.unwrap().unwrap().0;
    assert_eq!(alice.source, UserSource::Oidc);
    assert_eq!(alice.role, Role::User);
    assert_eq!(alice.display_name, "Alice Liddell");
    assert_eq!(alice.email.as_deref(), Some("alice@school.example"));
    // The second sign-in finds the same account.
    submit(&driver, "form[action='/logout'] button").await;
    wait_for_text(&driver, "Sign in with").await;
    sign_in("alice").await;
    wait_for_text(&driver, "Sign out").await;
    let again = app.store.user_by_identity(&provider.issuer, "alice").await;
    assert_eq!(again.unwrap().unwrap().id, alice.id);

    sign_in("tina").await;
    wait_for_text(&driver, "Sign out").await;
    let tina = app.store.user_for_login("tina").await.unwrap().unwrap().0;
    assert_eq!((tina.role, tina.source), (Role::Admin, UserSource::Oidc));
    // Tina never got an e-mail address verified by the provider, and the portal keeps none.
    assert_eq!(tina.email, None);

    sign_in("guest").await;
    wait_for_text(&driver, "not a member of a group allowed").await;
    shots.take(&driver, "refused-no-group").await;
    assert!(app.store.user_for_login("guest").await.unwrap().is_none());

    sign_in("imposter").await;
    wait_for_text(&driver, "never takes over").await;
    let root = app.store.user_for_login("root").await.unwrap().unwrap().0;
    assert_eq!(root.source, UserSource::Local);
    assert!(
        app.store
            .user_by_identity(&provider.issuer, "imposter")
            .await
            .unwrap()
            .is_none()
    );
    driver.quit().await.unwrap();

    let audit = app.audit().await;
    let logins = audit
        .iter()
        .filter(|e| e.action == "session.login" && e.detail.starts_with("school: "))
        .count();
    assert_eq!(logins, 3, "alice twice and tina");
    let refused: Vec<&str> = audit
        .iter()
        .filter(|e| e.action == "session.login_failed")
        .map(|e| e.detail.as_str())
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
}

/// The provider's answer signs in only the browser that started the sign-in, only once; a code
/// already redeemed is refused by the provider when brought again with a fresh state.
#[tokio::test]
async fn the_answer_counts_once_and_only_in_the_browser_that_asked() {
    let (app, provider) = portal().await;
    let browser = http_client(&provider);
    let callback = answer_for(&app, &provider, &browser, "alice").await;

    // Another browser (an attacker's link, no state cookie): refused, nothing made.
    let other = http_client(&provider);
    let r = other.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("could not be verified"));
    assert!(app.store.user_for_login("alice").await.unwrap().is_none());
    // That did not use up the state: the browser that asked signs in.
    let r = browser.get(&callback).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    assert_eq!(me(&app, &browser).await["user"]["username"], "alice");

    // The same answer again: the state is used up.
    let r = browser.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // The used code with the state of a new sign-in of this browser: the provider refuses it.
    let fresh = http_client(&provider);
    let r = fresh
        .get(app.url("/login/sso/school"))
        .send()
        .await
        .unwrap();
    let state = location(&r)
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let code = callback
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let replay = app.url(&format!(
        "/login/sso/school/callback?code={code}&state={state}"
    ));
    let r = fresh.get(&replay).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = fresh.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // A state of no sign-in, with its own cookie forged to match: refused.
    let forged = http_client(&provider);
    let r = forged
        .get(app.url("/login/sso/school/callback?code=x&state=made-up"))
        .header(header::COOKIE, "vmportal_sso=made-up")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// ID tokens that do not hold up are refused, though the provider's token endpoint sent them:
/// one changed after signing (another subject), one signed by the provider for another client.
#[tokio::test]
async fn tampered_and_misaddressed_id_tokens_are_refused() {
    let (app, provider) = portal().await;
    for mode in ["tamper", "wrong-audience"] {
        provider.set_mode(mode);
        let browser = http_client(&provider);
        let callback = answer_for(&app, &provider, &browser, "alice").await;
        let r = browser.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{mode}");
        let r = browser.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{mode}");
    }
    assert!(app.store.user_for_login("alice").await.unwrap().is_none());
    assert!(
        app.store
            .user_for_login("someone-else")
            .await
            .unwrap()
            .is_none()
    );
    let refused: Vec<String> = app
        .audit()
        .await
        .into_iter()
        .filter(|e| e.action == "session.login_failed")
        .map(|e| e.detail)
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused
            .iter()
            .any(|d| d.contains("Signature verification failed"))
    );
    assert!(refused.iter().any(|d| d.contains("Invalid audiences")));
    // The same provider, answering honestly again: the sign-in works.
    provider.set_mode("");
    let browser = http_client(&provider);
    let callback = answer_for(&app, &provider, &browser, "alice").await;
    let r = browser.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(me(&app, &browser).await["user"]["username"], "alice");
}
