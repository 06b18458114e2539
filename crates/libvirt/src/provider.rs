//! `Hypervisor` on libvirt: one host, or several among which new machines are placed. A machine
//! on a provider with several hosts has the external id `UUID@HOST` (and `HOST` as its node), so
//! every later action goes to that host without asking the others; a provider with one host keeps
//! plain domain UUIDs.

use crate::{
    config::LibvirtConfig,
    host::{Host, Room},
    placement,
    ssh::SshClient,
};
use async_trait::async_trait;
use std::{sync::Arc, time::Duration};
use vmportal_core::{
    hypervisor::{
        Access, ConsoleStream, Guest, HostStatus, HvResult, Hypervisor, HypervisorError,
        PowerState, Progress, ProvisionSpec, Provisioned,
    },
    snapshot::HvSnapshot,
    template::OsFamily,
};

#[derive(Clone)]
pub struct LibvirtHypervisor {
    hosts: Arc<Vec<Arc<Host>>>,
    /// Several hosts configured (`hosts`), rather than one (`uri`).
    several: bool,
}

/// Progress reported from blocking threads, forwarded to the job's by the provision call.
struct Forward(tokio::sync::mpsc::UnboundedSender<(i64, String)>);

impl Progress for Forward {
    fn report(&self, percent: i64, message: &str) {
        let _ = self.0.send((percent, message.to_owned()));
    }
}

impl LibvirtHypervisor {
    /// `cfg` passed [`LibvirtConfig::validate`].
    pub fn new(cfg: LibvirtConfig) -> Self {
        // libvirt prints every error to stderr by default; the provider reports them itself.
        virt::error::clear_error_callback();
        let client = cfg.ssh.clone().map(SshClient::new).map(Arc::new);
        let hosts = cfg
            .hosts()
            .into_iter()
            .map(|h| Arc::new(Host::new(h, client.clone())))
            .collect();
        LibvirtHypervisor {
            several: !cfg.hosts.is_empty(),
            hosts: Arc::new(hosts),
        }
    }

    /// The host of a machine and its domain UUID.
    fn route<'a>(&self, external_id: &'a str) -> HvResult<(&Arc<Host>, &'a str)> {
        let Some((uuid, name)) = external_id.split_once('@') else {
            return Ok((&self.hosts[0], external_id));
        };
        let host = self
            .hosts
            .iter()
            .find(|h| h.cfg.name == name)
            .ok_or_else(|| {
                HypervisorError::Permanent(format!(
                    "the machine's host '{name}' is not configured any more"
                ))
            })?;
        Ok((host, uuid))
    }

    /// Picks the host for a new machine, saying in the job's progress why others were skipped,
    /// and brings the base volume there. An earlier attempt's host is taken again.
    async fn place(&self, spec: &ProvisionSpec, progress: &Arc<dyn Progress>) -> HvResult<usize> {
        let measures: Vec<_> = self
            .hosts
            .iter()
            .map(|h| {
                let (h, spec) = (h.clone(), spec.clone());
                tokio::spawn(async move { h.room(&spec.source, &spec.guest_name).await })
            })
            .collect();
        let mut rooms: Vec<HvResult<Room>> = Vec::new();
        for m in measures {
            rooms.push(
                m.await.unwrap_or_else(|e| {
                    Err(HypervisorError::Transient(format!("interrupted: {e}")))
                }),
            );
        }
        let names: Vec<&str> = self.hosts.iter().map(|h| h.cfg.name.as_str()).collect();
        let choice = placement::choose(&names, &rooms, &spec.resources);
        for note in &choice.skipped {
            progress.report(2, note);
        }
        let at = choice.host.ok_or_else(|| {
            HypervisorError::Transient(format!(
                "no host can take the machine now: {}",
                choice.skipped.join("; ")
            ))
        })?;
        let target = &self.hosts[at];
        progress.report(
            4,
            &format!("placed on host {} ({})", target.cfg.name, choice.why),
        );
        if !matches!(&rooms[at], Ok(r) if r.has_base) {
            let source = rooms
                .iter()
                .position(|r| matches!(r, Ok(r) if r.has_base))
                .ok_or_else(|| {
                    HypervisorError::Permanent(format!(
                        "the template's base volume '{}' is on no reachable host",
                        spec.source
                    ))
                })?;
            target
                .copy_base_from(self.hosts[source].clone(), &spec.source, progress.clone())
                .await?;
        }
        Ok(at)
    }
}

#[async_trait]
impl Hypervisor for LibvirtHypervisor {
    async fn check(&self) -> HvResult<String> {
        if !self.several {
            return self.hosts[0].check().await;
        }
        let statuses = self.hosts().await;
        let up = statuses.iter().filter(|s| s.reachable).count();
        if up == 0 {
            return Err(HypervisorError::Transient(format!(
                "none of the {} libvirt hosts answers",
                statuses.len()
            )));
        }
        Ok(format!(
            "libvirt, {up} of {} hosts reachable",
            statuses.len()
        ))
    }

    async fn provision(
        &self,
        spec: &ProvisionSpec,
        progress: &dyn Progress,
    ) -> HvResult<Provisioned> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let forward: Arc<dyn Progress> = Arc::new(Forward(tx));
        let work = async move {
            if !self.several {
                return self.hosts[0].provision(spec, forward).await;
            }
            let at = self.place(spec, &forward).await?;
            let host = &self.hosts[at];
            let mut built = host.provision(spec, forward).await?;
            built.external_id = format!("{}@{}", built.external_id, host.cfg.name);
            built.node = Some(host.cfg.name.clone());
            Ok(built)
        };
        tokio::pin!(work);
        loop {
            tokio::select! {
                result = &mut work => {
                    while let Ok((p, m)) = rx.try_recv() {
                        progress.report(p, &m);
                    }
                    return result;
                }
                Some((p, m)) = rx.recv() => progress.report(p, &m),
            }
        }
    }

    async fn start(&self, external_id: &str) -> HvResult<()> {
        let (host, uuid) = self.route(external_id)?;
        host.start(uuid).await
    }

    async fn shutdown(&self, external_id: &str, timeout: Duration) -> HvResult<()> {
        let (host, uuid) = self.route(external_id)?;
        host.shutdown(uuid, timeout).await
    }

    async fn stop(&self, external_id: &str) -> HvResult<()> {
        let (host, uuid) = self.route(external_id)?;
        host.stop(uuid).await
    }

    async fn reboot(&self, external_id: &str) -> HvResult<()> {
        let (host, uuid) = self.route(external_id)?;
        host.reboot(uuid).await
    }

    /// Without an external id (a build that failed before it had one), whatever was made is
    /// looked for on every host: each must answer.
    async fn delete(&self, external_id: Option<&str>, guest_name: &str) -> HvResult<()> {
        match external_id {
            Some(id) => {
                let (host, uuid) = self.route(id)?;
                host.delete(Some(uuid), guest_name).await
            }
            None => {
                for host in self.hosts.iter() {
                    host.delete(None, guest_name).await?;
                }
                Ok(())
            }
        }
    }

    async fn power(&self, external_id: &str) -> HvResult<PowerState> {
        let (host, uuid) = self.route(external_id)?;
        host.power(uuid).await
    }

    async fn cpu_time(&self, external_id: &str) -> HvResult<Option<Duration>> {
        let (host, uuid) = self.route(external_id)?;
        host.cpu_time(uuid).await.map(Some)
    }

    async fn access(&self, external_id: &str, os: OsFamily) -> HvResult<Access> {
        let (host, uuid) = self.route(external_id)?;
        host.access(uuid, os).await
    }

    async fn console(&self, external_id: &str) -> HvResult<ConsoleStream> {
        let (host, uuid) = self.route(external_id)?;
        host.console(uuid).await
    }

    /// Every host must answer: a host that is down would otherwise make its guests look deleted.
    async fn guests(&self, prefix: &str) -> HvResult<Vec<Guest>> {
        let mut out = Vec::new();
        for host in self.hosts.iter() {
            for mut guest in host.guests(prefix).await? {
                if self.several {
                    guest.external_id = format!("{}@{}", guest.external_id, host.cfg.name);
                }
                out.push(guest);
            }
        }
        Ok(out)
    }

    async fn take_snapshot(
        &self,
        external_id: &str,
        name: &str,
        description: &str,
    ) -> HvResult<bool> {
        let (host, uuid) = self.route(external_id)?;
        host.take_snapshot(uuid, name, description).await
    }

    async fn snapshots(&self, external_id: &str) -> HvResult<Vec<HvSnapshot>> {
        let (host, uuid) = self.route(external_id)?;
        host.snapshots(uuid).await
    }

    async fn revert_snapshot(&self, external_id: &str, name: &str) -> HvResult<()> {
        let (host, uuid) = self.route(external_id)?;
        host.revert_snapshot(uuid, name).await
    }

    async fn delete_snapshot(&self, external_id: &str, name: &str) -> HvResult<()> {
        let (host, uuid) = self.route(external_id)?;
        host.delete_snapshot(uuid, name).await
    }

    async fn hosts(&self) -> Vec<HostStatus> {
        if !self.several {
            return Vec::new();
        }
        let tasks: Vec<_> = self
            .hosts
            .iter()
            .map(|h| {
                let h = h.clone();
                tokio::spawn(async move { h.status().await })
            })
            .collect();
        let mut out = Vec::new();
        for (task, host) in tasks.into_iter().zip(self.hosts.iter()) {
            out.push(task.await.unwrap_or_else(|e| HostStatus {
                name: host.cfg.name.clone(),
                reachable: false,
                error: Some(format!("interrupted: {e}")),
                guests: None,
                free_memory_mib: None,
                free_disk_gib: None,
            }));
        }
        out
    }
}
