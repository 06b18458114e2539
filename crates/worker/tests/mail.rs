//! Notifications by mail, received by a real SMTP server: aiosmtpd (PyPI, in the virtual
//! environment `scripts/smtp-venv.sh` makes) on a loopback port, STARTTLS with a test CA and AUTH
//! required. Each kind in two languages, the server away for a while, header injection attempts.
//! Each test runs on both store backends (SQLite and PostgreSQL).

use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    sync::Arc,
};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};
use vmportal_core::{
    Lang,
    audit::Actor,
    clock::TestClock,
    hypervisor::Registry,
    ids::UserId,
    job::{JobKind, JobOutcome},
    lease::{ExpiryAction, LeasePolicy},
    machine::{MachinePatch, MachineState},
    names::{Hostname, Username},
    now,
    preferences::{Notifications, Preferences},
    quota::Quota,
    request::NewRequest,
    resources::Resources,
    secret::SecretKey,
    store::prelude::*,
    template::{MachineKind, OsFamily, TemplateSpec},
    user::{NewUser, Role, User, UserSource},
};
use vmportal_test_postgres::{Backend, TestStore, on_both_backends};
use vmportal_worker::{Engine, EngineConfig, MailConfig, Mailer, mail::Security};

on_both_backends!(
    every_kind_arrives_in_the_recipients_language_with_the_right_headers,
    an_absent_or_refusing_server_delays_mail_and_loses_none,
    a_delivery_that_never_succeeds_is_given_up_and_listed,
    the_daily_digest_replaces_mail_per_request_and_choices_are_kept,
    lease_warnings_and_expiry_are_mailed_in_the_owners_language,
);

const USER: &str = "portal";
const PASSWORD: &str = "relay secret";

fn smtp_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp")
}

/// A test CA and a certificate for 127.0.0.1 signed by it, made with openssl.
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let ok = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "openssl {args:?}");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=vmportal test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

struct SmtpServer {
    child: Child,
    out: PathBuf,
}

impl SmtpServer {
    async fn start(port: u16, cert: &Path, key: &Path, out: &Path) -> SmtpServer {
        let python = smtp_dir().join(".venv/bin/python");
        assert!(
            python.exists(),
            "no aiosmtpd: run scripts/smtp-venv.sh (scripts/test does)"
        );
        std::fs::create_dir_all(out).unwrap();
        let mut child = Command::new(python)
            .arg(smtp_dir().join("server.py"))
            .args([
                &port.to_string(),
                cert.to_str().unwrap(),
                key.to_str().unwrap(),
            ])
            .args([out.to_str().unwrap(), USER, PASSWORD])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
            .await
            .expect("aiosmtpd started in time")
            .unwrap();
        assert_eq!(ready.as_deref(), Some("ready"));
        SmtpServer {
            child,
            out: out.to_owned(),
        }
    }

    async fn stop(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait().await;
    }

    /// Every message received so far, in order.
    fn received(&self) -> Vec<Value> {
        let mut names: Vec<_> = std::fs::read_dir(&self.out)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }
}

fn header<'a>(m: &'a Value, name: &str) -> Vec<&'a str> {
    m["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .map(|h| h[1].as_str().unwrap())
        .collect()
}

/// The raw header block, as it went over the wire.
fn head(m: &Value) -> &str {
    let raw = m["raw"].as_str().unwrap();
    &raw[..raw.find("\r\n\r\n").unwrap()]
}

fn text(m: &Value) -> &str {
    m["parts"]["text/plain"].as_str().unwrap()
}

fn html(m: &Value) -> &str {
    m["parts"]["text/html"].as_str().unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct World {
    store: Arc<dyn Store>,
    _db: TestStore,
    dir: tempfile::TempDir,
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    port: u16,
}

impl World {
    async fn new(backend: Backend) -> World {
        let dir = tempfile::tempdir().unwrap();
        let db = TestStore::open(backend).await;
        let (ca, cert, key) = certificates(dir.path());
        World {
            store: db.store.clone(),
            _db: db,
            ca,
            cert,
            key,
            port: free_port(),
            dir,
        }
    }

    fn config(&self, password: &str) -> MailConfig {
        MailConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            security: Security::Starttls,
            user: Some(USER.into()),
            password: Some(password.into()),
            from: "vmportal <portal@school.example>".into(),
            ca_file: Some(self.ca.clone()),
            max_attempts: 5,
            digest_hour: 0,
            poll_millis: 100,
        }
    }

    fn mailer(&self, password: &str) -> Arc<Mailer> {
        Mailer::new(
            self.store.clone(),
            self.config(password),
            "https://portal.example/",
        )
        .unwrap()
    }

    async fn smtp(&self) -> SmtpServer {
        SmtpServer::start(
            self.port,
            &self.cert,
            &self.key,
            &self.dir.path().join("received"),
        )
        .await
    }

    async fn user(&self, name: &str, display: &str, role: Role, lang: Lang) -> User {
        let user = self
            .store
            .create_user(
                NewUser {
                    username: Username::parse("username", name).unwrap(),
                    display_name: display.into(),
                    email: Some(format!("{name}@school.example")),
                    role,
                    source: UserSource::Local,
                    password_hash: None,
                    must_change_password: false,
                },
                &Actor::system("test"),
            )
            .await
            .unwrap();
        self.prefs(user.id, lang, Notifications::default()).await;
        user
    }

    async fn prefs(&self, user: UserId, lang: Lang, notifications: Notifications) {
        let prefs = Preferences {
            language: Some(lang),
            notifications,
        };
        self.store
            .set_preferences(user, prefs, &Actor::system("test"))
            .await
            .unwrap();
    }

    async fn request(
        &self,
        owner: &User,
        name: &str,
        purpose: &str,
    ) -> vmportal_core::ids::RequestId {
        let template = match self.store.templates().await.unwrap().pop() {
            Some(t) => t,
            None => self
                .store
                .create_template(
                    TemplateSpec {
                        name: "Debian 12".into(),
                        description: String::new(),
                        provider: "local".into(),
                        kind: MachineKind::Vm,
                        os_family: OsFamily::Linux,
                        source: "base.qcow2".into(),
                        defaults: size(),
                        limits: size(),
                        shutdown_timeout_secs: 60,
                        max_snapshots: 0,
                        locale: None,
                        enabled: true,
                        lease: Default::default(),
                    },
                    &Actor::system("test"),
                )
                .await
                .unwrap(),
        };
        let new = NewRequest {
            user_id: owner.id,
            template_id: template.id,
            name: Hostname::parse("name", name).unwrap(),
            resources: size(),
            purpose: purpose.into(),
            course_id: None,
        };
        let quota = Quota {
            machines: 10,
            cpus: 10,
            memory_mib: 100_000,
            disk_gib: 1000,
        };
        self.store
            .create_request(new, quota, &Actor::system(owner.username.as_str()))
            .await
            .unwrap()
            .id
    }
}

fn size() -> Resources {
    Resources {
        cpus: 1,
        memory_mib: 1024,
        disk_gib: 10,
    }
}

fn to(m: &Value) -> &str {
    m["rcpt_tos"][0].as_str().unwrap()
}

async fn every_kind_arrives_in_the_recipients_language_with_the_right_headers(backend: Backend) {
    let w = World::new(backend).await;
    let smtp = w.smtp().await;
    let mailer = w.mailer(PASSWORD);
    let admin = Actor::system("boss");
    w.user("boss", "Bea Boss", Role::Admin, Lang::It).await;
    w.user("chef", "Karl Chef", Role::Admin, Lang::De).await;
    let alice = w
        .user(
            "alice",
            "Alice\r\nBcc: victim@evil.example",
            Role::User,
            Lang::Fr,
        )
        .await;
    let bruno = w.user("bruno", "Bruno", Role::User, Lang::En).await;

    // A new request: each approver, in their language. The purpose tries to add headers.
    let evil =
        "thesis\r\nBcc: victim@evil.example\r\nSubject: free money\r\n\r\n<script>x</script>";
    let thesis = w.request(&alice, "thesis", evil).await;
    assert_eq!(mailer.send_due(now()).await.unwrap(), 2);
    let got = smtp.received();
    assert_eq!(got.len(), 2);
    for m in &got {
        assert!(m["tls"].as_bool().unwrap(), "STARTTLS was used");
        assert_eq!(m["login"], USER, "AUTH was used");
        assert_eq!(header(m, "Auto-Submitted"), ["auto-generated"]);
        assert_eq!(header(m, "Message-ID").len(), 1);
        assert!(header(m, "Message-ID")[0].ends_with("@school.example>"));
        assert_eq!(header(m, "Date").len(), 1);
        assert!(header(m, "Content-Type")[0].starts_with("multipart/alternative"));
        assert!(header(m, "Bcc").is_empty(), "no header from the purpose");
        assert_eq!(header(m, "Subject").len(), 1);
        assert!(!head(m).contains("evil"), "{}", head(m));
        assert!(
            html(m).contains("&lt;script&gt;"),
            "user text is escaped in HTML"
        );
        assert!(html(m).contains("https://portal.example/admin/requests"));
    }
    let (it, de) = if to(&got[0]) == "boss@school.example" {
        (&got[0], &got[1])
    } else {
        (&got[1], &got[0])
    };
    assert_eq!(header(it, "Subject"), ["Nuova richiesta: thesis da alice"]);
    assert!(text(it).contains("alice chiede una macchina di nome thesis dal modello Debian 12."));
    assert!(text(it).contains("Motivazione: thesis"));
    assert_eq!(header(de, "Subject"), ["Neuer Antrag: thesis von alice"]);
    assert!(text(de).contains("Zweck: thesis"));

    // Rejected with a reason, to Alice in French; her display name cannot add a header.
    w.store
        .reject_request(
            thesis,
            "pas ce trimestre\r\nBcc: victim@evil.example",
            &admin,
        )
        .await
        .unwrap();
    mailer.send_due(now()).await.unwrap();
    let m = &smtp.received()[2];
    assert_eq!(to(m), "alice@school.example");
    assert_eq!(header(m, "Subject"), ["Votre demande thesis a été refusée"]);
    assert!(text(m).contains("Motif : pas ce trimestre"));
    assert!(header(m, "Bcc").is_empty());
    assert!(!head(m).contains("evil"), "{}", head(m));
    assert_eq!(header(m, "To").len(), 1);
    assert!(header(m, "To")[0].contains("alice@school.example"));

    // Approved, built, then an action failed: to Bruno in English and Alice in French.
    for (owner, name) in [(&bruno, "lab"), (&alice, "labo")] {
        let id = w.request(owner, name, "coursework").await;
        let approval = w.store.approve_request(id, &admin).await.unwrap();
        let job = w
            .store
            .claim_job("test", now(), now() + time::Duration::minutes(5))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.id, approval.job.id);
        w.store
            .finish_job(job.id, "test", JobOutcome::Succeeded("running".into()))
            .await
            .unwrap();
        // The engine would have started it; the test plays the engine.
        let running = MachinePatch {
            state: Some(MachineState::Running),
            ..Default::default()
        };
        w.store
            .update_machine(approval.machine.id, running)
            .await
            .unwrap();
        let reboot = w
            .store
            .enqueue_job(approval.machine.id, JobKind::Reboot, &admin)
            .await
            .unwrap();
        let job = w
            .store
            .claim_job("test", now(), now() + time::Duration::minutes(5))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.id, reboot.id);
        let failed = JobOutcome::Failed("the guest agent did not answer".into());
        w.store.finish_job(job.id, "test", failed).await.unwrap();
    }
    mailer.send_due(now()).await.unwrap();
    let got = smtp.received();
    let subjects: Vec<(&str, &str)> = got[3..]
        .iter()
        .map(|m| (to(m), header(m, "Subject")[0]))
        .collect();
    assert!(
        subjects.contains(&("bruno@school.example", "Your request lab was approved")),
        "{subjects:?}"
    );
    assert!(subjects.contains(&("bruno@school.example", "Your machine lab is ready")));
    assert!(subjects.contains(&("alice@school.example", "Votre demande labo a été approuvée")));
    assert!(subjects.contains(&("alice@school.example", "Votre machine labo est prête")));
    let ready = got[3..]
        .iter()
        .find(|m| header(m, "Subject")[0] == "Your machine lab is ready")
        .unwrap();
    assert!(text(ready).contains("https://portal.example/machines/"));
    assert!(text(ready).contains("username and password are on its page"));
    assert!(subjects.contains(&("bruno@school.example", "An action on lab failed")));
    assert!(subjects.contains(&("alice@school.example", "Une opération sur labo a échoué")));
    assert_eq!(
        subjects.len(),
        6,
        "nothing else, nothing twice: {subjects:?}"
    );
    let failed = got[3..]
        .iter()
        .find(|m| header(m, "Subject")[0] == "Une opération sur labo a échoué")
        .unwrap();
    assert!(text(failed).contains("L'opération « redémarrage » sur votre machine labo a échoué."));
    // Alice is no administrator: she reads an error id to quote, never the hypervisor's words.
    let id = vmportal_core::error_id("the guest agent did not answer");
    assert!(
        text(failed).contains(&format!("sous l'erreur {id}")),
        "{}",
        text(failed)
    );
    assert!(!text(failed).contains("guest agent"));
    smtp.stop().await;
}

/// The mail server is away: nothing is lost, the mail goes once it is back, and only once.
/// A wrong relay password is refused by the server's AUTH and retried like an outage.
async fn an_absent_or_refusing_server_delays_mail_and_loses_none(backend: Backend) {
    let w = World::new(backend).await;
    w.user("boss", "Bea Boss", Role::Admin, Lang::En).await;
    let alice = w.user("alice", "Alice", Role::User, Lang::It).await;
    let mailer = w.mailer(PASSWORD);
    w.request(&alice, "thesis", "tesi").await;

    // Nobody listens: the try fails and is put off, with the backoff.
    let t0 = now();
    assert_eq!(mailer.send_due(t0).await.unwrap(), 1);
    assert_eq!(mailer.send_due(t0).await.unwrap(), 0, "not due again yet");
    let smtp = w.smtp().await;
    assert_eq!(
        mailer.send_due(t0).await.unwrap(),
        0,
        "still waiting for its time"
    );
    assert!(smtp.received().is_empty());

    // A relay password the server refuses: a failure like the outage, nothing delivered.
    let wrong = w.mailer("not the password");
    let t1 = t0 + time::Duration::seconds(31);
    assert_eq!(wrong.send_due(t1).await.unwrap(), 1);
    assert!(smtp.received().is_empty());

    // Later, with the right password: delivered, once.
    let t2 = t1 + time::Duration::seconds(61);
    assert_eq!(mailer.send_due(t2).await.unwrap(), 1);
    assert_eq!(
        mailer
            .send_due(t2 + time::Duration::hours(2))
            .await
            .unwrap(),
        0
    );
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        header(&got[0], "Subject"),
        ["New request: thesis from alice"]
    );
    smtp.stop().await;
    assert!(w.store.failed_deliveries().await.unwrap().is_empty());
}

/// After `max_attempts` the delivery is given up and shown to administrators.
async fn a_delivery_that_never_succeeds_is_given_up_and_listed(backend: Backend) {
    let w = World::new(backend).await;
    w.user("boss", "Bea Boss", Role::Admin, Lang::De).await;
    let alice = w.user("alice", "Alice", Role::User, Lang::Fr).await;
    let mailer = w.mailer(PASSWORD);
    w.request(&alice, "thesis", "tesi").await;
    let mut t = now();
    for _ in 0..5 {
        assert_eq!(mailer.send_due(t).await.unwrap(), 1);
        t += time::Duration::hours(2);
    }
    assert_eq!(mailer.send_due(t).await.unwrap(), 0, "given up");
    let failed = w.store.failed_deliveries().await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].recipient, "boss");
    assert_eq!(failed[0].attempts, 5);
    assert!(!failed[0].last_error.is_empty());
}

/// Approvers who chose the daily digest get one mail a day listing what waits, in their
/// language, instead of one per request; those who turned a kind off get none of it.
async fn the_daily_digest_replaces_mail_per_request_and_choices_are_kept(backend: Backend) {
    let w = World::new(backend).await;
    let smtp = w.smtp().await;
    let mailer = w.mailer(PASSWORD);
    let boss = w.user("boss", "Bea Boss", Role::Admin, Lang::Fr).await;
    let digest = Notifications {
        daily_digest: true,
        ..Notifications::default()
    };
    w.prefs(boss.id, Lang::Fr, digest).await;
    let chef = w.user("chef", "Karl Chef", Role::Admin, Lang::De).await;
    let quiet = Notifications {
        new_request: false,
        ..Notifications::default()
    };
    w.prefs(chef.id, Lang::De, quiet).await;
    let alice = w.user("alice", "Alice", Role::User, Lang::It).await;
    w.request(&alice, "one", "a").await;
    w.request(&alice, "two", "b").await;

    assert_eq!(
        mailer.send_due(now()).await.unwrap(),
        4,
        "handled, none wanted"
    );
    assert!(smtp.received().is_empty());
    assert_eq!(mailer.queue_digests(now()).await.unwrap(), 1);
    assert_eq!(mailer.queue_digests(now()).await.unwrap(), 0, "one a day");
    mailer.send_due(now()).await.unwrap();
    let got = smtp.received();
    assert_eq!(got.len(), 1);
    assert_eq!(to(&got[0]), "boss@school.example");
    assert_eq!(
        header(&got[0], "Subject"),
        ["2 demandes attendent une décision"]
    );
    assert!(text(&got[0]).contains("• one (alice, Debian 12)"));
    assert!(text(&got[0]).contains("• two (alice, Debian 12)"));
    smtp.stop().await;
}

/// The lease sweep's notices (a warning, then the expiry) reach the owner in their language,
/// written with the notice itself, and once each however often the sweep runs.
async fn lease_warnings_and_expiry_are_mailed_in_the_owners_language(backend: Backend) {
    let w = World::new(backend).await;
    let smtp = w.smtp().await;
    let mailer = w.mailer(PASSWORD);
    let by = Actor::system("test");
    w.store
        .create_template(
            TemplateSpec {
                name: "Course VM".into(),
                description: String::new(),
                provider: "local".into(),
                kind: MachineKind::Vm,
                os_family: OsFamily::Linux,
                source: "base.qcow2".into(),
                defaults: size(),
                limits: size(),
                shutdown_timeout_secs: 60,
                max_snapshots: 0,
                locale: None,
                enabled: true,
                lease: LeasePolicy {
                    lease_days: Some(30),
                    expiry_action: ExpiryAction::Delete,
                    grace_days: Some(7),
                    ..Default::default()
                },
            },
            &by,
        )
        .await
        .unwrap();
    let alice = w.user("alice", "Alice", Role::User, Lang::It).await;
    let bruno = w.user("bruno", "Bruno", Role::User, Lang::En).await;
    let mut machines = Vec::new();
    for (owner, name) in [(&alice, "tesi"), (&bruno, "lab")] {
        let id = w.request(owner, name, "course").await;
        let approval = w.store.approve_request(id, &by).await.unwrap();
        let job = w
            .store
            .claim_job("test", now(), now() + time::Duration::minutes(5))
            .await
            .unwrap()
            .unwrap();
        let running = MachinePatch {
            state: Some(MachineState::Running),
            ..Default::default()
        };
        w.store
            .update_machine(approval.machine.id, running)
            .await
            .unwrap();
        w.store
            .finish_job(job.id, "test", JobOutcome::Succeeded("running".into()))
            .await
            .unwrap();
        machines.push(approval.machine.id);
    }
    // Decisions and "ready" mails first; the lease mails are counted from here.
    mailer.send_due(now()).await.unwrap();
    let before = smtp.received().len();
    assert_eq!(before, 4, "two decisions, two machines ready");

    let clock = Arc::new(TestClock::new());
    let engine = Engine::new(
        w.store.clone(),
        Registry::default(),
        SecretKey::generate(),
        EngineConfig::default(),
        clock.clone(),
    );
    let end = w
        .store
        .machine(machines[0])
        .await
        .unwrap()
        .unwrap()
        .expires_at
        .expect("a lease from the template");
    clock.set(end - time::Duration::days(7));
    engine.sweep_leases().await.unwrap();
    engine.sweep_leases().await.unwrap();
    assert_eq!(mailer.send_due(now()).await.unwrap(), 2);
    let got = smtp.received();
    let warning = |addr: &str| {
        got[before..]
            .iter()
            .find(|m| to(m) == addr)
            .unwrap_or_else(|| panic!("no lease mail to {addr}"))
            .clone()
    };
    let it = warning("alice@school.example");
    let date = vmportal_i18n::Tr::new(Lang::It).datetime(end);
    assert_eq!(header(&it, "Subject"), [format!("tesi scade il {date}")]);
    assert!(text(&it).contains("Verrà eliminata il"), "{}", text(&it));
    assert!(text(&it).contains("prorogala dalla sua pagina"));
    assert!(text(&it).contains(&format!("https://portal.example/machines/{}", machines[0])));
    let en = warning("bruno@school.example");
    assert!(header(&en, "Subject")[0].starts_with("The lease of lab ends on "));

    // The lease ends: the sweep queues the stop and each owner hears of it, once.
    clock.set(end + time::Duration::minutes(1));
    engine.sweep_leases().await.unwrap();
    engine.sweep_leases().await.unwrap();
    assert_eq!(mailer.send_due(now()).await.unwrap(), 2);
    assert_eq!(mailer.send_due(now()).await.unwrap(), 0, "nothing twice");
    let got = smtp.received();
    assert_eq!(got.len(), before + 4);
    let subjects: Vec<&str> = got[before + 2..]
        .iter()
        .map(|m| header(m, "Subject")[0])
        .collect();
    assert!(subjects.contains(&"tesi è scaduta"), "{subjects:?}");
    assert!(
        subjects.contains(&"The lease of lab has ended"),
        "{subjects:?}"
    );
    smtp.stop().await;
}
