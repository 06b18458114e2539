//! The whole portal (the real binary) on the PVE simulator, with a real sshd per node playing the
//! nodes' `pct`: an administrator, a user with an SSH key, a template, and helpers for each step.
#![allow(dead_code)] // each test binary uses its own part of these helpers

pub use crate::common::portal::ALICE_PASSWORD;
use crate::common::{Server, admin_password_change, first_admin_password, serve_with, vmportal};
use pve_sim::sshd::NodeShells;
use pve_sim::{Sim, TOKEN_ID, TOKEN_SECRET};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub const USER_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEz alice@laptop";

pub struct Portal {
    pub sim: Sim,
    /// The nodes' sshd, running as long as the portal.
    _shells: NodeShells,
    pub admin: Client,
    pub user: Client,
    pub template: i64,
    pub addr: String,
    _server: Server,
    _tmp: tempfile::TempDir,
}

/// What a test changes in the portal's Proxmox provider and its template.
pub struct Setting {
    pub kind: &'static str,
    pub source: &'static str,
    /// Extra `key = value` lines for the provider.
    pub provider: &'static str,
}

impl Portal {
    pub async fn start(setting: Setting) -> Portal {
        Self::start_on(setting, None, "").await
    }

    /// The same on the database `url` (SQLite in the test's folder when `None`), with `extra`
    /// lines at the end of the `[engine]` table (they may open tables of their own).
    pub async fn start_on(setting: Setting, url: Option<&str>, extra: &str) -> Portal {
        let sim = Sim::start().await;
        let shells = tokio::task::block_in_place(|| NodeShells::start(&sim, &["pve1"]));
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().display();
        std::fs::write(tmp.path().join("ca.pem"), &sim.ca_pem).unwrap();
        let config = format!(
            "[database]\nurl = \"{database}\"\n[secrets]\nkey_file = \"{d}/secret.key\"\n\
             [engine]\nworkers = 2\npoll_millis = 100\nretry_secs = 1\nmax_attempts = 10\n\
             reconcile_secs = 3600\nguest_prefix = \"pvt\"\n{extra}\
             [[providers]]\nname = \"pve\"\nkind = \"proxmox\"\nurl = \"{url}\"\ntoken_id = \"{TOKEN_ID}\"\n\
             token_secret = \"{TOKEN_SECRET}\"\nca_file = \"{d}/ca.pem\"\nnodes = [\"pve1\"]\n\
             storage = \"local-lvm\"\nboot_wait_secs = 10\n{provider}\n\
             [providers.ssh]\nuser = \"{user}\"\nkey_file = \"{key}\"\nknown_hosts = \"{known_hosts}\"\n\
             hosts = {{ pve1 = \"{address}\" }}\n",
            database = url.map_or_else(|| format!("sqlite://{d}/portal.db"), str::to_owned),
            url = sim.url,
            provider = setting.provider,
            user = shells.user,
            key = shells.key_file.display(),
            known_hosts = shells.known_hosts.display(),
            address = shells.node("pve1").address(),
        );
        std::fs::write(tmp.path().join("portal.toml"), config).unwrap();
        let dir = tmp.path().to_path_buf();
        let (server, addr, lines) = tokio::task::spawn_blocking(move || {
            serve_with(vmportal(&dir).args(["--config", "portal.toml"]), None)
        })
        .await
        .unwrap();
        let admin_pw = first_admin_password(tmp.path(), &lines);
        // reqwest has no crypto provider of its own in this workspace.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = || Client::builder().cookie_store(true).build().unwrap();
        let mut p = Portal {
            sim,
            _shells: shells,
            admin: client(),
            user: client(),
            template: 0,
            addr,
            _server: server,
            _tmp: tmp,
        };
        p.sign_in(&p.admin, "admin", &admin_pw).await;
        let change = admin_password_change(&admin_pw);
        let (status, _) = p
            .call(&p.admin, Method::POST, "/api/v1/me/password", Some(change))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let alice = json!({"username": "alice", "password": ALICE_PASSWORD});
        let (status, _) = p
            .call(&p.admin, Method::POST, "/api/v1/users", Some(alice))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        p.sign_in(&p.user, "alice", ALICE_PASSWORD).await;
        let key = json!({"ssh_public_key": USER_KEY});
        let (status, body) = p
            .call(&p.user, Method::PUT, "/api/v1/me/ssh-key", Some(key))
            .await;
        assert!(status.is_success(), "{body}");
        let template = json!({"name": "Debian 12 (PVE)", "provider": "pve", "kind": setting.kind,
            "os_family": "linux", "source": setting.source, "default_cpus": 1,
            "default_memory_mib": 1024, "default_disk_gib": 8, "max_cpus": 2,
            "max_memory_mib": 2048, "max_disk_gib": 20, "shutdown_timeout_secs": 30});
        let (status, t) = p
            .call(&p.admin, Method::POST, "/api/v1/templates", Some(template))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        p.template = t["id"].as_i64().unwrap();
        p
    }

    /// Another `vmportal serve` on the same configuration (and so the same database and key):
    /// the server and its address.
    pub async fn another_instance(&self) -> (Server, String) {
        let dir = self._tmp.path().to_path_buf();
        let (server, addr, _) = tokio::task::spawn_blocking(move || {
            serve_with(vmportal(&dir).args(["--config", "portal.toml"]), None)
        })
        .await
        .unwrap();
        (server, addr)
    }

    pub fn pid(&self) -> u32 {
        self._server.0.id()
    }

    /// The first instance, killed with SIGKILL.
    pub fn kill(&mut self) {
        let _ = self._server.0.kill();
        let _ = self._server.0.wait();
    }

    async fn sign_in(&self, who: &Client, name: &str, password: &str) {
        let body = json!({"username": name, "password": password});
        let (status, _) = self
            .call(who, Method::POST, "/api/v1/login", Some(body))
            .await;
        assert_eq!(status, StatusCode::OK);
    }

    pub async fn call(
        &self,
        who: &Client,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let url = format!("http://{}{path}", self.addr);
        crate::common::portal::call(who, method, &url, body).await
    }

    /// The user asks for a machine and the administrator approves: (machine id, job id).
    pub async fn approved(&self, name: &str) -> (i64, i64) {
        let ask = json!({"template_id": self.template, "name": name, "cpus": 2,
                         "memory_mib": 2048, "disk_gib": 10, "purpose": "thesis"});
        let (status, r) = self
            .call(&self.user, Method::POST, "/api/v1/requests", Some(ask))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        let path = format!("/api/v1/requests/{}/approve", r["id"]);
        let (status, a) = self.call(&self.admin, Method::POST, &path, None).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{a}");
        (
            a["machine_id"].as_i64().unwrap(),
            a["job_id"].as_i64().unwrap(),
        )
    }

    /// The owner asks for `action` (`start`, `shutdown`, `stop`, `delete`); returns the job id.
    pub async fn act(&self, id: i64, action: &str) -> i64 {
        let (method, path) = match action {
            "delete" => (Method::DELETE, format!("/api/v1/machines/{id}")),
            _ => (Method::POST, format!("/api/v1/machines/{id}/{action}")),
        };
        let (status, body) = self.call(&self.user, method, &path, None).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{action}: {body}");
        body["job_id"].as_i64().unwrap()
    }

    /// The machine as an administrator sees it: `last_error` with the hypervisor's detail (its
    /// owner sees a plain reason and an error id).
    pub async fn machine_detail(&self, id: i64) -> Value {
        let path = format!("/api/v1/machines/{id}");
        self.call(&self.admin, Method::GET, &path, None).await.1
    }

    pub async fn machine(&self, id: i64) -> Value {
        let path = format!("/api/v1/machines/{id}");
        self.call(&self.user, Method::GET, &path, None).await.1
    }

    pub async fn wait_for(&self, id: i64, state: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let m = self.machine(id).await;
            if m["state"] == state {
                return m;
            }
            assert!(
                Instant::now() < deadline,
                "machine {id} never became {state}: {m}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// A finished job: `{"state","attempts","error",...}`.
    pub async fn job_done(&self, job: i64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let path = format!("/api/v1/jobs/{job}");
            let (_, j) = self.call(&self.user, Method::GET, &path, None).await;
            if j["state"] == "succeeded" || j["state"] == "failed" {
                return j;
            }
            assert!(Instant::now() < deadline, "job {job} never finished: {j}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every progress message of a finished job, retries included, as its event stream has them.
    /// The job's events as an administrator reads them, with the hypervisor's words (its owner
    /// gets plain reasons).
    pub async fn job_messages(&self, job: i64) -> String {
        let url = format!("http://{}/api/v1/jobs/{job}/events", self.addr);
        let res = self.admin.get(url).send().await.unwrap();
        res.text().await.unwrap()
    }

    pub async fn credentials(&self, id: i64) -> Value {
        let path = format!("/api/v1/machines/{id}/credentials");
        let (status, creds) = self.call(&self.user, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{creds}");
        creds
    }

    /// Shutdown, start and delete through the portal, each checked on the cluster.
    pub async fn shutdown_start_delete(&self, id: i64, vmid: u32) {
        self.act(id, "shutdown").await;
        self.wait_for(id, "stopped").await;
        assert!(!self.sim.cluster().guests[&vmid].running);
        self.act(id, "start").await;
        self.wait_for(id, "running").await;
        assert!(self.sim.cluster().guests[&vmid].running);
        self.act(id, "delete").await;
        self.wait_for(id, "deleted").await;
        assert!(
            !self.sim.cluster().guests.contains_key(&vmid),
            "the guest is gone from the cluster"
        );
    }

    pub fn no_violations(&self) {
        assert_eq!(self.sim.violations(), Vec::<String>::new());
    }
}
