//! The `Hypervisor` on Proxmox VE. A machine's external id is `{node}/{lxc|qemu}/{vmid}`.

use crate::client::{ApiError, ApiResult, Auth, Client};
use crate::config::{CloneMode, ProxmoxConfig};
use crate::container::Source;
use crate::node_shell::NodeShell;
use crate::tls::{self, Trust};
use async_trait::async_trait;
use reqwest::Method;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vmportal_core::hypervisor::{
    Access, ConsoleStream, Guest, HvResult, Hypervisor, HypervisorError, PowerState, Progress,
    ProvisionSpec, Provisioned,
};
use vmportal_core::ids::MachineId;
use vmportal_core::snapshot::HvSnapshot;
use vmportal_core::template::{MachineKind, OsFamily};

/// `nextid` does not reserve the id: another client may take it first.
const ID_ATTEMPTS: usize = 5;

pub struct ProxmoxHypervisor {
    pub(crate) api: Client,
    /// The API client's TLS settings, for console websockets.
    tls: Arc<rustls::ClientConfig>,
    pub(crate) config: ProxmoxConfig,
    /// `pct exec` on the nodes, when SSH is configured.
    pub(crate) shell: Option<NodeShell>,
    /// One lock per CT template: its clones take turns.
    pub(crate) clone_turns: Mutex<HashMap<u32, Arc<tokio::sync::Mutex<()>>>>,
    /// Ids taken by this portal's creates in flight.
    reserved: Mutex<BTreeSet<u32>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Lxc,
    Qemu,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Lxc => "lxc",
            Kind::Qemu => "qemu",
        }
    }
}

/// A guest on the cluster, parsed from an external id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Id {
    pub(crate) node: String,
    pub(crate) kind: Kind,
    pub(crate) vmid: u32,
}

impl Id {
    fn parse(s: &str) -> HvResult<Id> {
        let bad = || {
            HypervisorError::Permanent(format!("'{s}' is not a Proxmox guest id (node/kind/vmid)"))
        };
        let mut parts = s.split('/');
        let (Some(node), Some(kind), Some(vmid), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let kind = match kind {
            "lxc" => Kind::Lxc,
            "qemu" => Kind::Qemu,
            _ => return Err(bad()),
        };
        Ok(Id {
            node: node.into(),
            kind,
            vmid: vmid.parse().map_err(|_| bad())?,
        })
    }

    pub(crate) fn path(&self) -> String {
        format!("/nodes/{}/{}/{}", self.node, self.kind.as_str(), self.vmid)
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.node, self.kind.as_str(), self.vmid)
    }
}

/// An id in use by a create of this portal, free again when dropped.
struct Reservation<'a> {
    hv: &'a ProxmoxHypervisor,
    vmid: u32,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.hv
            .reserved
            .lock()
            .expect("reserved ids")
            .remove(&self.vmid);
    }
}

/// Whether a create failed because someone else took its id: refused at once ("already
/// exists"), or a QEMU clone's task failing to write the new config, which pmxcfs refuses when
/// the id is another node's.
fn id_taken(e: &ApiError) -> bool {
    let m = e.message();
    m.contains("already exists") || (m.contains("atomic file") && m.ends_with("File exists"))
}

/// A container's stop or shutdown refused because it is not running (`CT N not running`, at
/// once): it stopped between the look at its state and the call, which is what was wanted.
fn stopped_meanwhile(e: &ApiError) -> bool {
    matches!(e, ApiError::Status(500, m) if m.starts_with("CT ") && m.ends_with(" not running"))
}

/// How an API error affects the engine: retry, give up, or the guest is gone. Gone is only the
/// guest endpoints' own refusal (500, the guest's config file is missing), never a task's error
/// or a message that merely mentions something missing (`bridge 'vmbr1' does not exist`).
pub(crate) fn hv(e: ApiError) -> HypervisorError {
    let m = e.message();
    if let ApiError::Status(500, m) = &e
        && m.starts_with("Configuration file 'nodes/")
        && m.ends_with(".conf' does not exist")
    {
        return HypervisorError::Gone;
    }
    match &e {
        ApiError::Transport(_) | ApiError::TaskTimeout(_) => {
            HypervisorError::Transient(e.to_string())
        }
        ApiError::Status(code, _) if *code >= 502 => HypervisorError::Transient(e.to_string()),
        _ if m.contains("is locked") || m.contains("got timeout") => {
            HypervisorError::Transient(e.to_string())
        }
        _ => HypervisorError::Permanent(e.to_string()),
    }
}

/// An error while creating a guest: "does not exist" there is the template or the node, not the
/// machine.
pub(crate) fn created(e: ApiError) -> HypervisorError {
    match hv(e.clone()) {
        HypervisorError::Gone => HypervisorError::Permanent(e.to_string()),
        other => other,
    }
}

impl ProxmoxHypervisor {
    pub fn new(config: ProxmoxConfig) -> Result<ProxmoxHypervisor, String> {
        if config.nodes.is_empty() {
            return Err("name at least one node in nodes".into());
        }
        let trust = match (&config.ca_file, &config.fingerprint) {
            (Some(file), None) => Trust::CaPem(
                std::fs::read(file)
                    .map_err(|e| format!("reading the CA file {}: {e}", file.display()))?,
            ),
            (None, Some(fp)) => Trust::Fingerprint(fp.clone()),
            _ => return Err("set exactly one of ca_file and fingerprint".into()),
        };
        let auth = match (
            &config.token_id,
            &config.token_secret,
            &config.username,
            &config.password,
        ) {
            (Some(id), Some(secret), None, None) => Auth::token(id, &secret.0),
            (None, None, Some(user), Some(password)) => Auth::ticket(user, &password.0),
            _ => {
                return Err(
                    "set either token_id and token_secret, or username and password".into(),
                );
            }
        };
        let tls = tls::config(trust)?;
        let api = Client::new(tls::http_client(tls.clone())?, &config.url, auth);
        let timeout = Duration::from_secs(config.task_timeout_secs);
        let shell = match &config.ssh {
            Some(ssh) => Some(NodeShell::new(ssh.clone(), timeout)?),
            None => None,
        };
        Ok(ProxmoxHypervisor {
            api,
            tls: Arc::new(tls),
            config,
            shell,
            clone_turns: Mutex::default(),
            reserved: Mutex::default(),
        })
    }

    pub(crate) fn task_timeout(&self) -> Duration {
        Duration::from_secs(self.config.task_timeout_secs)
    }

    pub(crate) async fn run(
        &self,
        id: &Id,
        method: Method,
        path: &str,
        params: &[(&str, String)],
    ) -> ApiResult<()> {
        self.api
            .run(
                &id.node,
                method,
                &format!("{}{path}", id.path()),
                params,
                self.task_timeout(),
            )
            .await
    }

    /// `GET /cluster/nextid`, or with `vmid` whether that id is free (an error when taken).
    async fn next_id(&self, vmid: Option<u32>) -> ApiResult<u32> {
        let params: Vec<_> = vmid.map(|v| ("vmid", v.to_string())).into_iter().collect();
        let v = self.api.get("/cluster/nextid", &params).await?;
        // The server answers the id as a string.
        v.as_str()
            .and_then(|s| s.parse().ok())
            .or_else(|| v.as_u64().and_then(|n| n.try_into().ok()))
            .ok_or_else(|| ApiError::Status(200, format!("nextid answered {v}")))
    }

    /// A free id that no other create of this portal is using: `nextid` does not reserve, and
    /// a QEMU clone writes its config only once its task runs, so until then the cluster offers
    /// the same id to everyone.
    async fn reserve_id(&self) -> ApiResult<Reservation<'_>> {
        let mut vmid = self.next_id(None).await?;
        loop {
            if self.reserved.lock().expect("reserved ids").insert(vmid) {
                return Ok(Reservation { hv: self, vmid });
            }
            // One of this portal's creates holds it: the next id the cluster has free.
            vmid += 1;
            while !self.is_free(vmid).await? {
                vmid += 1;
            }
        }
    }

    /// Whether the cluster has `vmid` free (`nextid` with `vmid` refuses a taken one).
    async fn is_free(&self, vmid: u32) -> ApiResult<bool> {
        match self.next_id(Some(vmid)).await {
            Ok(_) => Ok(true),
            Err(ApiError::Params(_) | ApiError::Status(400, _)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// What every clone is told: the new id and name (`name` for QEMU, `hostname` for LXC),
    /// full or linked, and the pool.
    pub(crate) fn clone_params(
        &self,
        id: &Id,
        name: (&'static str, &str),
    ) -> Vec<(&'static str, String)> {
        let mut p = vec![("newid", id.vmid.to_string()), (name.0, name.1.to_string())];
        if self.config.clone == CloneMode::Full {
            p.extend([
                ("full", "1".into()),
                ("storage", self.config.storage.clone()),
            ]);
        }
        if let Some(pool) = &self.config.pool {
            p.push(("pool", pool.clone()));
        }
        p
    }

    /// Makes a guest on `node` with a fresh id, retrying when a concurrent create took the id.
    pub(crate) async fn with_fresh_id<F: Future<Output = ApiResult<()>>>(
        &self,
        node: &str,
        kind: Kind,
        make: impl Fn(Id) -> F,
    ) -> ApiResult<Id> {
        let mut last = None;
        for _ in 0..ID_ATTEMPTS {
            let reservation = self.reserve_id().await?;
            let id = Id {
                node: node.to_string(),
                kind,
                vmid: reservation.vmid,
            };
            match make(id.clone()).await {
                Ok(()) => return Ok(id),
                Err(e) if id_taken(&e) => {
                    tracing::info!(
                        vmid = id.vmid,
                        "id taken meanwhile, retrying with a fresh one"
                    );
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.expect("at least one attempt"))
    }

    /// Every guest on the configured nodes, with its list entry (`name`, `status`, `template`).
    pub(crate) async fn listing(&self) -> ApiResult<Vec<(Id, Value)>> {
        let mut out = Vec::new();
        for node in &self.config.nodes {
            for kind in [Kind::Lxc, Kind::Qemu] {
                let list = self
                    .api
                    .get(&format!("/nodes/{node}/{}", kind.as_str()), &[])
                    .await?;
                for g in list.as_array().into_iter().flatten() {
                    if let Some(vmid) = number(&g["vmid"]).and_then(|v| u32::try_from(v).ok()) {
                        out.push((
                            Id {
                                node: node.clone(),
                                kind,
                                vmid,
                            },
                            g.clone(),
                        ));
                    }
                }
            }
        }
        Ok(out)
    }

    async fn find(&self, name: &str) -> HvResult<Option<Id>> {
        let listing = self.listing().await.map_err(hv)?;
        Ok(listing
            .into_iter()
            .find(|(_, g)| g["name"] == name)
            .map(|(id, _)| id))
    }

    /// Grows the boot disk to the requested size; PVE cannot shrink a disk, so a smaller request
    /// keeps the template's size.
    pub(crate) async fn grow_disk(&self, id: &Id, gib: i64) -> ApiResult<()> {
        let config = self.api.get(&format!("{}/config", id.path()), &[]).await?;
        let disks: &[&str] = match id.kind {
            Kind::Lxc => &["rootfs"],
            Kind::Qemu => &["scsi0", "virtio0", "sata0", "ide0"],
        };
        let disk = disks.iter().copied().find(|d| config[*d].is_string());
        let Some(disk) = disk else { return Ok(()) };
        let current = config[disk].as_str().and_then(size_gib).unwrap_or(0);
        if gib <= current {
            return Ok(());
        }
        let params = [("disk", disk.into()), ("size", format!("{gib}G"))];
        let path = format!("{}/resize", id.path());
        match self.api.put(&path, &params).await? {
            Value::String(upid) => self.api.wait(&id.node, &upid, self.task_timeout()).await,
            // Before qemu-server 8.0.4 (June 2023) a VM's resize was done when it answered null.
            _ => Ok(()),
        }
    }

    async fn address(&self, id: &Id) -> ApiResult<Option<String>> {
        let ips: Vec<String> = match id.kind {
            Kind::Lxc => {
                let v = self
                    .api
                    .get(&format!("{}/interfaces", id.path()), &[])
                    .await?;
                v.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|i| i["inet"].as_str())
                    .map(|cidr| cidr.split('/').next().unwrap_or_default().to_string())
                    .collect()
            }
            Kind::Qemu => {
                let v = match self
                    .api
                    .get(&format!("{}/agent/network-get-interfaces", id.path()), &[])
                    .await
                {
                    Ok(v) => v,
                    // The agent is not up yet while the guest boots, or the VM is not running
                    // (`VM N is not running`): no address now.
                    Err(ApiError::Status(500, m))
                        if m.contains("agent") || m == format!("VM {} is not running", id.vmid) =>
                    {
                        return Ok(None);
                    }
                    Err(e) => return Err(e),
                };
                v["result"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|i| i["ip-addresses"].as_array().cloned().unwrap_or_default())
                    .filter(|a| a["ip-address-type"] == "ipv4")
                    .filter_map(|a| a["ip-address"].as_str().map(str::to_string))
                    .collect()
            }
        };
        Ok(ips.into_iter().find(|ip| !ip.starts_with("127.")))
    }

    async fn wait_for_address(&self, id: &Id) -> ApiResult<Option<String>> {
        let deadline =
            tokio::time::Instant::now() + Duration::from_secs(self.config.boot_wait_secs);
        loop {
            if let Some(ip) = self.address(id).await? {
                return Ok(Some(ip));
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    pub(crate) async fn power_of(&self, id: &Id) -> ApiResult<PowerState> {
        let v = self
            .api
            .get(&format!("{}/status/current", id.path()), &[])
            .await?;
        Ok(match v["status"].as_str() {
            Some("running") => PowerState::Running,
            Some("stopped") => PowerState::Stopped,
            _ => PowerState::Other,
        })
    }

    /// Makes the guest: a clone of a template, or a container from an archive. What a failed
    /// attempt half-made is found by name and removed.
    async fn create(&self, spec: &ProvisionSpec, progress: &dyn Progress) -> HvResult<Id> {
        let made = match (spec.kind, Source::of(spec)) {
            (MachineKind::Vm, _) => self.create_vm(spec, progress).await,
            (MachineKind::Container, Source::Template(vmid)) => {
                self.clone_container(spec, vmid, progress).await
            }
            (MachineKind::Container, Source::Archive(archive)) => {
                self.create_container(spec, &archive, progress).await
            }
        };
        if made.is_err()
            && let Ok(Some(id)) = self.find(&spec.guest_name).await
        {
            let _ = self.remove(&id).await;
        }
        made
    }

    /// Sizes and starts what `create` made (unless an earlier attempt started it), gives the
    /// owner their login in a container, and waits for the address. Returns the login when it
    /// is not the owner's name.
    async fn bring_up(
        &self,
        id: &Id,
        spec: &ProvisionSpec,
        progress: &dyn Progress,
    ) -> HvResult<(Access, Option<String>)> {
        if self.power_of(id).await.map_err(hv)? != PowerState::Running {
            let configured = match (id.kind, Source::of(spec)) {
                (Kind::Qemu, _) => {
                    progress.report(40, "setting resources and cloud-init");
                    self.configure_vm(id, spec).await
                }
                (Kind::Lxc, Source::Template(_)) => {
                    progress.report(40, "setting resources");
                    self.configure_container(id, spec).await
                }
                // Created with the requested resources.
                (Kind::Lxc, Source::Archive(_)) => Ok(()),
            };
            configured.map_err(hv)?;
            progress.report(60, "starting");
            self.switch(id, "start", PowerState::Running).await?;
        }
        let login = match id.kind {
            Kind::Lxc => self.owner_login(id, spec, progress).await?,
            Kind::Qemu => None,
        };
        progress.report(80, "waiting for an address");
        let address = self.wait_for_address(id).await.map_err(hv)?;
        Ok((access(address, spec.os_family), login))
    }

    /// Starts or stops a guest (`action` `start` or `stop`) and waits until it is `want`: an
    /// HA-managed guest's task (`hastart`, `hastop`) ends when the HA manager has the request,
    /// and the guest follows later.
    async fn switch(&self, id: &Id, action: &str, want: PowerState) -> HvResult<()> {
        match self
            .run(id, Method::POST, &format!("/status/{action}"), &[])
            .await
        {
            Err(e) if want == PowerState::Stopped && stopped_meanwhile(&e) => return Ok(()),
            other => other.map_err(hv)?,
        }
        if self
            .settled(id, want, self.task_timeout())
            .await
            .map_err(hv)?
        {
            return Ok(());
        }
        Err(HypervisorError::Transient(format!(
            "{id} was asked to {action} but is not {} after {} s (is the HA manager busy?)",
            if want == PowerState::Running {
                "running"
            } else {
                "stopped"
            },
            self.config.task_timeout_secs
        )))
    }

    /// Whether the guest reaches `want` within `within`, looking every half second.
    async fn settled(&self, id: &Id, want: PowerState, within: Duration) -> ApiResult<bool> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if self.power_of(id).await? == want {
                return Ok(true);
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(false);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    async fn remove(&self, id: &Id) -> HvResult<()> {
        if self.power_of(id).await.map_err(hv)? != PowerState::Stopped {
            self.switch(id, "stop", PowerState::Stopped).await?;
        }
        let params = [
            ("purge", "1".to_string()),
            ("destroy-unreferenced-disks", "1".to_string()),
        ];
        match self.run(id, Method::DELETE, "", &params).await {
            // A clone inherits its template's `protection`, which only guards the template.
            Err(e) if e.message().ends_with("protection mode enabled") => {
                let unprotect = [("delete", "protection".to_string())];
                self.api
                    .put(&format!("{}/config", id.path()), &unprotect)
                    .await
                    .map_err(hv)?;
                self.run(id, Method::DELETE, "", &params).await.map_err(hv)
            }
            other => other.map_err(hv),
        }
    }
}

fn access(address: Option<String>, os: OsFamily) -> Access {
    let port = match os {
        OsFamily::Linux => 22,
        OsFamily::Windows => 3389,
    };
    Access {
        host: address.clone(),
        address,
        port,
    }
}

/// `local-lvm:vm-100-disk-0,size=32G` -> 32.
fn size_gib(volume: &str) -> Option<i64> {
    let size = volume.split(',').find_map(|p| p.strip_prefix("size="))?;
    let (n, unit) = size.split_at(size.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = n.parse().ok()?;
    match unit {
        "T" => Some(n * 1024),
        "G" => Some(n),
        "M" => Some(n / 1024),
        _ => None,
    }
}

#[async_trait]
impl Hypervisor for ProxmoxHypervisor {
    async fn check(&self) -> HvResult<String> {
        let v = self.api.get("/version", &[]).await.map_err(hv)?;
        Ok(format!(
            "Proxmox VE {}",
            v["version"].as_str().unwrap_or("?")
        ))
    }

    async fn provision(
        &self,
        spec: &ProvisionSpec,
        progress: &dyn Progress,
    ) -> HvResult<Provisioned> {
        progress.report(5, "looking for an earlier attempt");
        let id = match self.find(&spec.guest_name).await? {
            Some(id) => id,
            None => self.create(spec, progress).await?,
        };
        let (access, login_name) = match self.bring_up(&id, spec, progress).await {
            Ok(up) => up,
            Err(e) => {
                if matches!(e, HypervisorError::Permanent(_)) {
                    let _ = self.remove(&id).await;
                }
                return Err(e);
            }
        };
        progress.report(100, "running");
        Ok(Provisioned {
            external_id: id.to_string(),
            node: Some(id.node),
            access,
            login_name,
        })
    }

    async fn start(&self, external_id: &str) -> HvResult<()> {
        let id = Id::parse(external_id)?;
        if self.power_of(&id).await.map_err(hv)? == PowerState::Running {
            return Ok(());
        }
        self.switch(&id, "start", PowerState::Running).await
    }

    async fn shutdown(&self, external_id: &str, timeout: Duration) -> HvResult<()> {
        let id = Id::parse(external_id)?;
        if self.power_of(&id).await.map_err(hv)? == PowerState::Stopped {
            return Ok(());
        }
        let params = [("timeout", timeout.as_secs().to_string())];
        let upid = match self
            .api
            .post(&format!("{}/status/shutdown", id.path()), &params)
            .await
        {
            Err(e) if stopped_meanwhile(&e) => return Ok(()),
            other => other.map_err(hv)?,
        };
        let upid = upid.as_str().unwrap_or_default();
        // The task itself times out after `timeout`; the margin covers the API's own delay.
        let asked = self
            .api
            .wait(&id.node, upid, timeout + Duration::from_secs(30))
            .await;
        // An HA-managed guest's `hastop` ends before the guest does.
        if asked.is_err()
            || !self
                .settled(&id, PowerState::Stopped, timeout)
                .await
                .map_err(hv)?
        {
            tracing::info!(%id, "the guest did not shut down in time; stopping it");
            return self.stop(external_id).await;
        }
        Ok(())
    }

    async fn stop(&self, external_id: &str) -> HvResult<()> {
        let id = Id::parse(external_id)?;
        if self.power_of(&id).await.map_err(hv)? == PowerState::Stopped {
            return Ok(());
        }
        self.switch(&id, "stop", PowerState::Stopped).await
    }

    async fn reboot(&self, external_id: &str) -> HvResult<()> {
        let id = Id::parse(external_id)?;
        self.run(&id, Method::POST, "/status/reboot", &[])
            .await
            .map_err(hv)
    }

    async fn delete(&self, external_id: Option<&str>, guest_name: &str) -> HvResult<()> {
        let id = match external_id {
            Some(e) => Some(Id::parse(e)?),
            None => self.find(guest_name).await?,
        };
        let Some(id) = id else { return Ok(()) };
        match self.remove(&id).await {
            Err(HypervisorError::Gone) => Ok(()),
            other => other,
        }
    }

    async fn power(&self, external_id: &str) -> HvResult<PowerState> {
        self.power_of(&Id::parse(external_id)?).await.map_err(hv)
    }

    async fn access(&self, external_id: &str, os: OsFamily) -> HvResult<Access> {
        let address = self.address(&Id::parse(external_id)?).await.map_err(hv)?;
        Ok(access(address, os))
    }

    async fn console(&self, external_id: &str) -> HvResult<ConsoleStream> {
        let id = Id::parse(external_id)?;
        crate::console::open(&self.api, &self.tls, &id.path()).await
    }

    async fn check_source(&self, kind: MachineKind, source: &str) -> HvResult<()> {
        match kind {
            MachineKind::Vm => self.vm_template(source).await.map(drop),
            MachineKind::Container => Ok(()),
        }
    }

    async fn guests(&self, prefix: &str) -> HvResult<Vec<Guest>> {
        let start = format!("{prefix}-");
        let listing = self.listing().await.map_err(hv)?;
        let ours = listing.into_iter().filter_map(|(id, g)| {
            let name = g["name"]
                .as_str()
                .filter(|n| n.starts_with(&start))?
                .to_string();
            let machine = name[start.len()..]
                .split('-')
                .next()
                .and_then(|n| n.parse().ok())
                .map(MachineId);
            let power = match g["status"].as_str() {
                Some("running") => PowerState::Running,
                Some("stopped") => PowerState::Stopped,
                _ => PowerState::Other,
            };
            Some(Guest {
                external_id: id.to_string(),
                name,
                machine,
                power,
            })
        });
        Ok(ours.collect())
    }

    async fn take_snapshot(
        &self,
        external_id: &str,
        name: &str,
        description: &str,
    ) -> HvResult<bool> {
        self.take_snapshot_of(&Id::parse(external_id)?, name, description)
            .await
    }

    async fn snapshots(&self, external_id: &str) -> HvResult<Vec<HvSnapshot>> {
        self.snapshot_list(&Id::parse(external_id)?)
            .await
            .map_err(hv)
    }

    async fn revert_snapshot(&self, external_id: &str, name: &str) -> HvResult<()> {
        self.rollback(&Id::parse(external_id)?, name).await
    }

    async fn delete_snapshot(&self, external_id: &str, name: &str) -> HvResult<()> {
        self.remove_snapshot(&Id::parse(external_id)?, name, false)
            .await
            .map_err(hv)
    }
}

/// The server writes booleans as 0/1, sometimes as strings.
pub(crate) fn truthy(v: &Value) -> bool {
    v.as_u64() == Some(1) || v.as_str() == Some("1") || v.as_bool() == Some(true)
}

/// Integers may arrive as strings.
pub(crate) fn number(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_sizes_parse() {
        let id = Id::parse("pve1/qemu/123").unwrap();
        assert_eq!(
            (id.kind, id.vmid, id.to_string()),
            (Kind::Qemu, 123, "pve1/qemu/123".to_string())
        );
        assert!(Id::parse("pve1/123").is_err());
        assert_eq!(size_gib("local-lvm:vm-1-disk-0,size=32G"), Some(32));
        assert_eq!(size_gib("local-lvm:vm-1-disk-0,size=512M"), Some(0));
    }

    /// A spec for unit tests, changed field by field.
    pub(crate) fn spec() -> ProvisionSpec {
        let name = vmportal_core::names::Hostname::parse("name", "box").unwrap();
        ProvisionSpec {
            machine: MachineId(1),
            guest_name: "tst-1-box".into(),
            name,
            kind: MachineKind::Container,
            os_family: OsFamily::Linux,
            source: "9000".into(),
            resources: vmportal_core::resources::Resources {
                cpus: 1,
                memory_mib: 512,
                disk_gib: 4,
            },
            login_name: "alice".into(),
            password: "secret".into(),
            ssh_public_key: None,
            locale: None,
        }
    }
}
