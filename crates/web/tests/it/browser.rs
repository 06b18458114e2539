//! A real headless Chromium (Debian's chromium + chromium-driver) signs in, files a request as a
//! user, approves it as an administrator, and saves a screenshot of each page under
//! `test-output/browser/`.

use crate::app::{PASSWORD, TestApp};
use serde_json::Value;
use std::{path::PathBuf, process::Stdio, time::Duration};
use thirtyfour::{ChromiumLikeCapabilities, prelude::*};
use tokio::process::{Child, Command};
use vmportal_core::{job::JobOutcome, now, store::Store, user::Role};

/// chromedriver on a free loopback port; killed when dropped.
struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    async fn start() -> ChromeDriver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver not found: install Debian's chromium and chromium-driver (scripts/test does)");
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if reqwest::get(format!("{url}/status"))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return ChromeDriver { child, url };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer on {url}");
    }

    async fn browser(&self, profile: &std::path::Path) -> WebDriver {
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary("/usr/bin/chromium").unwrap();
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
            &format!("--user-data-dir={}", profile.display()),
        ] {
            caps.add_arg(arg).unwrap();
        }
        let driver = WebDriver::builder(&self.url, caps)
            .request_timeout(Duration::from_secs(30))
            .await
            .expect("a Chromium session");
        // A navigation that never reports "loaded" must not hold the test: the waits below poll.
        driver
            .set_page_load_timeout(Duration::from_secs(15))
            .await
            .unwrap();
        driver
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

struct Shots {
    dir: PathBuf,
    n: usize,
}

impl Shots {
    fn new() -> Shots {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-output/browser");
        std::fs::create_dir_all(&dir).unwrap();
        Shots { dir, n: 0 }
    }

    async fn take(&mut self, driver: &WebDriver, name: &str) {
        self.n += 1;
        let path = self.dir.join(format!("{:02}-{name}.png", self.n));
        let png = driver.screenshot_as_png().await.unwrap();
        assert!(png.len() > 1000, "a real screenshot");
        std::fs::write(&path, png).unwrap();
    }
}

async fn sign_in(driver: &WebDriver, app: &TestApp, user: &str) {
    driver.goto(app.url("/login")).await.unwrap();
    driver
        .find(By::Id("username"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    driver
        .find(By::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    submit(driver, "form[action='/login'] button[type=submit]").await;
    wait_for_text(driver, "Sign out").await;
}

async fn sign_out(driver: &WebDriver) {
    submit(driver, "form[action='/logout'] button").await;
    wait_for_text(driver, "Sign in").await;
}

/// Waits (bounded) until the page's text contains `text`. While a navigation is under way the
/// driver may fail a command (no body yet, a load time-out): those are retried, not fatal.
async fn wait_for_text(driver: &WebDriver, text: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if let Ok(body) = driver.find(By::Tag("body")).await
            && body.text().await.is_ok_and(|t| t.contains(text))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let url = driver
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    panic!(
        "'{text}' never appeared on {url}: {}",
        driver.source().await.unwrap_or_default()
    );
}

/// Clicks a button that submits a form. The click may report a time-out while the resulting
/// navigation loads; the caller's next wait decides whether the page arrived.
async fn submit(driver: &WebDriver, css: &str) {
    let button = driver.find(By::Css(css)).await.unwrap();
    if let Err(e) = button.click().await {
        eprintln!("click on {css} returned {e}; waiting for the page instead");
    }
}

#[tokio::test]
async fn a_user_requests_and_an_admin_approves_in_chromium() {
    let app = TestApp::spawn().await;
    let admin_api = app.signed_in("root", Role::Admin).await;
    app.template(&admin_api, "Debian 12 (cloud-init)").await;
    app.user("alice", Role::User).await;

    let chromedriver = ChromeDriver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let driver = chromedriver.browser(profile.path()).await;
    let mut shots = Shots::new();

    driver.goto(app.url("/")).await.unwrap();
    wait_for_text(&driver, "Sign in").await;
    shots.take(&driver, "sign-in").await;
    sign_in(&driver, &app, "alice").await;
    shots.take(&driver, "user-dashboard-empty").await;

    driver.goto(app.url("/requests/new")).await.unwrap();
    driver
        .find(By::Id("name"))
        .await
        .unwrap()
        .send_keys("thesis vm")
        .await
        .unwrap();
    driver
        .find(By::Id("purpose"))
        .await
        .unwrap()
        .send_keys("Master's thesis experiments")
        .await
        .unwrap();
    submit(&driver, "form[action='/requests/new'] button[type=submit]").await;
    wait_for_text(&driver, "may contain only letters").await;
    shots.take(&driver, "request-form-error").await;
    let name = driver.find(By::Id("name")).await.unwrap();
    name.clear().await.unwrap();
    name.send_keys("thesis-vm").await.unwrap();
    submit(&driver, "form[action='/requests/new'] button[type=submit]").await;
    wait_for_text(&driver, "thesis-vm").await;
    assert!(driver.find(By::Css(".badge-pending")).await.is_ok());
    shots.take(&driver, "user-request-pending").await;
    sign_out(&driver).await;

    sign_in(&driver, &app, "root").await;
    driver.goto(app.url("/admin/requests")).await.unwrap();
    wait_for_text(&driver, "thesis-vm").await;
    shots.take(&driver, "admin-pending-requests").await;
    submit(&driver, "button[id^=approve-]").await;
    wait_for_text(&driver, "by root").await;
    shots.take(&driver, "admin-request-approved").await;
    sign_out(&driver).await;

    sign_in(&driver, &app, "alice").await;
    wait_for_text(&driver, "provisioning").await;
    shots.take(&driver, "user-machine-provisioning").await;

    // The machine page follows its build live. No engine runs here: the test plays the worker,
    // through the store, as the engine would.
    submit(&driver, "a[href^='/machines/']").await;
    wait_for_text(&driver, "In progress").await;
    let job = app
        .store
        .claim_job("test", now(), now())
        .await
        .unwrap()
        .unwrap();
    app.store
        .job_progress(job.id, 40, "copying the base disk")
        .await
        .unwrap();
    wait_for_text(&driver, "copying the base disk").await;
    let progress = driver
        .execute(
            "return document.getElementById('job-progress').value",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(progress.json(), &Value::from(40));
    assert!(
        driver
            .find(By::Css("#job-state .badge-running"))
            .await
            .is_ok()
    );
    shots.take(&driver, "user-machine-live-progress").await;
    let failed = JobOutcome::Failed("the pool is full".into());
    app.store.finish_job(job.id, "test", failed).await.unwrap();
    // The end of the job reloads the page, which then offers the actions.
    wait_for_text(&driver, "Last action").await;

    // Deleting asks first.
    submit(&driver, "a#delete").await;
    wait_for_text(&driver, "This cannot be undone").await;
    shots
        .take(&driver, "user-machine-delete-confirmation")
        .await;
    submit(&driver, "button#confirm-delete").await;
    wait_for_text(&driver, "In progress: delete").await;
    driver.quit().await.unwrap();

    let machines: Value = app
        .get(&admin_api, "/api/v1/machines")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(machines[0]["name"], "thesis-vm");
    assert_eq!(machines[0]["owner"], "alice");
}
