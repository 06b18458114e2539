//! The cloud-init NoCloud seed: an ISO9660 volume labelled `cidata` holding `user-data`,
//! `meta-data` and `network-config`, made in memory (Rock Ridge and Joliet carry the lower-case
//! names). Windows guests read the same seed with cloudbase-init.

use hadris_iso::read::PathSeparator;
use hadris_iso::write::options::{CreationFeatures, IsoFormatOptions};
use hadris_iso::write::{File, InputFiles, IsoImageWriter};
use std::sync::Arc;
use vmportal_core::{hypervisor::ProvisionSpec, template::OsFamily};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    pub user_data: String,
    pub meta_data: String,
    pub network_config: String,
}

impl Seed {
    pub fn for_spec(spec: &ProvisionSpec) -> Seed {
        let user_data = match spec.os_family {
            OsFamily::Linux => linux_user_data(spec),
            OsFamily::Windows => windows_user_data(spec),
        };
        Seed {
            user_data,
            meta_data: format!(
                "instance-id: {}\nlocal-hostname: {}\n",
                spec.guest_name, spec.name
            ),
            // Base images boot with net.ifnames=0, so the first NIC is eth0; cloud-init's ifupdown
            // renderer (Debian) cannot match interface names by pattern.
            network_config: "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n".into(),
        }
    }

    pub fn iso(&self) -> Result<Vec<u8>, String> {
        let file = |name: &str, text: &str| File::File {
            name: Arc::new(name.to_owned()),
            contents: text.as_bytes().to_vec(),
        };
        let files = InputFiles {
            path_separator: PathSeparator::ForwardSlash,
            files: vec![
                file("user-data", &self.user_data),
                file("meta-data", &self.meta_data),
                file("network-config", &self.network_config),
            ],
        };
        let options = IsoFormatOptions {
            volume_name: "cidata".into(),
            system_id: None,
            volume_set_id: None,
            publisher_id: None,
            preparer_id: None,
            application_id: Some("vmportal".into()),
            sector_size: 2048,
            path_separator: PathSeparator::ForwardSlash,
            features: CreationFeatures::extensions(),
            strict_charset: false,
        };
        let out = IsoImageWriter::create(std::io::Cursor::new(Vec::new()), files, options)
            .map_err(|e| format!("cannot make the seed ISO: {e}"))?;
        Ok(out.into_inner())
    }
}

/// A YAML double-quoted string: safe for any password or key.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn linux_user_data(spec: &ProvisionSpec) -> String {
    let keys = spec
        .ssh_public_key
        .as_deref()
        .map(|k| format!("    ssh_authorized_keys:\n      - {}\n", quoted(k.trim())))
        .unwrap_or_default();
    format!(
        "#cloud-config\nhostname: {host}\nfqdn: {host}\nmanage_etc_hosts: true\nusers:\n  - name: {user}\n    lock_passwd: false\n    plain_text_passwd: {pw}\n    shell: /bin/bash\n    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n    groups: [sudo]\n{keys}ssh_pwauth: true\ndisable_root: true\n",
        host = spec.name,
        user = spec.login_name,
        pw = quoted(&spec.password),
    )
}

/// cloudbase-init: the Administrator and the owner's own account (an administrator too), the same
/// password (it satisfies Windows' complexity policy), then keyboard layout and locale.
fn windows_user_data(spec: &ProvisionSpec) -> String {
    let locale = spec.locale.as_deref().unwrap_or("en-US");
    let ps_quoted = |s: &str| format!("'{}'", s.replace('\'', "''"));
    format!(
        "Content-Type: multipart/mixed; boundary=\"vmportal\"\nMIME-Version: 1.0\n\n--vmportal\nContent-Type: text/cloud-config; charset=\"us-ascii\"\n\n#cloud-config\nset_hostname: {host}\nusers:\n  - name: Administrator\n    passwd: {pw}\n  - name: {user}\n    passwd: {pw}\n    groups: Administrators\n\n--vmportal\nContent-Type: text/x-shellscript; charset=\"us-ascii\"\n\n#ps1_sysnative\nSet-WinUserLanguageList -LanguageList {loc} -Force\nSet-WinSystemLocale -SystemLocale {loc}\nSet-Culture -CultureInfo {loc}\nSet-WinHomeLocation -GeoId 84\n--vmportal--\n",
        host = spec.name,
        user = spec.login_name,
        pw = quoted(&spec.password),
        loc = ps_quoted(locale),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmportal_core::{
        ids::MachineId, names::Hostname, resources::Resources, template::MachineKind,
    };

    pub(crate) fn spec(os: OsFamily) -> ProvisionSpec {
        ProvisionSpec {
            machine: MachineId(7),
            guest_name: "vmp-7-lab-1".into(),
            name: Hostname::parse("name", "lab-1").unwrap(),
            kind: MachineKind::Vm,
            os_family: os,
            source: "base.qcow2".into(),
            resources: Resources {
                cpus: 1,
                memory_mib: 512,
                disk_gib: 5,
            },
            login_name: "alice".into(),
            password: "Pa\"ss\\w0rd".into(),
            ssh_public_key: Some("ssh-ed25519 AAAA alice@laptop".into()),
            locale: Some("fr-FR".into()),
        }
    }

    #[test]
    fn linux_seed_carries_hostname_user_password_and_key() {
        let seed = Seed::for_spec(&spec(OsFamily::Linux));
        assert!(seed.user_data.starts_with("#cloud-config\n"));
        assert!(seed.user_data.contains("hostname: lab-1\n"));
        assert!(seed.user_data.contains("- name: alice\n"));
        assert!(
            seed.user_data
                .contains(r#"plain_text_passwd: "Pa\"ss\\w0rd""#),
            "{}",
            seed.user_data
        );
        assert!(seed.user_data.contains("ssh-ed25519 AAAA alice@laptop"));
        assert_eq!(
            seed.meta_data,
            "instance-id: vmp-7-lab-1\nlocal-hostname: lab-1\n"
        );
    }

    #[test]
    fn windows_seed_has_administrator_owner_and_locale() {
        let seed = Seed::for_spec(&spec(OsFamily::Windows));
        assert!(seed.user_data.contains("- name: Administrator\n"));
        assert!(seed.user_data.contains("- name: alice\n"));
        assert!(
            seed.user_data
                .contains("Set-WinUserLanguageList -LanguageList 'fr-FR'")
        );
    }

    /// The ISO as another tool reads it: volume label and Rock Ridge names (`isoinfo`, from
    /// Debian's genisoimage, which the test script installs).
    #[test]
    fn the_iso_is_a_cidata_volume_with_the_three_files() {
        let seed = Seed::for_spec(&spec(OsFamily::Linux));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seed.iso");
        std::fs::write(&path, seed.iso().unwrap()).unwrap();
        let isoinfo = |args: &[&str]| {
            let out = std::process::Command::new("isoinfo")
                .args(args)
                .arg("-i")
                .arg(&path)
                .output()
                .expect("isoinfo (genisoimage) installed");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        };
        assert!(isoinfo(&["-d"]).contains("Volume id: cidata"));
        let listing = isoinfo(&["-R", "-f"]);
        for name in ["/user-data", "/meta-data", "/network-config"] {
            assert!(listing.lines().any(|l| l == name), "{name} in {listing}");
        }
        assert_eq!(isoinfo(&["-R", "-x", "/user-data"]), seed.user_data);
    }
}
