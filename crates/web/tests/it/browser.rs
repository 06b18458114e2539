//! A real headless Chromium (Debian's chromium + chromium-driver) signs in, files a request as a
//! user, approves it as an administrator, opens a Proxmox VE VM's console, and saves a screenshot
//! of each page under `test-output/browser/`.

use crate::app::{PASSWORD, TestApp, test_config};
use pve_sim::state::Kind;
use serde_json::{Value, json};
use std::{sync::Arc, time::Duration};
use thirtyfour::prelude::*;
use vmportal_core::{
    hypervisor::Registry,
    ids::MachineId,
    job::JobOutcome,
    machine::{MachinePatch, MachineState},
    now,
    store::prelude::*,
    user::Role,
};
use vmportal_proxmox::{CloneMode, ProxmoxConfig, ProxmoxHypervisor, Secret};
use vmportal_test_browser::{ChromeDriver, Shots, canvas_until, output_dir, submit, wait_for_text};

async fn sign_in(driver: &WebDriver, app: &TestApp, user: &str) {
    vmportal_test_browser::sign_in(driver, &app.url("/login"), user, PASSWORD).await;
}

async fn sign_out(driver: &WebDriver) {
    submit(driver, "form[action='/logout'] button").await;
    wait_for_text(driver, "Sign in").await;
}

#[tokio::test]
async fn a_user_requests_and_an_admin_approves_in_chromium() {
    let app = TestApp::spawn().await;
    let admin_api = app.signed_in("root", Role::Admin).await;
    app.template(&admin_api, "Debian 12 (cloud-init)").await;
    app.user("alice", Role::User).await;

    let chromedriver = ChromeDriver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let driver = chromedriver.browser(profile.path(), &[]).await;
    let mut shots = Shots::new(output_dir());

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
        token_id: Some(pve_sim::TOKEN_ID.into()),
        token_secret: Some(Secret(pve_sim::TOKEN_SECRET.into())),
        username: None,
        password: None,
        ca_file: Some(ca.path().into()),
        fingerprint: None,
        nodes: vec!["pve1".into()],
        storage: "local-lvm".into(),
        clone: CloneMode::Linked,
        bridge: "vmbr0".into(),
        task_timeout_secs: 10,
        boot_wait_secs: 0,
        pool: None,
        swap_mib: 512,
        ssh: None,
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
    let driver = chromedriver.browser(profile.path(), &[]).await;
    let mut shots = Shots::new(output_dir());
    sign_in(&driver, &app, "alice").await;
    driver
        .goto(app.url(&format!("/machines/{machine}")))
        .await
        .unwrap();
    submit(&driver, "a[href$='/console']").await;
    wait_for_text(&driver, "Connected.").await;
    // Pixels that are not black on noVNC's canvas: QEMU's text drawn in the browser.
    let drawn = canvas_until(&driver, Duration::from_secs(30), |c| {
        c["lit"].as_u64().is_some_and(|n| n > 100)
    })
    .await;
    shots.take(&driver, "proxmox-console").await;
    assert!(drawn.is_some(), "nothing drawn on the console's canvas");
    driver.quit().await.unwrap();
    assert_eq!(sim.violations(), Vec::<String>::new());
}

/// The lease banner as its owner sees it in Chromium seven days before the end (the notice the
/// engine's sweep records), and the extension form that answers it: the banner goes and the new
/// end shows. The screenshots are the ones docs/leases.md shows.
#[tokio::test]
async fn the_lease_banner_and_its_extension_in_chromium() {
    use time::format_description::well_known::Rfc3339;
    use vmportal_core::lease::{ExpiryAction, NewNotice, NoticeKind};
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let alice = app.signed_in("alice", Role::User).await;
    let t = app.template(&admin, "Course VM").await;
    let lease = json!({"lease_days": 30, "max_lease_days": 60, "extend_days": 14,
        "expiry_action": "delete", "grace_days": 7});
    let r = app
        .patch(&admin, &format!("/api/v1/templates/{t}"), lease)
        .await;
    assert_eq!(r.status(), 200);
    let request = app.request(&alice, t, "lab-01").await;
    let id = app.approve(&admin, request).await;
    let m: Value = app
        .get(&alice, &format!("/api/v1/machines/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let end = time::OffsetDateTime::parse(m["expires_at"].as_str().unwrap(), &Rfc3339).unwrap();
    app.store
        .record_notice(NewNotice {
            machine_id: MachineId(id),
            kind: NoticeKind::Warning,
            point: "7d".into(),
            expires_at: Some(end),
            action: ExpiryAction::Delete,
            at: end - time::Duration::days(7),
        })
        .await
        .unwrap()
        .unwrap();

    let chromedriver = ChromeDriver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let driver = chromedriver.browser(profile.path(), &[]).await;
    let mut shots = Shots::new(output_dir());
    sign_in(&driver, &app, "alice").await;
    wait_for_text(&driver, "The lease ends on").await;
    shots.take(&driver, "lease-banner-dashboard").await;
    driver
        .goto(app.url(&format!("/machines/{id}")))
        .await
        .unwrap();
    let banner = driver.find(By::Id("lease-banner")).await.unwrap();
    let text = banner.text().await.unwrap();
    let date = vmportal_i18n::Tr::default().datetime(end);
    assert!(
        text.contains(&format!("The lease ends on {date}")),
        "{text}"
    );
    shots.take(&driver, "lease-banner-machine").await;
    submit(&driver, "button#extend").await;
    let later = vmportal_i18n::Tr::default().datetime(end + time::Duration::days(7));
    wait_for_text(&driver, &later).await;
    assert!(
        driver.find(By::Id("lease-banner")).await.is_err(),
        "the banner was about the old end"
    );
    shots.take(&driver, "lease-extended").await;
}

/// Two-factor sign-in in Chromium: set up on *My account* with the secret the page shows beside
/// its QR code, then, after signing out, the password alone does not sign in: a wrong code is
/// refused, the authenticator's code is accepted.
#[tokio::test]
async fn two_factor_sign_in_in_chromium() {
    let app = TestApp::spawn().await;
    app.user("alice", Role::User).await;
    let chromedriver = ChromeDriver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let driver = chromedriver.browser(profile.path(), &[]).await;
    let mut shots = Shots::new(output_dir().join("totp"));

    sign_in(&driver, &app, "alice").await;
    driver.goto(app.url("/account")).await.unwrap();
    submit(&driver, "button#totp-begin").await;
    wait_for_text(&driver, "Scan this QR code").await;
    assert!(driver.find(By::Css(".qr svg")).await.is_ok());
    shots.take(&driver, "totp-qr-code").await;
    let secret = driver
        .find(By::Id("totp-secret"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(secret.len(), 32, "160 bits in base32: {secret}");
    let code = driver.find(By::Id("code")).await.unwrap();
    code.send_keys(crate::totp::code(&secret, 0)).await.unwrap();
    submit(&driver, "form[action='/account/totp/confirm'] button").await;
    wait_for_text(&driver, "Two-factor sign-in is on").await;
    let recovery = driver.find_all(By::Css(".recovery-code")).await.unwrap();
    assert_eq!(recovery.len(), 10);
    shots.take(&driver, "totp-recovery-codes").await;
    sign_out(&driver).await;

    // The password is right: the second step asks for the code.
    driver.goto(app.url("/login")).await.unwrap();
    for (field, value) in [("username", "alice"), ("password", PASSWORD)] {
        driver
            .find(By::Id(field))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    submit(&driver, "form[action='/login'] button[type=submit]").await;
    wait_for_text(&driver, "Code of your authenticator app").await;
    shots.take(&driver, "totp-second-step").await;
    // A code of five minutes from now is outside the accepted window.
    let enter = async |value: String| {
        let field = driver.find(By::Id("code")).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
        submit(&driver, "form[action='/login/code'] button[type=submit]").await;
    };
    enter(crate::totp::code(&secret, 10)).await;
    wait_for_text(&driver, "wrong username or password").await;
    assert!(driver.find(By::Id("login-error")).await.is_ok());
    assert!(
        driver
            .find(By::Css("form[action='/logout']"))
            .await
            .is_err()
    );
    shots.take(&driver, "totp-wrong-code").await;
    // The code used to turn it on cannot be used again: the next one signs in.
    enter(crate::totp::code(&secret, 1)).await;
    wait_for_text(&driver, "Sign out").await;
    driver.goto(app.url("/account")).await.unwrap();
    wait_for_text(&driver, "On: signing in asks for a code").await;
    driver.quit().await.unwrap();

    let actions = app.audit_actions().await;
    assert!(actions.contains(&"user.totp_enabled".to_owned()));
    let failed = app
        .audit()
        .await
        .into_iter()
        .filter(|e| e.action == "session.login_failed" && e.detail == "wrong second factor")
        .count();
    assert_eq!(failed, 1);
}

/// Signs in on a page in any language and waits for `signed_in`, a text of the signed-in page.
async fn sign_in_as(driver: &WebDriver, app: &TestApp, user: &str, signed_in: &str) {
    driver.goto(app.url("/login")).await.unwrap();
    for (field, value) in [("username", user), ("password", PASSWORD)] {
        let input = driver.find(By::Id(field)).await.unwrap();
        input.send_keys(value).await.unwrap();
    }
    submit(driver, "form[action='/login'] button[type=submit]").await;
    wait_for_text(driver, signed_in).await;
}

/// The dashboard and the request form (with a field error) in Italian, chosen on the account,
/// and in French, asked for by the browser.
#[tokio::test]
async fn the_dashboard_and_request_form_speak_italian_and_french_in_chromium() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", Role::Admin).await;
    let template = app.template(&admin, "Debian 12 (cloud-init)").await;
    let giulia = app.signed_in("giulia", Role::User).await;
    let r = giulia
        .put(app.url("/api/v1/me/preferences"))
        .json(&json!({"language": "it"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    app.request(&giulia, template, "tesi").await;
    let camille = app.signed_in("camille", Role::User).await;
    app.request(&camille, template, "memoire").await;

    let chromedriver = ChromeDriver::start().await;
    let mut shots = Shots::new(output_dir());
    for (user, flags, texts) in [
        (
            "giulia",
            // The browser asks for French: the account's Italian wins.
            vec!["--accept-lang=fr-FR,fr".to_owned()],
            [
                "Le mie macchine",
                "in attesa",
                "Richiedi una macchina",
                "può contenere solo lettere, cifre e '-'",
            ],
        ),
        (
            "camille",
            vec!["--accept-lang=fr-FR,fr".to_owned()],
            [
                "Mes machines",
                "en attente",
                "Demander une machine",
                "ne peut contenir que des lettres, des chiffres et « - »",
            ],
        ),
    ] {
        let profile = tempfile::tempdir().unwrap();
        let driver = chromedriver.browser(profile.path(), &flags).await;
        let [dashboard, pending, form, error] = texts;
        let lang = if user == "giulia" { "it" } else { "fr" };
        sign_in_as(&driver, &app, user, dashboard).await;
        wait_for_text(&driver, pending).await;
        shots.take(&driver, &format!("dashboard-{lang}")).await;

        driver.goto(app.url("/requests/new")).await.unwrap();
        wait_for_text(&driver, form).await;
        driver
            .find(By::Id("name"))
            .await
            .unwrap()
            .send_keys("con spazi")
            .await
            .unwrap();
        driver
            .find(By::Id("purpose"))
            .await
            .unwrap()
            .send_keys("laboratorio / TP")
            .await
            .unwrap();
        submit(&driver, "form[action='/requests/new'] button[type=submit]").await;
        wait_for_text(&driver, error).await;
        shots.take(&driver, &format!("request-form-{lang}")).await;
        driver.quit().await.unwrap();
    }
}
