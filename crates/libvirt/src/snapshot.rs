//! Internal qcow2 snapshots through libvirt's domain snapshot API: all of the overlay disk, and
//! of a running guest its memory too, kept inside the overlay's own file. Each call goes to the
//! host that holds the machine (the provider routes `UUID@HOST`).

use crate::{
    domain::escape,
    host::{Host, classify, is},
};
use std::sync::Arc;
use virt::{connect::Connect, domain_snapshot::DomainSnapshot, error::ErrorNumber};
use vmportal_core::{
    hypervisor::{HvResult, HypervisorError},
    snapshot::HvSnapshot,
};

impl Host {
    /// `virDomainSnapshotCreateXML` with no flags: internal, and a full system checkpoint when the
    /// guest runs (QEMU pauses it while it writes the memory).
    fn take_snapshot_blocking(
        conn: &Connect,
        external_id: &str,
        name: &str,
        description: &str,
    ) -> HvResult<bool> {
        let dom = Self::find(conn, external_id)?;
        if let Some(existing) = lookup(&dom, name)? {
            return Ok(read(&existing)?.with_memory);
        }
        let xml = format!(
            "<domainsnapshot><name>{}</name><description>{}</description></domainsnapshot>",
            escape(name),
            escape(description)
        );
        match dom.create_snapshot_xml(&xml, 0) {
            Ok(snap) => Ok(read(&snap)?.with_memory),
            Err(e) => {
                // libvirt may have recorded the snapshot before QEMU failed to write it.
                if let Ok(Some(half)) = lookup(&dom, name)
                    && let Err(d) = half.delete(0)
                {
                    tracing::warn!(snapshot = name, error = %d.message(), "removing a half-made snapshot");
                }
                Err(classify(e))
            }
        }
    }

    fn snapshots_blocking(conn: &Connect, external_id: &str) -> HvResult<Vec<HvSnapshot>> {
        let dom = Self::find(conn, external_id)?;
        dom.list_all_snapshots(0)
            .map_err(classify)?
            .iter()
            .map(read)
            .collect()
    }

    /// `virDomainRevertToSnapshot`: the guest ends as it was when the snapshot was taken,
    /// running (from the saved memory) or shut off.
    fn revert_blocking(conn: &Connect, external_id: &str, name: &str) -> HvResult<()> {
        let dom = Self::find(conn, external_id)?;
        let snap = lookup(&dom, name)?.ok_or_else(|| {
            HypervisorError::Permanent(format!("the snapshot '{name}' does not exist"))
        })?;
        snap.revert(0).map_err(classify)
    }

    fn delete_snapshot_blocking(conn: &Connect, external_id: &str, name: &str) -> HvResult<()> {
        let dom = Self::find(conn, external_id)?;
        match lookup(&dom, name)? {
            Some(snap) => snap.delete(0).map_err(classify),
            None => Ok(()),
        }
    }

    pub async fn take_snapshot(
        self: &Arc<Self>,
        uuid: &str,
        name: &str,
        description: &str,
    ) -> HvResult<bool> {
        let (id, name, description) = (uuid.to_owned(), name.to_owned(), description.to_owned());
        self.with(move |_, conn| Self::take_snapshot_blocking(conn, &id, &name, &description))
            .await
    }

    pub async fn snapshots(self: &Arc<Self>, uuid: &str) -> HvResult<Vec<HvSnapshot>> {
        let id = uuid.to_owned();
        self.with(move |_, conn| Self::snapshots_blocking(conn, &id))
            .await
    }

    pub async fn revert_snapshot(self: &Arc<Self>, uuid: &str, name: &str) -> HvResult<()> {
        let (id, name) = (uuid.to_owned(), name.to_owned());
        self.with(move |_, conn| Self::revert_blocking(conn, &id, &name))
            .await
    }

    pub async fn delete_snapshot(self: &Arc<Self>, uuid: &str, name: &str) -> HvResult<()> {
        let (id, name) = (uuid.to_owned(), name.to_owned());
        self.with(move |_, conn| Self::delete_snapshot_blocking(conn, &id, &name))
            .await
    }
}

fn lookup(dom: &virt::domain::Domain, name: &str) -> HvResult<Option<DomainSnapshot>> {
    match virt::domain::Domain::lookup_snapshot_by_name(dom, name, 0) {
        Ok(s) => Ok(Some(s)),
        Err(e) if is(&e, ErrorNumber::NoDomainSnapshot) => Ok(None),
        Err(e) => Err(classify(e)),
    }
}

fn read(snap: &DomainSnapshot) -> HvResult<HvSnapshot> {
    let xml = snap.xml_desc(0).map_err(classify)?;
    let own = own_part(&xml);
    let state = element(own, "state").unwrap_or_default();
    Ok(HvSnapshot {
        name: snap.name().map_err(classify)?,
        description: element(own, "description").unwrap_or_default(),
        with_memory: matches!(state.as_str(), "running" | "paused"),
    })
}

/// The snapshot's own elements: they come before the copy of the domain it embeds.
fn own_part(xml: &str) -> &str {
    &xml[..xml.find("<domain ").unwrap_or(xml.len())]
}

/// The unescaped text of the first `<tag>...</tag>` in `xml`.
fn element(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{tag}>"))?;
    Some(
        xml[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_snapshot_not_the_domain_it_embeds() {
        let xml = "<domainsnapshot><name>s1</name><description>a &amp; b</description>\
                   <state>running</state><domain type='qemu'><description>dom</description>\
                   </domain></domainsnapshot>";
        let own = own_part(xml);
        assert_eq!(element(own, "description").as_deref(), Some("a & b"));
        assert_eq!(element(own, "state").as_deref(), Some("running"));
    }
}
