//! A real headless Chromium (Debian's chromium + chromium-driver) signs in, files a request as a
//! user, approves it as an administrator, and saves a screenshot of each page under
//! `test-output/browser/`.

use crate::app::{PASSWORD, TestApp};
use serde_json::Value;
use thirtyfour::prelude::*;
use vmportal_core::user::Role;
use vmportal_test_browser::{ChromeDriver, Shots, output_dir, submit, wait_for_text};

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
