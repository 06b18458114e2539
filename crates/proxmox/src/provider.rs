//! The `Hypervisor` on Proxmox VE. A machine's external id is `{node}/{lxc|qemu}/{vmid}`.

use crate::client::{ApiError, ApiResult, Client};
use crate::config::{CloneMode, ProxmoxConfig};
use crate::tls::{self, Trust};
use async_trait::async_trait;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use vmportal_core::hypervisor::{
    Access, ConsoleStream, Guest, HvResult, Hypervisor, HypervisorError, PowerState, Progress,
    ProvisionSpec, Provisioned,
};
use vmportal_core::ids::MachineId;
use vmportal_core::template::{MachineKind, OsFamily};

/// `nextid` does not reserve the id: a concurrent create may take it first.
const ID_ATTEMPTS: usize = 5;

pub struct ProxmoxHypervisor {
    api: Client,
    /// The API client's TLS settings, for console websockets.
    tls: Arc<rustls::ClientConfig>,
    config: ProxmoxConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
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
struct Id {
    node: String,
    kind: Kind,
    vmid: u32,
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

    fn path(&self) -> String {
        format!("/nodes/{}/{}/{}", self.node, self.kind.as_str(), self.vmid)
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.node, self.kind.as_str(), self.vmid)
    }
}

/// How an API error affects the engine: retry, give up, or the guest is gone.
pub(crate) fn hv(e: ApiError) -> HypervisorError {
    let m = e.message();
    if m.contains("does not exist") {
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

/// cloud-init's `sshkeys` must be URL-encoded: everything outside `[-a-zA-Z0-9_.!~*'()]`,
/// spaces as `%20`.
const SSHKEYS: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

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
        let tls = tls::config(trust)?;
        let api = Client::new(
            tls::http_client(tls.clone())?,
            &config.url,
            &config.token_id,
            &config.token_secret.0,
        );
        Ok(ProxmoxHypervisor {
            api,
            tls: Arc::new(tls),
            config,
        })
    }

    fn task_timeout(&self) -> Duration {
        Duration::from_secs(self.config.task_timeout_secs)
    }

    async fn run(
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

    async fn next_id(&self) -> ApiResult<u32> {
        let v = self.api.get("/cluster/nextid", &[]).await?;
        // The server answers the id as a string.
        v.as_str()
            .and_then(|s| s.parse().ok())
            .or_else(|| v.as_u64().and_then(|n| n.try_into().ok()))
            .ok_or_else(|| ApiError::Status(200, format!("nextid answered {v}")))
    }

    /// Creates a guest with a fresh id, retrying when a concurrent create took the id.
    async fn create_with_fresh_id(
        &self,
        spec: &ProvisionSpec,
        node: &str,
        template: Option<&Id>,
    ) -> ApiResult<Id> {
        let kind = if template.is_some() {
            Kind::Qemu
        } else {
            Kind::Lxc
        };
        let mut last = None;
        for _ in 0..ID_ATTEMPTS {
            let id = Id {
                node: node.to_string(),
                kind,
                vmid: self.next_id().await?,
            };
            let made = match template {
                None => self.create_container(spec, &id).await,
                Some(template) => self.clone_vm(spec, template, &id).await,
            };
            match made {
                Ok(()) => return Ok(id),
                Err(e) if e.message().contains("already exists") => {
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
    async fn listing(&self) -> ApiResult<Vec<(Id, Value)>> {
        let mut out = Vec::new();
        for node in &self.config.nodes {
            for kind in [Kind::Lxc, Kind::Qemu] {
                let list = self
                    .api
                    .get(&format!("/nodes/{node}/{}", kind.as_str()), &[])
                    .await?;
                for g in list.as_array().into_iter().flatten() {
                    // Integers may arrive as strings.
                    let vmid = g["vmid"]
                        .as_u64()
                        .or_else(|| g["vmid"].as_str().and_then(|s| s.parse().ok()));
                    if let Some(vmid) = vmid.and_then(|v| u32::try_from(v).ok()) {
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

    /// VMs are cloned on the node holding their template (a clone elsewhere needs shared
    /// storage); containers go to the configured node with the fewest guests, first on ties.
    async fn placement(&self, spec: &ProvisionSpec) -> ApiResult<(String, Option<Id>)> {
        let listing = self.listing().await?;
        if spec.kind == MachineKind::Vm {
            let template = spec.source.parse::<u32>().ok();
            let found = listing.into_iter().find(|(id, g)| {
                Some(id.vmid) == template && id.kind == Kind::Qemu && truthy(&g["template"])
            });
            return match found {
                Some((id, _)) => Ok((id.node.clone(), Some(id))),
                None => Err(ApiError::Status(
                    404,
                    format!(
                        "'{}' is not a QEMU template on the nodes {}",
                        spec.source,
                        self.config.nodes.join(", ")
                    ),
                )),
            };
        }
        let load = |node: &str| {
            listing
                .iter()
                .filter(|(id, g)| id.node == node && !truthy(&g["template"]))
                .count()
        };
        let node = self
            .config
            .nodes
            .iter()
            .min_by_key(|n| load(n))
            .expect("at least one node");
        Ok((node.clone(), None))
    }

    /// A container from an OS template archive: the API sets root's password and SSH keys only
    /// at creation (a cloned container would need `pct exec` over SSH).
    async fn create_container(&self, spec: &ProvisionSpec, id: &Id) -> ApiResult<()> {
        let r = &spec.resources;
        let mut p = vec![
            ("vmid", id.vmid.to_string()),
            ("ostemplate", spec.source.clone()),
            ("hostname", spec.guest_name.clone()),
            ("password", spec.password.clone()),
            ("cores", r.cpus.to_string()),
            ("memory", r.memory_mib.to_string()),
            ("rootfs", format!("{}:{}", self.config.storage, r.disk_gib)),
            (
                "net0",
                format!("name=eth0,bridge={},ip=dhcp,ip6=auto", self.config.bridge),
            ),
            ("unprivileged", "1".into()),
        ];
        if let Some(key) = &spec.ssh_public_key {
            p.push(("ssh-public-keys", key.clone()));
        }
        let path = format!("/nodes/{}/lxc", id.node);
        self.api
            .run(&id.node, Method::POST, &path, &p, self.task_timeout())
            .await
    }

    async fn clone_vm(&self, spec: &ProvisionSpec, template: &Id, id: &Id) -> ApiResult<()> {
        let mut p = vec![
            ("newid", id.vmid.to_string()),
            ("name", spec.guest_name.clone()),
        ];
        if self.config.clone == CloneMode::Full {
            p.extend([
                ("full", "1".into()),
                ("storage", self.config.storage.clone()),
            ]);
        }
        self.run(template, Method::POST, "/clone", &p).await
    }

    /// A VM cloned from a QEMU template, sized, and given its owner by cloud-init.
    async fn create_vm(
        &self,
        spec: &ProvisionSpec,
        node: &str,
        template: &Id,
        progress: &dyn Progress,
    ) -> ApiResult<Id> {
        let id = self
            .create_with_fresh_id(spec, node, Some(template))
            .await?;
        progress.report(40, "setting resources and cloud-init");
        let r = &spec.resources;
        let mut p = vec![
            ("cores", r.cpus.to_string()),
            ("memory", r.memory_mib.to_string()),
            ("ciuser", spec.login_name.clone()),
            ("cipassword", spec.password.clone()),
            ("ipconfig0", "ip=dhcp".to_string()),
        ];
        if let Some(key) = &spec.ssh_public_key {
            p.push(("sshkeys", utf8_percent_encode(key, SSHKEYS).to_string()));
        }
        self.api.put(&format!("{}/config", id.path()), &p).await?;
        self.grow_disk(&id, r.disk_gib).await?;
        Ok(id)
    }

    /// Grows the boot disk to the requested size; PVE cannot shrink a disk, so a smaller request
    /// keeps the template's size.
    async fn grow_disk(&self, id: &Id, gib: i64) -> ApiResult<()> {
        let config = self.api.get(&format!("{}/config", id.path()), &[]).await?;
        let disk = ["scsi0", "virtio0", "sata0", "ide0"]
            .into_iter()
            .find(|d| config[*d].is_string());
        let Some(disk) = disk else { return Ok(()) };
        let current = config[disk].as_str().and_then(size_gib).unwrap_or(0);
        if gib <= current {
            return Ok(());
        }
        self.run(
            id,
            Method::PUT,
            "/resize",
            &[("disk", disk.into()), ("size", format!("{gib}G"))],
        )
        .await
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
                    // The agent is not up yet while the guest boots.
                    Err(e) if e.message().contains("agent") => return Ok(None),
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

    async fn power_of(&self, id: &Id) -> ApiResult<PowerState> {
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

    /// Boots what `create_*` made and waits for its address.
    async fn boot(
        &self,
        id: &Id,
        spec: &ProvisionSpec,
        progress: &dyn Progress,
    ) -> ApiResult<Access> {
        if self.power_of(id).await? != PowerState::Running {
            progress.report(60, "starting");
            self.run(id, Method::POST, "/status/start", &[]).await?;
        }
        progress.report(80, "waiting for an address");
        let address = self.wait_for_address(id).await?;
        Ok(access(address, spec.os_family))
    }

    async fn remove(&self, id: &Id) -> ApiResult<()> {
        if self.power_of(id).await? != PowerState::Stopped {
            self.run(id, Method::POST, "/status/stop", &[]).await?;
        }
        let params = [
            ("purge", "1".to_string()),
            ("destroy-unreferenced-disks", "1".to_string()),
        ];
        self.run(id, Method::DELETE, "", &params).await
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
            None => {
                let made = match self.placement(spec).await {
                    Err(e) => Err(e),
                    Ok((node, None)) => {
                        progress.report(10, &format!("creating the container on {node}"));
                        self.create_with_fresh_id(spec, &node, None).await
                    }
                    Ok((node, Some(template))) => {
                        progress.report(10, &format!("cloning the template on {node}"));
                        self.create_vm(spec, &node, &template, progress).await
                    }
                };
                match made {
                    Ok(id) => id,
                    Err(e) => {
                        // A clone that half-happened is found by name and removed.
                        if let Ok(Some(id)) = self.find(&spec.guest_name).await {
                            let _ = self.remove(&id).await;
                        }
                        // "does not exist" here is the template, not the machine.
                        return Err(match hv(e.clone()) {
                            HypervisorError::Gone => HypervisorError::Permanent(e.to_string()),
                            other => other,
                        });
                    }
                }
            }
        };
        let access = match self.boot(&id, spec, progress).await {
            Ok(access) => access,
            Err(e) => {
                let e = hv(e);
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
        })
    }

    async fn start(&self, external_id: &str) -> HvResult<()> {
        let id = Id::parse(external_id)?;
        if self.power_of(&id).await.map_err(hv)? == PowerState::Running {
            return Ok(());
        }
        self.run(&id, Method::POST, "/status/start", &[])
            .await
            .map_err(hv)
    }

    async fn shutdown(&self, external_id: &str, timeout: Duration) -> HvResult<()> {
        let id = Id::parse(external_id)?;
        let params = [("timeout", timeout.as_secs().to_string())];
        let upid = self
            .api
            .post(&format!("{}/status/shutdown", id.path()), &params)
            .await
            .map_err(hv)?;
        let upid = upid.as_str().unwrap_or_default();
        // The task itself times out after `timeout`; the margin covers the API's own delay.
        let asked = self
            .api
            .wait(&id.node, upid, timeout + Duration::from_secs(30))
            .await;
        if asked.is_err() || self.power_of(&id).await.map_err(hv)? != PowerState::Stopped {
            tracing::info!(%id, "the guest did not shut down in time; stopping it");
            return self.stop(external_id).await;
        }
        Ok(())
    }

    async fn stop(&self, external_id: &str) -> HvResult<()> {
        let id = Id::parse(external_id)?;
        self.run(&id, Method::POST, "/status/stop", &[])
            .await
            .map_err(hv)
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
        match self.remove(&id).await.map_err(hv) {
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
}

/// The server writes booleans as 0/1, sometimes as strings.
fn truthy(v: &Value) -> bool {
    v.as_u64() == Some(1) || v.as_str() == Some("1") || v.as_bool() == Some(true)
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn ssh_keys_are_encoded_as_cloud_init_wants() {
        let key = "ssh-ed25519 AAAA+b/c= alice@host";
        let encoded = utf8_percent_encode(key, SSHKEYS).to_string();
        assert_eq!(encoded, "ssh-ed25519%20AAAA%2Bb%2Fc%3D%20alice%40host");
    }
}
