//! Test support: a real headless Chromium (Debian's `chromium` and `chromium-driver`, which
//! `scripts/test` installs) driven over WebDriver, and screenshots saved under
//! `test-output/browser/`.

use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};
use thirtyfour::{ChromiumLikeCapabilities, prelude::*};
use tokio::process::{Child, Command};

/// chromedriver on a free loopback port; killed when dropped.
pub struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    pub async fn start() -> ChromeDriver {
        // reqwest (here and in thirtyfour) has no TLS crypto provider of its own in this workspace.
        let _ = rustls::crypto::ring::default_provider().install_default();
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

    /// A fresh headless Chromium with its profile in `profile`, plus the caller's `extra` flags.
    pub async fn browser(&self, profile: &Path, extra: &[String]) -> WebDriver {
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary("/usr/bin/chromium").unwrap();
        let user_data = format!("--user-data-dir={}", profile.display());
        // No background traffic: the machines reach nothing but loopback and package registries.
        let base = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
            &user_data,
        ];
        for arg in base.into_iter().chain(extra.iter().map(String::as_str)) {
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

/// `test-output/browser/` at the top of the repository.
pub fn output_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../test-output/browser")
}

/// Numbered screenshots of one test, in one directory.
pub struct Shots {
    dir: PathBuf,
    n: usize,
}

impl Shots {
    pub fn new(dir: PathBuf) -> Shots {
        std::fs::create_dir_all(&dir).unwrap();
        Shots { dir, n: 0 }
    }

    /// Saves the page as `NN-name.png` and returns its path.
    pub async fn take(&mut self, driver: &WebDriver, name: &str) -> PathBuf {
        self.n += 1;
        let path = self.dir.join(format!("{:02}-{name}.png", self.n));
        let png = driver.screenshot_as_png().await.unwrap();
        assert!(png.len() > 1000, "a real screenshot");
        std::fs::write(&path, png).unwrap();
        path
    }
}

/// Signs in on the sign-in page at `login_url` and waits for the signed-in header.
pub async fn sign_in(driver: &WebDriver, login_url: &str, username: &str, password: &str) {
    driver.goto(login_url).await.unwrap();
    for (field, value) in [("username", username), ("password", password)] {
        driver
            .find(By::Id(field))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    submit(driver, "form[action='/login'] button[type=submit]").await;
    wait_for_text(driver, "Sign out").await;
}

/// Waits (bounded) until the page's text contains `text`. While a navigation is under way the
/// driver may fail a command (no body yet, a load time-out): those are retried, not fatal.
pub async fn wait_for_text(driver: &WebDriver, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
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

/// Clicks a button that submits a form (or a link). The click may report a time-out while the
/// resulting navigation loads; the caller's next wait decides whether the page arrived.
pub async fn submit(driver: &WebDriver, css: &str) {
    let button = driver.find(By::Css(css)).await.unwrap();
    if let Err(e) = button.click().await {
        eprintln!("click on {css} returned {e}; waiting for the page instead");
    }
}

/// The canvas noVNC draws the guest's screen on: its size, how many pixels are not black and
/// how many colours it has (read with `getImageData`), or null before it exists.
pub const CANVAS_PIXELS: &str = "const c = document.querySelector('#screen canvas');
if (!c || !c.width || !c.height) return null;
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let lit = 0; const colours = new Set();
for (let i = 0; i < d.length; i += 4) {
  if (d[i] || d[i + 1] || d[i + 2]) lit++;
  colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
}
return {width: c.width, height: c.height, lit: lit, colours: colours.size};";

/// Polls the canvas until `done` holds for what [`CANVAS_PIXELS`] reports, at most `limit`.
pub async fn canvas_until(
    driver: &WebDriver,
    limit: Duration,
    mut done: impl FnMut(&Value) -> bool,
) -> Option<Value> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let canvas = driver.execute(CANVAS_PIXELS, Vec::new()).await.unwrap();
        let canvas = canvas.json().clone();
        if done(&canvas) {
            return Some(canvas);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    None
}
