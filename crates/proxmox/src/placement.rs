//! Where a new guest goes: a template is found on the configured nodes; a container goes to the
//! node with the most free memory among those online that reach the storages it needs.

use crate::client::{ApiError, ApiResult};
use crate::provider::{Id, Kind, ProxmoxHypervisor, created, number, truthy};
use serde_json::Value;
use vmportal_core::hypervisor::{HvResult, HypervisorError, ProvisionSpec};

const MIB: u64 = 1024 * 1024;

/// `local-lvm:base-9000-disk-0,size=4G` -> `local-lvm`.
pub(crate) fn storage_of(volume: &str) -> &str {
    volume.split([':', ',']).next().unwrap_or_default()
}

impl ProxmoxHypervisor {
    /// The template `source` names, of this kind, on one of the configured nodes.
    pub(crate) async fn template(&self, source: &str, kind: Kind) -> HvResult<Id> {
        let vmid = source.trim().parse::<u32>().ok();
        let listing = self.listing().await.map_err(created)?;
        let found = listing
            .into_iter()
            .find(|(id, g)| Some(id.vmid) == vmid && id.kind == kind && truthy(&g["template"]));
        found.map(|(id, _)| id).ok_or_else(|| {
            let what = match kind {
                Kind::Lxc => "CT",
                Kind::Qemu => "QEMU",
            };
            HypervisorError::Permanent(format!(
                "'{source}' is not a {what} template on the nodes {}",
                self.config.nodes.join(", ")
            ))
        })
    }

    /// Whether `storage` is shared: the same volumes on every node.
    pub(crate) async fn shared(&self, node: &str, storage: &str) -> ApiResult<bool> {
        let list = self.storages(node).await?;
        Ok(list
            .iter()
            .any(|s| s["storage"] == storage && truthy(&s["shared"])))
    }

    async fn storages(&self, node: &str) -> ApiResult<Vec<Value>> {
        let params = [("enabled", "1".to_string())];
        let list = self
            .api
            .get(&format!("/nodes/{node}/storage"), &params)
            .await?;
        Ok(list.as_array().cloned().unwrap_or_default())
    }

    /// The configured nodes that have the OS template archive `volid`: on storage that is not
    /// shared (`local`), each node has its own, and `pveam` downloads to one node only.
    pub(crate) async fn nodes_with_archive(&self, volid: &str) -> HvResult<Vec<String>> {
        let storage = storage_of(volid);
        let params = [("content", "vztmpl".to_string())];
        let mut out = Vec::new();
        for node in &self.config.nodes {
            let path = format!("/nodes/{node}/storage/{storage}/content");
            let list = match self.api.get(&path, &params).await {
                Ok(list) => list,
                // The storage is not on that node (or not readable there).
                Err(ApiError::Status(..)) => continue,
                Err(e) => return Err(created(e)),
            };
            let has = list.as_array().into_iter().flatten();
            if has.into_iter().any(|v| v["volid"] == volid) {
                out.push(node.clone());
            }
        }
        if out.is_empty() {
            return Err(HypervisorError::Permanent(format!(
                "no node of {} has the OS template archive {volid} (download it with pveam on \
                 the nodes)",
                self.config.nodes.join(", ")
            )));
        }
        Ok(out)
    }

    /// The node for a new container that needs `storages`, among `candidates`. No candidate
    /// reaching the storages is a configuration error; none with the memory free now may
    /// change, so it is worth retrying.
    pub(crate) async fn container_node(
        &self,
        spec: &ProvisionSpec,
        storages: &[&str],
        candidates: &[String],
    ) -> HvResult<String> {
        let mut reaching = Vec::new();
        for node in candidates {
            let active = self.storages(node).await.map_err(created)?;
            let reaches = storages.iter().all(|want| {
                active
                    .iter()
                    .any(|s| s["storage"] == *want && truthy(&s["active"]))
            });
            if reaches {
                reaching.push(node.clone());
            }
        }
        if reaching.is_empty() {
            return Err(HypervisorError::Permanent(format!(
                "no node of {} reaches the storage {}",
                candidates.join(", "),
                storages.join(" and ")
            )));
        }
        let status = self.api.get("/nodes", &[]).await.map_err(created)?;
        let need = spec.resources.memory_mib as u64 * MIB;
        // `None`: the node's memory is not shown (a token without `Sys.Audit`), so it is taken
        // as enough and ranked after every node whose free memory is known.
        let mut best: Option<(Option<u64>, &String)> = None;
        let mut seen = Vec::new();
        for node in &reaching {
            let entry = status
                .as_array()
                .into_iter()
                .flatten()
                .find(|n| n["node"] == node.as_str());
            let Some(entry) = entry.filter(|n| n["status"] == "online") else {
                seen.push(format!("{node} offline"));
                continue;
            };
            let free = number(&entry["maxmem"])
                .map(|max| max.saturating_sub(number(&entry["mem"]).unwrap_or(0)));
            match free {
                Some(free) => seen.push(format!("{node} {} MiB free", free / MIB)),
                None => seen.push(format!("{node} memory not shown")),
            }
            // Strictly more: the first configured node wins a tie.
            if free.is_none_or(|f| f >= need) && best.is_none_or(|(most, _)| free > most) {
                best = Some((free, node));
            }
        }
        best.map(|(_, node)| node.clone()).ok_or_else(|| {
            HypervisorError::Transient(format!(
                "no node has {} MiB of memory free for the container ({})",
                spec.resources.memory_mib,
                seen.join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volumes_name_their_storage() {
        assert_eq!(
            storage_of("local-lvm:base-9000-disk-0,size=4G"),
            "local-lvm"
        );
        assert_eq!(storage_of("ceph:12"), "ceph");
        assert_eq!(storage_of(""), "");
    }
}
