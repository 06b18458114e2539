//! LXC containers, two ways: created from an OS template archive (the only API path that sets
//! credentials, root's), or cloned from a CT template, after which the owner gets an account of
//! their own through `pct exec` over SSH (also done for archive-made containers when SSH is set).

use crate::client::ApiResult;
use crate::config::CloneMode;
use crate::placement::storage_of;
use crate::provider::{Id, Kind, ProxmoxHypervisor, created};
use reqwest::Method;
use std::sync::Arc;
use vmportal_core::hypervisor::{HvResult, HypervisorError, Progress, ProvisionSpec};

/// What a container template's `source` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A CT template's vmid, to clone.
    Template(u32),
    /// An OS template archive volume, `local:vztmpl/...tar.zst`.
    Archive(String),
}

impl Source {
    pub(crate) fn of(spec: &ProvisionSpec) -> Source {
        match spec.source.trim().parse() {
            Ok(vmid) => Source::Template(vmid),
            Err(_) => Source::Archive(spec.source.trim().to_string()),
        }
    }
}

/// Runs as root inside the container: `$1` the login, `$2` the SSH key (may be empty), the
/// password on standard input, so it is on no command line. Idempotent, as a retried build runs
/// it again. sudo ignores files in sudoers.d whose names hold a dot.
const OWNER_LOGIN: &str = r#"set -eu
login=$1 key=$2
IFS= read -r password
shell=/bin/sh
if [ -x /bin/bash ]; then shell=/bin/bash; fi
id "$login" >/dev/null 2>&1 || useradd --create-home --shell "$shell" "$login"
printf '%s:%s\n' "$login" "$password" | chpasswd
for group in sudo wheel; do
    if getent group "$group" >/dev/null; then usermod -a -G "$group" "$login"; fi
done
sudoers=/etc/sudoers.d/vmportal-$(printf '%s' "$login" | tr . _)
mkdir -p /etc/sudoers.d
printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$login" > "$sudoers"
chmod 0440 "$sudoers"
home=$(getent passwd "$login" | cut -d: -f6)
group=$(id -gn "$login")
install -d -m 0700 -o "$login" -g "$group" "$home/.ssh"
if [ -n "$key" ]; then
    printf '%s\n' "$key" > "$home/.ssh/authorized_keys"
    chown "$login:$group" "$home/.ssh/authorized_keys"
    chmod 0600 "$home/.ssh/authorized_keys"
fi
"#;

impl ProxmoxHypervisor {
    /// From an OS template archive, on the node with the most free memory among those that have
    /// the archive and reach the root disk's storage.
    pub(crate) async fn create_container(
        &self,
        spec: &ProvisionSpec,
        archive: &str,
        progress: &dyn Progress,
    ) -> HvResult<Id> {
        let candidates = self.nodes_with_archive(archive).await?;
        let node = self
            .container_node(spec, &[&self.config.storage], &candidates)
            .await?;
        progress.report(10, &format!("creating the container on {node}"));
        let r = &spec.resources;
        let create = |id: Id| async move {
            let mut p = vec![
                ("vmid", id.vmid.to_string()),
                ("ostemplate", archive.to_string()),
                ("hostname", spec.guest_name.clone()),
                ("password", spec.password.clone()),
                ("cores", r.cpus.to_string()),
                ("memory", r.memory_mib.to_string()),
                ("swap", self.config.swap_mib.to_string()),
                ("rootfs", format!("{}:{}", self.config.storage, r.disk_gib)),
                ("net0", self.net0()),
                ("unprivileged", "1".into()),
            ];
            if let Some(key) = &spec.ssh_public_key {
                p.push(("ssh-public-keys", key.clone()));
            }
            if let Some(pool) = &self.config.pool {
                p.push(("pool", pool.clone()));
            }
            let path = format!("/nodes/{}/lxc", id.node);
            self.api
                .run(&id.node, Method::POST, &path, &p, self.task_timeout())
                .await
        };
        self.with_fresh_id(&node, Kind::Lxc, create)
            .await
            .map_err(created)
    }

    /// A clone of a CT template. On its own node, or on another when the clone's disk is on
    /// shared storage. Clones of one template take turns: PVE locks the source for the whole clone.
    pub(crate) async fn clone_container(
        &self,
        spec: &ProvisionSpec,
        template_vmid: u32,
        progress: &dyn Progress,
    ) -> HvResult<Id> {
        if self.shell.is_none() {
            return Err(HypervisorError::Permanent(format!(
                "the template's source {template_vmid} is a CT template: a clone gets its owner's \
                 login through `pct exec` over SSH, and this provider has no [ssh] settings \
                 (or use an OS template archive as the source)"
            )));
        }
        let template = self.template(&template_vmid.to_string(), Kind::Lxc).await?;
        let config = self
            .api
            .get(&format!("{}/config", template.path()), &[])
            .await
            .map_err(created)?;
        let source_storage = config["rootfs"]
            .as_str()
            .map(storage_of)
            .unwrap_or_default();
        // A clone leaves the template's node only onto shared storage: the template's own for
        // a linked clone, the target storage for a full one (whatever the source's).
        let disk_storage = match self.config.clone {
            CloneMode::Linked => source_storage,
            CloneMode::Full => &self.config.storage,
        };
        let shared = self
            .shared(&template.node, disk_storage)
            .await
            .map_err(created)?;
        let candidates = match shared {
            true => self.config.nodes.clone(),
            false => vec![template.node.clone()],
        };
        let node = self
            .container_node(spec, &[disk_storage], &candidates)
            .await?;
        progress.report(
            10,
            &format!("cloning CT template {template_vmid} onto {node}"),
        );
        let template = &template;
        let clone = |id: Id| async move {
            let mut p = self.clone_params(&id, ("hostname", &spec.guest_name));
            if id.node != template.node {
                p.push(("target", id.node.clone()));
            }
            let turn = self.clone_turn(template_vmid);
            let _turn = turn.lock().await;
            self.run(template, Method::POST, "/clone", &p).await
        };
        self.with_fresh_id(&node, Kind::Lxc, clone)
            .await
            .map_err(created)
    }

    /// The lock that makes clones of one CT template take turns in this portal (another client
    /// cloning it meanwhile gets `CT is locked (disk)`, which is retried).
    fn clone_turn(&self, template_vmid: u32) -> Arc<tokio::sync::Mutex<()>> {
        let mut turns = self.clone_turns.lock().expect("clone turns");
        turns.entry(template_vmid).or_default().clone()
    }

    /// A clone's resources: the template's are replaced by the request's.
    pub(crate) async fn configure_container(&self, id: &Id, spec: &ProvisionSpec) -> ApiResult<()> {
        let r = &spec.resources;
        let p = [
            ("cores", r.cpus.to_string()),
            ("memory", r.memory_mib.to_string()),
            ("swap", self.config.swap_mib.to_string()),
            ("net0", self.net0()),
        ];
        self.api.put(&format!("{}/config", id.path()), &p).await?;
        self.grow_disk(id, r.disk_gib).await
    }

    fn net0(&self) -> String {
        format!("name=eth0,bridge={},ip=dhcp,ip6=auto", self.config.bridge)
    }

    /// Gives the owner their own login in a running container. Returns the login to show when it
    /// is not the owner's name: `root`, for an archive-made container without SSH.
    pub(crate) async fn owner_login(
        &self,
        id: &Id,
        spec: &ProvisionSpec,
        progress: &dyn Progress,
    ) -> HvResult<Option<String>> {
        let Some(shell) = &self.shell else {
            return match Source::of(spec) {
                Source::Archive(_) => Ok(Some("root".into())),
                Source::Template(vmid) => Err(HypervisorError::Permanent(format!(
                    "container {id} was cloned from CT template {vmid}, and without [ssh] \
                     settings its owner cannot be given a login"
                ))),
            };
        };
        progress.report(70, "creating the owner's login in the container");
        let key = spec.ssh_public_key.as_deref().unwrap_or_default();
        let command = ["sh", "-c", OWNER_LOGIN, "sh", &spec.login_name, key];
        let password = format!("{}\n", spec.password);
        shell
            .pct_exec(&id.node, id.vmid, &command, &password)
            .await?;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::process::{Command, Stdio};

    #[test]
    fn sources_are_template_ids_or_archives() {
        let spec = |source: &str| ProvisionSpec {
            source: source.into(),
            ..crate::provider::tests::spec()
        };
        assert_eq!(Source::of(&spec("9000")), Source::Template(9000));
        assert_eq!(
            Source::of(&spec("local:vztmpl/debian-12.tar.zst")),
            Source::Archive("local:vztmpl/debian-12.tar.zst".into())
        );
    }

    /// The script run for real on this Debian machine (root), in a mount namespace of its own
    /// where `/etc`, `/home`, `/var/log` and `/var/mail` are copies: the host is never touched.
    #[test]
    fn the_owner_login_script_makes_the_account_password_sudo_and_key() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        let cp = Command::new("cp").arg("-a").arg("/etc").arg(r).status();
        assert!(cp.unwrap().success());
        for dir in ["home", "log", "mail"] {
            std::fs::create_dir(r.join(dir)).unwrap();
        }
        // `set -e`: if a mount fails, the script does not run.
        let namespace = "set -eu
            mount --bind \"$ROOT/etc\" /etc
            mount --bind \"$ROOT/home\" /home
            mount --bind \"$ROOT/log\" /var/log
            mount --bind \"$ROOT/mail\" /var/mail
            exec sh -c \"$SCRIPT\" sh \"$@\"";
        let key = "ssh-ed25519 AAAAC3Nza alice's \"laptop\" $(id)";
        let run = || {
            let mut child = Command::new("unshare")
                .args(["--mount", "--propagation", "private", "sh", "-c", namespace])
                .args(["sh", "alice.m", key])
                .env("ROOT", r)
                .env("SCRIPT", OWNER_LOGIN)
                .stdin(Stdio::piped())
                .spawn()
                .expect("unshare (util-linux)");
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(b"pass word:1\n").unwrap();
            drop(stdin);
            assert!(
                child.wait().unwrap().success(),
                "the script failed (root needed)"
            );
        };
        run();
        let read = |path: &str| std::fs::read_to_string(r.join(path)).unwrap();
        let passwd = read("etc/passwd");
        let account = passwd.lines().find(|l| l.starts_with("alice.m:")).unwrap();
        let uid: u32 = account.split(':').nth(2).unwrap().parse().unwrap();
        assert!(account.ends_with(":/home/alice.m:/bin/bash"), "{account}");
        let shadow = read("etc/shadow");
        let hash = shadow
            .lines()
            .find_map(|l| l.strip_prefix("alice.m:"))
            .and_then(|rest| rest.split(':').next())
            .unwrap();
        let verify = |password: &str| {
            let check = "print crypt($ARGV[0], $ARGV[1]) eq $ARGV[1] ? 1 : 0";
            let out = Command::new("perl")
                .args(["-e", check, password, hash])
                .output()
                .unwrap();
            out.stdout == b"1"
        };
        assert!(verify("pass word:1"), "the password is set: {hash}");
        assert!(!verify("pass word"), "and only that one");
        let sudo = read("etc/group");
        assert!(
            sudo.lines()
                .any(|l| l.starts_with("sudo:") && l.ends_with("alice.m"))
        );
        let sudoers = r.join("etc/sudoers.d/vmportal-alice_m");
        assert_eq!(
            std::fs::read_to_string(&sudoers).unwrap(),
            "alice.m ALL=(ALL) NOPASSWD:ALL\n"
        );
        assert_eq!(mode(&sudoers), 0o440);
        let keys = r.join("home/alice.m/.ssh/authorized_keys");
        assert_eq!(std::fs::read_to_string(&keys).unwrap(), format!("{key}\n"));
        assert_eq!((mode(&keys), owner(&keys)), (0o600, uid));
        assert_eq!(mode(keys.parent().unwrap()), 0o700);
        // Run again, as a retried build does: same account, nothing breaks.
        run();
        assert_eq!(read("etc/passwd"), passwd);
        assert!(
            !std::fs::read_to_string("/etc/passwd")
                .unwrap()
                .contains("alice.m:")
        );
    }

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn owner(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().uid()
    }
}
