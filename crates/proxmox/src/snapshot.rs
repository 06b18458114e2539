//! Snapshots on Proxmox VE: `POST .../snapshot` (a QEMU guest's with `vmstate` while it runs),
//! `POST .../snapshot/{name}/rollback`, `DELETE .../snapshot/{name}`, each a task waited for like
//! the others. The token needs `VM.Snapshot` (and `VM.Snapshot.Rollback` to revert) on the guest.

use crate::client::{ApiResult, encode};
use crate::provider::{Id, Kind, ProxmoxHypervisor, hv, truthy};
use reqwest::Method;
use vmportal_core::hypervisor::{HvResult, HypervisorError, PowerState};
use vmportal_core::snapshot::HvSnapshot;

impl ProxmoxHypervisor {
    pub(crate) async fn take_snapshot_of(
        &self,
        id: &Id,
        name: &str,
        description: &str,
    ) -> HvResult<bool> {
        if let Some(existing) = self
            .snapshot_list(id)
            .await
            .map_err(hv)?
            .into_iter()
            .find(|s| s.name == name)
        {
            return Ok(existing.with_memory);
        }
        // Only QEMU saves memory; a container's snapshot is of its volumes.
        let with_memory =
            id.kind == Kind::Qemu && self.power_of(id).await.map_err(hv)? == PowerState::Running;
        let mut params = vec![("snapname", name.to_owned())];
        if !description.is_empty() {
            params.push(("description", description.to_owned()));
        }
        if with_memory {
            params.push(("vmstate", "1".into()));
        }
        if let Err(e) = self.run(id, Method::POST, "/snapshot", &params).await {
            // The server removes a failed snapshot itself; this covers a cleanup that failed too.
            if let Err(d) = self.remove_snapshot(id, name, true).await {
                tracing::warn!(%id, snapshot = name, error = %d, "removing a half-made snapshot");
            }
            return Err(hv(e));
        }
        Ok(with_memory)
    }

    pub(crate) async fn snapshot_list(&self, id: &Id) -> ApiResult<Vec<HvSnapshot>> {
        let list = self
            .api
            .get(&format!("{}/snapshot", id.path()), &[])
            .await?;
        Ok(list
            .as_array()
            .into_iter()
            .flatten()
            // `current` is the guest's live state, listed with the snapshots.
            .filter(|s| s["name"] != "current")
            .map(|s| HvSnapshot {
                name: s["name"].as_str().unwrap_or_default().to_owned(),
                description: s["description"].as_str().unwrap_or_default().to_owned(),
                with_memory: truthy(&s["vmstate"]),
            })
            .collect())
    }

    /// The server stops a running guest before it rolls back; a QEMU snapshot with memory
    /// resumes running.
    pub(crate) async fn rollback(&self, id: &Id, name: &str) -> HvResult<()> {
        let path = format!("/snapshot/{}/rollback", encode(name));
        self.run(id, Method::POST, &path, &[]).await.map_err(|e| {
            match hv(e.clone()) {
                // "does not exist" here is the snapshot, not the guest.
                HypervisorError::Gone => HypervisorError::Permanent(e.to_string()),
                other => other,
            }
        })
    }

    /// Deleting a snapshot that is not there succeeds.
    pub(crate) async fn remove_snapshot(&self, id: &Id, name: &str, force: bool) -> ApiResult<()> {
        let path = format!("/snapshot/{}", encode(name));
        let params: Vec<(&str, String)> = if force {
            vec![("force", "1".into())]
        } else {
            vec![]
        };
        match self.run(id, Method::DELETE, &path, &params).await {
            Err(e) if e.message().contains("does not exist") => Ok(()),
            other => other,
        }
    }
}
