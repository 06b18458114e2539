//! QEMU guests: cloned from a QEMU template on the template's node, given their owner by
//! cloud-init.

use crate::client::ApiResult;
use crate::provider::{Id, Kind, ProxmoxHypervisor, created};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use vmportal_core::hypervisor::{HvResult, HypervisorError, Progress, ProvisionSpec};

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
    /// A clone of the template, on the template's node (a clone elsewhere needs shared storage).
    pub(crate) async fn create_vm(
        &self,
        spec: &ProvisionSpec,
        progress: &dyn Progress,
    ) -> HvResult<Id> {
        let template = self.vm_template(&spec.source).await?;
        progress.report(10, &format!("cloning the template on {}", template.node));
        let template = &template;
        let clone = |id: Id| async move {
            let p = self.clone_params(&id, ("name", &spec.guest_name));
            self.run(template, Method::POST, "/clone", &p).await
        };
        self.with_fresh_id(&template.node, Kind::Qemu, clone)
            .await
            .map_err(created)
    }

    /// The QEMU template `source` names, which must have a cloud-init drive: without one,
    /// `PUT .../cloudinit` does nothing and the clone's owner could never sign in.
    pub(crate) async fn vm_template(&self, source: &str) -> HvResult<Id> {
        let template = self.template(source, Kind::Qemu).await?;
        let config = self
            .api
            .get(&format!("{}/config", template.path()), &[])
            .await
            .map_err(created)?;
        let drives = config.as_object().into_iter().flatten();
        if !drives
            .filter_map(|(_, v)| v.as_str())
            .any(is_cloud_init_drive)
        {
            return Err(HypervisorError::Permanent(format!(
                "QEMU template {} on {} has no cloud-init drive, so its clones' owners could not \
                 sign in; add one (qm set {} --ide2 STORAGE:cloudinit)",
                template.vmid, template.node, template.vmid
            )));
        }
        Ok(template)
    }

    /// Resources and cloud-init (the owner's login, password and key), written onto the VM's
    /// cloud-init drive at once rather than left to whatever the PVE version does at start; then
    /// the disk's size.
    pub(crate) async fn configure_vm(&self, id: &Id, spec: &ProvisionSpec) -> ApiResult<()> {
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
        self.api
            .put(&format!("{}/cloudinit", id.path()), &[])
            .await?;
        self.grow_disk(id, r.disk_gib).await
    }
}

/// A drive whose volume is a cloud-init image: `local-lvm:vm-9001-cloudinit,media=cdrom`, as
/// qemu-server's `drive_is_cloudinit` recognizes it (`[:/](vm-N-)?cloudinit(.FORMAT)?`).
fn is_cloud_init_drive(value: &str) -> bool {
    let file = value.split(',').next().unwrap_or_default();
    let Some((_, name)) = file.rsplit_once([':', '/']) else {
        return false;
    };
    let name = name
        .strip_suffix(".qcow2")
        .or_else(|| name.strip_suffix(".raw"))
        .or_else(|| name.strip_suffix(".vmdk"))
        .unwrap_or(name);
    let owner = name.strip_suffix("cloudinit").and_then(|rest| {
        rest.strip_prefix("vm-")
            .and_then(|r| r.strip_suffix('-'))
            .map(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .or(Some(rest.is_empty()))
    });
    owner == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_init_drives_are_told_from_other_drives() {
        for yes in [
            "local-lvm:vm-9001-cloudinit,media=cdrom",
            "local:9001/vm-9001-cloudinit.qcow2,media=cdrom",
            "ceph:cloudinit",
        ] {
            assert!(is_cloud_init_drive(yes), "{yes}");
        }
        for no in [
            "local-lvm:base-9001-disk-0,size=4G",
            "local:iso/cloudinit-notes.iso,media=cdrom",
            "none,media=cdrom",
            "1",
        ] {
            assert!(!is_cloud_init_drive(no), "{no}");
        }
    }

    #[test]
    fn ssh_keys_are_encoded_as_cloud_init_wants() {
        let key = "ssh-ed25519 AAAA+b/c= alice@host";
        let encoded = utf8_percent_encode(key, SSHKEYS).to_string();
        assert_eq!(encoded, "ssh-ed25519%20AAAA%2Bb%2Fc%3D%20alice%40host");
    }
}
