//! QEMU guests: cloned from a QEMU template on the template's node, given their owner by
//! cloud-init.

use crate::client::ApiResult;
use crate::provider::{Id, Kind, ProxmoxHypervisor, created};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use vmportal_core::hypervisor::{HvResult, Progress, ProvisionSpec};

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
        let template = self.template(&spec.source, Kind::Qemu).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_keys_are_encoded_as_cloud_init_wants() {
        let key = "ssh-ed25519 AAAA+b/c= alice@host";
        let encoded = utf8_percent_encode(key, SSHKEYS).to_string();
        assert_eq!(encoded, "ssh-ed25519%20AAAA%2Bb%2Fc%3D%20alice%40host");
    }
}
