//! A real headless Chromium (Debian's chromium + chromium-driver) signs in, files a request as a
//! user, approves it as an administrator, opens a Proxmox VE VM's console, and saves a screenshot
//! of each page under `test-output/browser/`.

use crate::app::{PASSWORD, TestApp, test_config};
use pve_sim::state::Kind;
use serde_json::{Value, json};
use std::{path::PathBuf, process::Stdio, sync::Arc, time::Duration};
use thirtyfour::{ChromiumLikeCapabilities, prelude::*};
use tokio::process::{Child, Command};
use vmportal_core::{
    hypervisor::Registry,
    ids::MachineId,
    job::JobOutcome,
    machine::{MachinePatch, MachineState},
    now,
    store::Store,
    user::Role,
};
use vmportal_proxmox::{CloneMode, ProxmoxConfig, ProxmoxHypervisor, Secret};

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

/// The console of a Proxmox VE VM (on the simulator, QEMU's VNC server behind its
/// `vncwebsocket`), opened from the machine page: noVNC connects without asking for a password,
/// because the portal answered the VNC authentication itself, and draws QEMU's picture.
#[tokio::test]
async fn the_console_of_a_proxmox_vm_draws_in_chromium() {
    let sim = pve_sim::Sim::start().await;
    let ca = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(ca.path(), &sim.ca_pem).unwrap();
    let pve = ProxmoxConfig {
        url: sim.url.clone(),
        token_id: pve_sim::TOKEN_ID.into(),
        token_secret: Secret(pve_sim::TOKEN_SECRET.into()),
        ca_file: Some(ca.path().into()),
        fingerprint: None,
        nodes: vec!["pve1".into()],
        storage: "local-lvm".into(),
        clone: CloneMode::Linked,
        bridge: "vmbr0".into(),
        task_timeout_secs: 10,
        boot_wait_secs: 0,
    };
    let mut providers = Registry::default();
    providers.insert("pve", Arc::new(ProxmoxHypervisor::new(pve).unwrap()));
    let app = TestApp::with_registry(test_config(), providers).await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let template = json!({"name": "Debian 12 (PVE)", "provider": "pve", "kind": "vm",
        "os_family": "linux", "source": "9001", "default_cpus": 1, "default_memory_mib": 1024,
        "default_disk_gib": 8, "max_cpus": 2, "max_memory_mib": 2048, "max_disk_gib": 20});
    let r = app.post(&admin, "/api/v1/templates", template).await;
    let template: Value = r.json().await.unwrap();
    let request = app
        .request(&alice, template["id"].as_i64().unwrap(), "desk")
        .await;
    let machine = app.approve(&admin, request).await;
    // No engine runs here: the test plays the worker, and puts the guest on the cluster as a
    // build would leave it.
    let job = app.store.claim_job("test", now(), now()).await.unwrap();
    let built = JobOutcome::Succeeded("running".into());
    app.store
        .finish_job(job.unwrap().id, "test", built)
        .await
        .unwrap();
    {
        let mut cluster = sim.cluster();
        cluster.add_guest(100, Kind::Qemu, "pve1", false, &[("name", "desk")]);
        cluster.guests.get_mut(&100).unwrap().running = true;
    }
    let running = MachinePatch {
        state: Some(MachineState::Running),
        external_id: Some("pve1/qemu/100".into()),
        ..Default::default()
    };
    app.store
        .update_machine(MachineId(machine), running)
        .await
        .unwrap();

    let chromedriver = ChromeDriver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let driver = chromedriver.browser(profile.path()).await;
    let mut shots = Shots::new();
    sign_in(&driver, &app, "alice").await;
    driver
        .goto(app.url(&format!("/machines/{machine}")))
        .await
        .unwrap();
    submit(&driver, "a[href$='/console']").await;
    wait_for_text(&driver, "Connected.").await;
    // Pixels that are not black on noVNC's canvas: QEMU's text drawn in the browser.
    let lit = "const c = document.querySelector('#screen canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] | d[i + 1] | d[i + 2]) n++;
        return n;";
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let drawn = loop {
        let n = driver.execute(lit, vec![]).await.unwrap().json().as_u64();
        if n.is_some_and(|n| n > 100) || std::time::Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    shots.take(&driver, "proxmox-console").await;
    assert!(drawn.is_some_and(|n| n > 100), "pixels drawn: {drawn:?}");
    driver.quit().await.unwrap();
    assert_eq!(sim.violations(), Vec::<String>::new());
}
