//! The production deployment, run for real: Debian's nginx with the shipped site
//! (`deploy/nginx/vmportal.conf`, only its name, ports and paths replaced) and a certificate from
//! a CA made here, in front of the real binary with `trusted_proxies`, which builds a real guest
//! on libvirtd/QEMU like `kvm.rs`. Everything goes through nginx over HTTPS: the redirect from
//! HTTP, sign-in, request, approval, live progress, the console websocket (`wss://`), and headless
//! Chromium showing the guest's screen through noVNC. Also `systemd-analyze` on the shipped unit.
//! Needs root and the host prepared by `scripts/test` (nginx, libvirtd, the base image, noVNC).

mod common;

use base64::Engine;
use common::{
    host::{GuestCleanup, last_stdout_line, libvirt_config, repo, sh},
    portal::{ALICE_PASSWORD, Portal, console_read, open_console},
};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, PublicKeyData};
use reqwest::{Client, Method, StatusCode, header, redirect};
use rustls::pki_types::CertificateDer;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::{
    net::{IpAddr, SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};
use thirtyfour::{By, Key, WebDriver};
use vmportal_test_browser::{
    ChromeDriver, Shots, canvas_until, output_dir, sign_in, submit, wait_for_text,
};

/// The portal's name in this test; Chromium and the clients resolve it to loopback.
const NAME: &str = "portal.test";
/// Clients reach nginx from this address, so what the portal records can be told apart from
/// nginx's own (127.0.0.1) and from a direct caller's.
const CLIENT_IP: [u8; 4] = [127, 0, 0, 3];
const DIRECT_IP: [u8; 4] = [127, 0, 0, 2];
const SPOOFED: &str = "203.0.113.9";

fn is_root() -> bool {
    sh("id", &["-u"]).1.trim() == "0"
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A CA and a certificate for [`NAME`] signed by it, as Let's Encrypt's files are laid out.
struct TestCertificates {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    /// base64 SHA-256 of the server key's SubjectPublicKeyInfo: what Chromium is told to accept.
    server_spki: String,
}

impl TestCertificates {
    fn write(live: &Path) -> TestCertificates {
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let server = CertificateParams::new(vec![NAME.to_owned()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        std::fs::create_dir_all(live).unwrap();
        std::fs::write(
            live.join("fullchain.pem"),
            format!("{}{}", server.pem(), ca.pem()),
        )
        .unwrap();
        std::fs::write(live.join("privkey.pem"), key.serialize_pem()).unwrap();
        let spki = Sha256::digest(key.subject_public_key_info());
        TestCertificates {
            ca_pem: ca.pem(),
            ca_der: ca.der().clone(),
            server_spki: base64::engine::general_purpose::STANDARD.encode(spki),
        }
    }

    fn rustls_config(&self) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der.clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }
}

/// Ports and directories of this test's nginx.
struct Site {
    dir: PathBuf,
    http: u16,
    https: u16,
}

impl Site {
    /// The shipped site with this test's name, ports, upstream and paths. Each replaced text must
    /// be in the file, so a change there that this test does not know about fails here.
    fn config(&self, upstream: &str) -> String {
        let d = self.dir.display();
        let (http, https) = (self.http, self.https);
        let mut site = std::fs::read_to_string(repo().join("deploy/nginx/vmportal.conf")).unwrap();
        for (from, to) in [
            ("listen 80;", format!("listen 127.0.0.1:{http};")),
            ("listen [::]:80;", format!("listen [::1]:{http};")),
            (
                "listen 443 ssl http2;",
                format!("listen 127.0.0.1:{https} ssl http2;"),
            ),
            (
                "listen [::]:443 ssl http2;",
                format!("listen [::1]:{https} ssl http2;"),
            ),
            ("server 127.0.0.1:8080;", format!("server {upstream};")),
            ("/etc/letsencrypt/live/", format!("{d}/live/")),
            ("/var/www/letsencrypt", format!("{d}/acme")),
            ("/var/log/nginx/", format!("{d}/log/")),
            ("portal.example.org", NAME.to_owned()),
        ] {
            assert!(
                site.contains(from),
                "deploy/nginx/vmportal.conf has no `{from}` any more: tell this test"
            );
            site = site.replace(from, &to);
        }
        site
    }

    fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log/access.log")).unwrap_or_default()
    }
}

/// Debian's nginx in the foreground on the site; stopped (SIGTERM, workers included) when
/// dropped.
struct Nginx(Child);

impl Nginx {
    fn start(site: &Site, upstream: &str) -> Nginx {
        let d = site.dir.display();
        for sub in ["log", "tmp"] {
            std::fs::create_dir_all(site.dir.join(sub)).unwrap();
        }
        std::fs::write(site.dir.join("vmportal.conf"), site.config(upstream)).unwrap();
        // What Debian's /etc/nginx/nginx.conf does, with this test's own pid, logs and temp files.
        let main = format!(
            "pid {d}/nginx.pid;\nerror_log {d}/log/error.log info;\nworker_processes 1;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  include /etc/nginx/mime.types;\n  access_log {d}/log/access.log;\n\
             client_body_temp_path {d}/tmp/body;\n  proxy_temp_path {d}/tmp/proxy;\n\
             fastcgi_temp_path {d}/tmp/fastcgi;\n  uwsgi_temp_path {d}/tmp/uwsgi;\n\
             scgi_temp_path {d}/tmp/scgi;\n  include {d}/vmportal.conf;\n}}\n"
        );
        let conf = site.dir.join("nginx.conf");
        std::fs::write(&conf, main).unwrap();
        let nginx = |extra: &[&str]| {
            let mut cmd = Command::new("nginx");
            cmd.args(["-p", &d.to_string(), "-c", conf.to_str().unwrap()])
                .args(extra);
            cmd
        };
        let out = nginx(&["-t"]).output().unwrap();
        assert!(
            out.status.success(),
            "nginx -t: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut child = nginx(&["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", site.https)).is_err() {
            let log = std::fs::read_to_string(site.dir.join("log/error.log")).unwrap_or_default();
            assert!(
                child.try_wait().unwrap().is_none() && Instant::now() < deadline,
                "nginx did not start: {log}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Nginx(child)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGKILL would leave the workers running; SIGTERM makes the master stop them first.
        sh("kill", &["-TERM", &self.0.id().to_string()]);
        let _ = self.0.wait();
    }
}

/// Signs alice in at `url` with an `X-Forwarded-For` that names another address.
async fn login_claiming_spoofed_ip(client: &Client, url: String) -> reqwest::Response {
    let r = client
        .post(url)
        .header("x-forwarded-for", SPOOFED)
        .json(&json!({"username": "alice", "password": ALICE_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r
}

/// The newest audit event of `action` by `actor`.
async fn newest(p: &Portal, action: &str, actor: &str) -> Value {
    let (s, audit) = p.call(&p.admin, Method::GET, "/api/v1/audit", None).await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == action && e["actor"] == actor)
        .unwrap_or_else(|| panic!("no {action} by {actor} in {audit}"))
        .clone()
}

/// Types into the console the way a person would (noVNC turns keys into RFB key events): logs
/// in at the guest's `login:` prompt and runs a command that lights the whole screen. Starts over
/// when a try is lost (typed before getty listened, or while login still failed an earlier try);
/// nothing but that command lights nine tenths of the screen.
async fn log_in_on_the_console(driver: &WebDriver, username: &str, password: &str) -> Value {
    let canvas = driver.find(By::Css("#screen canvas")).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        for line in [username, password, "setterm --inversescreen on"] {
            canvas.send_keys(line + Key::Enter).await.unwrap();
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        let lit = canvas_until(driver, Duration::from_secs(20), |c| {
            let all = c["width"].as_u64().unwrap() * c["height"].as_u64().unwrap();
            c["lit"].as_u64().unwrap() * 10 > all * 9
        })
        .await;
        if let Some(lit) = lit {
            return lit;
        }
        assert!(
            Instant::now() < deadline,
            "logging in at the guest's console never lit its screen"
        );
    }
}

#[test]
fn the_shipped_systemd_unit_passes_systemd_analyze() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: systemd-analyze is not installed (Debian's package systemd)");
        return;
    }
    let unit = std::fs::read_to_string(repo().join("deploy/systemd/vmportal.service")).unwrap();
    let installed = "ExecStart=/usr/local/bin/vmportal ";
    assert!(unit.contains(installed), "{unit}");
    // verify checks that the program exists: this build's binary stands in for the installed one.
    let unit = unit.replace(
        installed,
        &format!("ExecStart={} ", env!("CARGO_BIN_EXE_vmportal")),
    );
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("vmportal.service");
    let verify = |text: &str| {
        std::fs::write(&path, text).unwrap();
        sh("systemd-analyze", &["verify", path.to_str().unwrap()])
    };
    let (ok, out) = verify(&unit);
    assert!(ok && out.trim().is_empty(), "systemd-analyze verify: {out}");
    // The check can fail: a misspelt option is reported.
    let (_, out) = verify(&unit.replace("NoNewPrivileges=", "NoNewPrivilege="));
    assert!(out.contains("Unknown key"), "{out}");

    std::fs::write(&path, &unit).unwrap();
    let (_, out) = sh(
        "systemd-analyze",
        &["security", "--offline=yes", path.to_str().unwrap()],
    );
    let exposure: f64 = out
        .split("Overall exposure level for vmportal.service: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level: {out}"));
    println!("systemd-analyze security: exposure {exposure}");
    assert!(exposure <= 2.0, "the hardening options went missing: {out}");
}

#[test]
fn the_shipped_configuration_is_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().display();
    // Its state directory is the service's; everything else is read as shipped.
    let out = common::vmportal(tmp.path())
        .args(["migrate", "--config"])
        .arg(repo().join("deploy/vmportal.toml"))
        .env(
            "VMPORTAL_DATABASE__URL",
            format!("sqlite://{d}/vmportal.db"),
        )
        .env("VMPORTAL_SECRETS__KEY_FILE", format!("{d}/secret.key"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tmp.path().join("vmportal.db").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_nginx_with_tls_a_real_guest_and_its_console_in_chromium() {
    if !is_root() || Command::new("nginx").arg("-v").output().is_err() {
        eprintln!(
            "SKIPPED: needs root and Debian's nginx (scripts/test installs it and runs as root)"
        );
        return;
    }
    let base = last_stdout_line("scripts/base-volume.sh");
    let _cleanup = GuestCleanup;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    // nginx's workers run as nobody: they must pass through to the webroot and temp files.
    sh("chmod", &["711", dir.to_str().unwrap()]);
    let site = Site {
        dir: dir.join("nginx"),
        http: free_port(),
        https: free_port(),
    };
    let certs = TestCertificates::write(&site.dir.join(format!("live/{NAME}")));
    let public = format!("https://{NAME}:{}", site.https);
    let novnc = repo().join("crates/web/novnc/node_modules/@novnc/novnc");
    assert!(novnc.exists(), "scripts/novnc.sh installs noVNC");
    let config = format!(
        "{}[web]\npublic_url = \"{public}\"\ntrusted_proxies = [\"127.0.0.1\"]\n\
         [web.console]\nnovnc_dir = \"{}\"\n",
        libvirt_config(&dir, (23100, 23199)),
        novnc.display()
    );
    std::fs::write(dir.join("portal.toml"), config).unwrap();

    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca = reqwest::Certificate::from_pem(certs.ca_pem.as_bytes()).unwrap();
    let nginx_addr = SocketAddr::from(([127, 0, 0, 1], site.https));
    let through_nginx = move || {
        Client::builder()
            .tls_certs_only([ca.clone()])
            .resolve(NAME, nginx_addr)
            .local_address(IpAddr::from(CLIENT_IP))
    };
    let mut p = Portal::new(dir.clone(), Some(public.clone()), through_nginx.clone());
    let started = p.start();
    let _nginx = Nginx::start(&site, &p.addr);
    p.first_users(&started).await;

    // 1. Plain HTTP only redirects to HTTPS, but for Let's Encrypt's challenge files.
    let http = |path: &str| format!("http://{NAME}:{}{path}", site.http);
    let no_redirects = through_nginx()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: &str| no_redirects.get(http(path)).send();
    let r = get("/machines?sort=name").await.unwrap();
    assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        r.headers()[header::LOCATION],
        format!("https://{NAME}/machines?sort=name")
    );
    let challenge = site.dir.join("acme/.well-known/acme-challenge");
    std::fs::create_dir_all(&challenge).unwrap();
    sh(
        "chmod",
        &["-R", "755", site.dir.join("acme").to_str().unwrap()],
    );
    std::fs::write(challenge.join("token-1"), "token-1.thumbprint").unwrap();
    let r = get("/.well-known/acme-challenge/token-1").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "token-1.thumbprint");

    // 2. HTTPS: HSTS from nginx, the portal's own headers passed on, /metrics kept in, a Secure
    //    session cookie.
    let r = p.plain.get(p.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key(header::STRICT_TRANSPORT_SECURITY));
    assert!(r.headers().contains_key(header::CONTENT_SECURITY_POLICY));
    // The metrics are for the monitoring on the host, not for the world.
    let r = p.plain.get(p.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let direct = format!("http://{}/metrics", p.addr);
    let r = p.plain.get(direct).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = login_claiming_spoofed_ip(&p.plain, p.url("/api/v1/login")).await;
    let cookie = r.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("; Secure") && cookie.contains("; HttpOnly"),
        "{cookie}"
    );

    // 3. The client's address: nginx's, not what the client claims; a direct caller's own.
    let login = newest(&p, "session.login", "alice").await;
    assert_eq!(login["ip"], "127.0.0.3", "{login}");
    let direct = Client::builder()
        .local_address(IpAddr::from(DIRECT_IP))
        .build()
        .unwrap();
    login_claiming_spoofed_ip(&direct, format!("http://{}/api/v1/login", p.addr)).await;
    let login = newest(&p, "session.login", "alice").await;
    assert_eq!(login["ip"], "127.0.0.2", "{login}");

    // 4. Cross-site requests are refused; the public origin, which nginx's Host does not carry
    //    (no port), is trusted.
    let bob = json!({"username": "bob", "password": "bob's long password"});
    let r = p
        .admin
        .post(p.url("/api/v1/users"))
        .header(header::ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .json(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = p
        .admin
        .post(p.url("/api/v1/users"))
        .header(header::ORIGIN, &public)
        .json(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    // 5. A real guest: request, approval, progress streamed through nginx as it happens.
    let debian = p.add_template("Debian 12", &base).await;
    let begun = Instant::now();
    let (id, job) = p.ask_and_approve(debian, "behind-nginx").await;
    let mut events = p
        .user
        .get(p.url(&format!("/api/v1/jobs/{job}/events")))
        .send()
        .await
        .unwrap();
    assert_eq!(events.headers()[header::CONTENT_TYPE], "text/event-stream");
    let first = tokio::time::timeout(Duration::from_secs(30), events.chunk())
        .await
        .expect("an event arrives at once (nginx does not buffer the stream)")
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&first).contains("data:"));
    assert_eq!(
        p.machine(id).await["state"],
        "provisioning",
        "the first event came while the job was still running"
    );
    let mut stream = String::from_utf8_lossy(&first).into_owned();
    while !stream.contains("event: done") {
        let chunk = tokio::time::timeout(Duration::from_secs(360), events.chunk())
            .await
            .expect("the job ends")
            .unwrap()
            .unwrap_or_else(|| panic!("the stream ended early: {stream}"));
        stream.push_str(&String::from_utf8_lossy(&chunk));
    }
    let m = p
        .wait(id, "running", Duration::from_secs(60), |m| {
            m["state"] == "running" && m["address"].is_string()
        })
        .await;
    println!(
        "approve to running through nginx: {:?} ({})",
        begun.elapsed(),
        m["address"]
    );

    // 6. The console websocket through nginx: the ticket names wss:// on the public origin.
    let (cookie, ticket) = p.console_ticket("alice", ALICE_PASSWORD, id).await;
    let ws_url = ticket["websocket"].as_str().unwrap();
    assert!(
        ws_url.starts_with(&format!("wss://{NAME}:{}/console/ws?ticket=", site.https)),
        "{ticket}"
    );
    assert!(
        ticket["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{public}/machines/{id}/console#")),
        "{ticket}"
    );
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((IpAddr::from(CLIENT_IP), 0).into()).unwrap();
    let tcp = socket.connect(nginx_addr).await.unwrap();
    let tls = tokio_rustls::TlsConnector::from(certs.rustls_config())
        .connect(NAME.try_into().unwrap(), tcp)
        .await
        .unwrap();
    let mut console = open_console(ws_url, &cookie, tls).await;
    assert_eq!(console_read(&mut console, 12).await, b"RFB 003.008\n");
    drop(console);
    let open = newest(&p, "console.open", "alice").await;
    assert_eq!(
        open["ip"], "127.0.0.3",
        "the websocket's client address: {open}"
    );

    // 7. Chromium, trusting this test's server key only (not the CA, nothing system-wide),
    //    signs in through nginx and opens the console from the machine page.
    let chromedriver = ChromeDriver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let driver = chromedriver
        .browser(
            profile.path(),
            &[
                format!("--host-resolver-rules=MAP {NAME} 127.0.0.1"),
                format!(
                    "--ignore-certificate-errors-spki-list={}",
                    certs.server_spki
                ),
            ],
        )
        .await;
    let mut shots = Shots::new(output_dir().join("deploy"));
    sign_in(&driver, &p.url("/login"), "alice", ALICE_PASSWORD).await;
    driver
        .goto(p.url(&format!("/machines/{id}")))
        .await
        .unwrap();
    wait_for_text(&driver, "behind-nginx").await;
    shots.take(&driver, "machine-running").await;
    submit(&driver, "#open-console").await;
    wait_for_text(&driver, "Connected.").await;
    let screen = canvas_until(&driver, Duration::from_secs(60), |c| {
        c["lit"].as_u64() > Some(500) && c["colours"].as_u64() >= Some(2)
    })
    .await
    .expect("the guest's screen appears on the canvas");
    println!("noVNC canvas: {screen}");
    // getty clears the boot messages off tty1 and shows its prompt (two short lines); typing
    // before that is lost (and retried below), so wait for it a while, but go on without it.
    let prompt = canvas_until(&driver, Duration::from_secs(60), |c| {
        (100..5000).contains(&c["lit"].as_u64().unwrap_or(0))
    })
    .await;
    let prompt = prompt.map_or("not seen".to_owned(), |c| c.to_string());
    println!("noVNC canvas at the login prompt: {prompt}");
    let shot = shots.take(&driver, "guest-console").await;
    println!("screenshot: {}", shot.display());
    // Keys reach the guest the same way: alice logs in at its text console with the password
    // the portal shows her, and turns the screen to reverse video.
    let creds = p.credentials(id).await;
    let inverse =
        log_in_on_the_console(&driver, "alice", creds["password"].as_str().unwrap()).await;
    println!("noVNC canvas after logging in: {inverse}");
    shots.take(&driver, "guest-console-logged-in").await;
    driver.quit().await.unwrap();

    // nginx logged the upgrades (HTTP/1.1, 101) without their tickets, and served Chromium
    // over HTTP/2.
    let log = site.access_log();
    assert!(log.contains("\"GET /console/ws HTTP/1.1\" 101"), "{log}");
    assert!(!log.contains("ticket="), "{log}");
    assert!(
        log.lines()
            .any(|l| l.contains("HTTP/2.0\" 200") && l.contains("HeadlessChrome")),
        "{log}"
    );

    // 8. Deleted through nginx; nothing left on the host.
    p.delete(id).await;
    p.server.take().unwrap().kill();
}
