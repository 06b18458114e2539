//! `TestApp`: spawns the portal with a fresh database and gives one helper per endpoint.

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use std::{net::SocketAddr, path::PathBuf, sync::Arc};
use tokio::sync::oneshot;
use vmportal_core::{
    audit::Actor,
    directory::Directory,
    names::Username,
    password::Password,
    sso::IdentityProvider,
    store::prelude::*,
    user::{NewUser, Role, UserSource},
};
use vmportal_core::{clock::TestClock, hypervisor::Registry, secret::SecretKey};
use vmportal_libvirt::{LibvirtConfig, LibvirtHypervisor};
use vmportal_store::SqliteStore;
use vmportal_web::{AppState, WebConfig};

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Arc<SqliteStore>,
    pub config: WebConfig,
    pub providers: Registry,
    /// The portal's clock for leases; tests move it forward.
    pub clock: Arc<TestClock>,
    pub key: SecretKey,
    directory: Option<Arc<dyn Directory>>,
    sso: Vec<Arc<dyn IdentityProvider>>,
    db_path: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

pub fn test_config() -> WebConfig {
    let mut config = WebConfig::default();
    // Tests run in the crate's directory; scripts/novnc.sh installs noVNC under it.
    config.console.novnc_dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/novnc/node_modules/@novnc/novnc"
    )
    .into();
    config
}

/// What the database keeps of a session token: its SHA-256, in hex.
pub fn session_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A libvirt provider `name` at `uri`: `test:///default` is libvirt's in-memory driver.
pub fn libvirt(name: &str, uri: &str) -> (String, LibvirtConfig) {
    let uri = uri.into();
    let cfg = LibvirtConfig {
        uri,
        ..LibvirtConfig::test_driver()
    };
    (name.to_owned(), cfg)
}

fn registry(providers: Vec<(String, LibvirtConfig)>) -> Registry {
    let mut r = Registry::default();
    for (name, cfg) in providers {
        r.insert(name, Arc::new(LibvirtHypervisor::new(cfg)));
    }
    r
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::with_config(test_config()).await
    }

    pub async fn with_config(config: WebConfig) -> TestApp {
        Self::with_providers(config, vec![libvirt("local", "test:///default")]).await
    }

    pub async fn with_providers(
        config: WebConfig,
        providers: Vec<(String, LibvirtConfig)>,
    ) -> TestApp {
        Self::build(config, registry(providers), None).await
    }

    /// With hypervisors of any kind (a Proxmox VE provider on the simulator).
    pub async fn with_registry(config: WebConfig, providers: Registry) -> TestApp {
        Self::build(config, providers, None).await
    }

    pub async fn with_directory(
        config: WebConfig,
        directory: Option<Arc<dyn Directory>>,
    ) -> TestApp {
        let providers = registry(vec![libvirt("local", "test:///default")]);
        Self::build(config, providers, directory).await
    }

    /// With OpenID providers, serving on `listener` (bound first: the providers need the
    /// portal's address for their redirect URI).
    pub async fn with_sso(
        config: WebConfig,
        listener: std::net::TcpListener,
        sso: Vec<Arc<dyn IdentityProvider>>,
    ) -> TestApp {
        let providers = registry(vec![libvirt("local", "test:///default")]);
        Self::build_on(config, providers, None, sso, Some(listener)).await
    }

    async fn build(
        config: WebConfig,
        providers: Registry,
        directory: Option<Arc<dyn Directory>>,
    ) -> TestApp {
        Self::build_on(config, providers, directory, Vec::new(), None).await
    }

    async fn build_on(
        config: WebConfig,
        providers: Registry,
        directory: Option<Arc<dyn Directory>>,
        sso: Vec<Arc<dyn IdentityProvider>>,
        listener: Option<std::net::TcpListener>,
    ) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("portal.db");
        let store = open(&db_path).await;
        let key = SecretKey::generate();
        let clock = Arc::new(TestClock::new());
        let state = AppState::new(
            store.clone(),
            config.clone(),
            providers.clone(),
            key.clone(),
            directory.clone(),
        )
        .with_clock(clock.clone())
        .with_sso(sso.clone());
        let (addr, stop, server) = start(state, listener).await;
        TestApp {
            addr,
            store,
            config,
            providers,
            clock,
            key,
            directory,
            sso,
            db_path,
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
        }
    }

    /// Stops the server (as a shutdown would) and starts a new one on the same database.
    pub async fn restart(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap();
        }
        self.store = open(&self.db_path).await;
        let state = AppState::new(
            self.store.clone(),
            self.config.clone(),
            self.providers.clone(),
            self.key.clone(),
            self.directory.clone(),
        )
        .with_clock(self.clock.clone())
        .with_sso(self.sso.clone());
        let (addr, stop, server) = start(state, None).await;
        (self.addr, self.stop, self.server) = (addr, Some(stop), Some(server));
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client with its own cookie jar that does not follow redirects, so tests see them.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Creates a local user straight in the store; password [`PASSWORD`].
    pub async fn user(&self, name: &str, role: Role) -> vmportal_core::user::User {
        let new = NewUser {
            username: Username::parse("username", name).unwrap(),
            display_name: format!("{name} display"),
            email: Some(format!("{name}@school.example")),
            role,
            source: UserSource::Local,
            password_hash: Some(Password::parse("password", PASSWORD).unwrap().hash()),
            must_change_password: false,
        };
        self.store
            .create_user(new, &Actor::system("test"))
            .await
            .unwrap()
    }

    /// A signed-in client for a new user.
    pub async fn signed_in(&self, name: &str, role: Role) -> Client {
        self.user(name, role).await;
        let client = self.client();
        let r = self.login(&client, name, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::OK, "login of {name}");
        client
    }

    pub async fn login(&self, client: &Client, username: &str, password: &str) -> Response {
        client
            .post(self.url("/api/v1/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, client: &Client, path: &str, body: Value) -> Response {
        client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Posts an HTML form, as a browser without JavaScript would.
    pub async fn post_form(
        &self,
        client: &Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, client: &Client, path: &str, body: Value) -> Response {
        client
            .patch(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, client: &Client, path: &str, body: Value) -> Response {
        client.put(self.url(path)).json(&body).send().await.unwrap()
    }

    /// A template on provider `local`: default 1 CPU / 1024 MiB / 10 GiB, at most 4 / 8192 / 100.
    pub async fn template(&self, admin: &Client, name: &str) -> i64 {
        let body = json!({
            "name": name, "description": "Debian 12 with cloud-init", "provider": "local", "kind": "vm",
            "os_family": "linux", "source": "debian-12-base.qcow2",
            "default_cpus": 1, "default_memory_mib": 1024, "default_disk_gib": 10,
            "max_cpus": 4, "max_memory_mib": 8192, "max_disk_gib": 100,
        });
        let r = self.post(admin, "/api/v1/templates", body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    /// A pending request of `client` on `template`; returns its id.
    pub async fn request(&self, client: &Client, template: i64, name: &str) -> i64 {
        let body = json!({"template_id": template, "name": name, "cpus": 1, "memory_mib": 1024, "disk_gib": 10, "purpose": "coursework"});
        let r = self.post(client, "/api/v1/requests", body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["state"], "pending");
        v["id"].as_i64().unwrap()
    }

    /// Approves `request` as `admin`; returns the machine it makes.
    pub async fn approve(&self, admin: &Client, request: i64) -> i64 {
        let path = format!("/api/v1/requests/{request}/approve");
        let r = self.post(admin, &path, json!({})).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        r.json::<Value>().await.unwrap()["machine_id"]
            .as_i64()
            .unwrap()
    }

    /// Claims the oldest runnable job and runs it once with the provisioning engine, as a worker
    /// would; returns the job as it ended. Tests that need the engine drive it step by step.
    pub async fn run_next_job(&self) -> vmportal_core::job::Job {
        const WORKER: &str = "test-worker";
        let now = vmportal_core::now();
        let job = self
            .store
            .claim_job(WORKER, now, now + time::Duration::minutes(5))
            .await
            .unwrap()
            .expect("a job to run");
        let engine = vmportal_worker::Engine::new(
            self.store.clone(),
            self.providers.clone(),
            self.key.clone(),
            vmportal_worker::EngineConfig::default(),
            self.clock.clone(),
        );
        engine.run(WORKER, job.clone()).await;
        self.store.job(job.id).await.unwrap().unwrap()
    }

    /// The audit actions, newest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        self.audit().await.into_iter().map(|e| e.action).collect()
    }

    /// The last 200 audit events, newest first.
    pub async fn audit(&self) -> Vec<vmportal_core::audit::AuditEvent> {
        let query = vmportal_core::store::AuditQuery {
            page: vmportal_core::store::Page::new(None, Some(200)).unwrap(),
            ..Default::default()
        };
        self.store.audit(&query).await.unwrap().items
    }
}

async fn open(path: &std::path::Path) -> Arc<SqliteStore> {
    let store = SqliteStore::connect(path.to_str().unwrap()).await.unwrap();
    store.migrate().await.unwrap();
    Arc::new(store)
}

async fn start(
    state: AppState,
    listener: Option<std::net::TcpListener>,
) -> (SocketAddr, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    // reqwest is built without a crypto provider of its own (the Proxmox provider brings TLS on
    // ring); every client, ours and the WebDriver's, needs one installed first.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let listener = match listener {
        Some(l) => {
            l.set_nonblocking(true).unwrap();
            tokio::net::TcpListener::from_std(l).unwrap()
        }
        None => tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
    };
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        vmportal_web::serve(listener, state, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (addr, stop, server)
}

/// The `error.code` of a JSON error answer, after checking its status.
pub async fn error_code(r: Response, status: StatusCode) -> String {
    assert_eq!(r.status(), status, "status");
    let v: Value = r.json().await.unwrap();
    v["error"]["code"].as_str().unwrap_or_default().to_owned()
}

/// The field names of a 422 answer.
pub async fn invalid_fields(r: Response) -> Vec<String> {
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "invalid_input");
    v["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}
