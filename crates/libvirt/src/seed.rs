//! The first-boot seed, an ISO9660 volume made in memory (Rock Ridge and Joliet carry the
//! lower-case names). Linux guests get a cloud-init NoCloud seed: label `cidata`, `user-data`,
//! `meta-data`, `network-config`. Windows guests get what a stock cloudbase-init looks for: an
//! OpenStack config drive, label `config-2`, `openstack/latest/meta_data.json` and `user_data`.

use hadris_iso::read::PathSeparator;
use hadris_iso::write::options::{CreationFeatures, IsoFormatOptions};
use hadris_iso::write::{File, InputFiles, IsoImageWriter};
use std::sync::Arc;
use vmportal_core::{hypervisor::ProvisionSpec, template::OsFamily, windows};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    /// The volume label the guest's first-boot agent looks for.
    pub label: &'static str,
    /// `/`-separated paths and their text.
    pub files: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot make the seed ISO: {0}")]
pub struct SeedError(#[from] hadris_iso::write::IsoCreationError);

impl Seed {
    pub fn for_spec(spec: &ProvisionSpec) -> Seed {
        match spec.os_family {
            OsFamily::Linux => Seed {
                label: "cidata",
                files: vec![
                    ("user-data".into(), linux_user_data(spec)),
                    (
                        "meta-data".into(),
                        format!(
                            "instance-id: {}\nlocal-hostname: {}\n",
                            spec.guest_name, spec.name
                        ),
                    ),
                    // Base images boot with net.ifnames=0, so the first NIC is eth0; cloud-init's
                    // ifupdown renderer (Debian) cannot match interface names by pattern.
                    (
                        "network-config".into(),
                        "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n".into(),
                    ),
                ],
            },
            // No network_data.json: cloudbase-init then leaves the adapters to DHCP, which is
            // what the portal's networks offer (it matches adapters by MAC address only).
            OsFamily::Windows => Seed {
                label: "config-2",
                files: vec![
                    (
                        "openstack/latest/meta_data.json".into(),
                        windows_meta_data(spec),
                    ),
                    ("openstack/latest/user_data".into(), windows_user_data(spec)),
                ],
            },
        }
    }

    /// The text of the file at `path`.
    pub fn file(&self, path: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, text)| text.as_str())
    }

    pub fn iso(&self) -> Result<Vec<u8>, SeedError> {
        let mut root: Vec<File> = Vec::new();
        for (path, text) in &self.files {
            insert(&mut root, path, text.as_bytes());
        }
        let files = InputFiles {
            path_separator: PathSeparator::ForwardSlash,
            files: root,
        };
        let options = IsoFormatOptions {
            volume_name: self.label.into(),
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
        let out = IsoImageWriter::create(std::io::Cursor::new(Vec::new()), files, options)?;
        Ok(out.into_inner())
    }
}

/// Puts a file at `path` into a tree, making the directories on the way.
fn insert(dir: &mut Vec<File>, path: &str, contents: &[u8]) {
    match path.split_once('/') {
        None => dir.push(File::File {
            name: Arc::new(path.to_owned()),
            contents: contents.to_vec(),
        }),
        Some((first, rest)) => {
            let at = dir
                .iter()
                .position(|f| matches!(f, File::Directory { name, .. } if name.as_str() == first))
                .unwrap_or_else(|| {
                    dir.push(File::Directory {
                        name: Arc::new(first.to_owned()),
                        children: Vec::new(),
                    });
                    dir.len() - 1
                });
            if let File::Directory { children, .. } = &mut dir[at] {
                insert(children, rest, contents);
            }
        }
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

/// cloudbase-init's own account is the owner's (`admin_username`): it makes it, puts it in
/// Administrators, sets `admin_pass` and writes `public_keys` into its profile. Without
/// `admin_username` it would make an `Admin` account nobody knows the password of.
fn windows_meta_data(spec: &ProvisionSpec) -> String {
    let mut keys = serde_json::Map::new();
    if let Some(key) = &spec.ssh_public_key {
        keys.insert("owner".into(), key.trim().into());
    }
    serde_json::json!({
        "uuid": spec.guest_name,
        "name": spec.guest_name,
        "hostname": windows::computer_name(&spec.name),
        "admin_pass": spec.password,
        "public_keys": keys,
        "meta": { "admin_username": spec.login_name },
    })
    .to_string()
}

/// The built-in Administrator gets the same password (it satisfies Windows' complexity policy)
/// and is enabled; then a PowerShell script sets the locale, home location and keyboard, and
/// opens Remote Desktop. cloudbase-init runs a script part by its file name's extension.
fn windows_user_data(spec: &ProvisionSpec) -> String {
    let tag = spec.locale.as_deref().unwrap_or("en-US");
    let ps = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let known = windows::locale(tag);
    let mut script = format!(
        "#ps1_sysnative\n$languages = New-WinUserLanguageList {loc}\n",
        loc = ps(tag)
    );
    if let Some(l) = known {
        script.push_str(&format!(
            "$languages[0].InputMethodTips.Clear()\n$languages[0].InputMethodTips.Add({kb})\n",
            kb = ps(l.keyboard)
        ));
    }
    script.push_str(&format!(
        "Set-WinUserLanguageList -LanguageList $languages -Force\nSet-WinSystemLocale -SystemLocale {loc}\nSet-Culture -CultureInfo {loc}\n",
        loc = ps(tag)
    ));
    if let Some(l) = known {
        script.push_str(&format!("Set-WinHomeLocation -GeoId {}\n", l.geo_id));
    }
    script.push_str(concat!(
        "# The welcome screen and new profiles too, where Windows offers it (11, Server 2025).\n",
        "if (Get-Command Copy-UserInternationalSettingsToSystem -ErrorAction SilentlyContinue) {\n",
        "    Copy-UserInternationalSettingsToSystem -WelcomeScreen $true -NewUser $true\n",
        "}\n",
        "# Remote Desktop, and its firewall rules by their group's resource name (the display\n",
        "# name is translated).\n",
        "Set-ItemProperty -Path 'HKLM:\\System\\CurrentControlSet\\Control\\Terminal Server' -Name fDenyTSConnections -Value 0\n",
        "Enable-NetFirewallRule -Group '@FirewallAPI.dll,-28752'\n",
    ));
    format!(
        "Content-Type: multipart/mixed; boundary=\"vmportal\"\nMIME-Version: 1.0\n\n\
--vmportal\nContent-Type: text/cloud-config; charset=\"us-ascii\"\n\
Content-Disposition: attachment; filename=\"accounts.yaml\"\n\n\
#cloud-config\nusers:\n  - name: Administrator\n    passwd: {pw}\n\n\
--vmportal\nContent-Type: text/x-shellscript; charset=\"us-ascii\"\n\
Content-Disposition: attachment; filename=\"vmportal-setup.ps1\"\n\n\
{script}--vmportal--\n",
        pw = quoted(&spec.password),
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
        assert_eq!(seed.label, "cidata");
        let user_data = seed.file("user-data").unwrap();
        assert!(user_data.starts_with("#cloud-config\n"));
        assert!(user_data.contains("hostname: lab-1\n"));
        assert!(user_data.contains("- name: alice\n"));
        assert!(
            user_data.contains(r#"plain_text_passwd: "Pa\"ss\\w0rd""#),
            "{user_data}"
        );
        assert!(user_data.contains("ssh-ed25519 AAAA alice@laptop"));
        assert_eq!(
            seed.file("meta-data").unwrap(),
            "instance-id: vmp-7-lab-1\nlocal-hostname: lab-1\n"
        );
    }

    #[test]
    fn windows_seed_is_a_config_drive_naming_the_owner_key_and_locale() {
        let seed = Seed::for_spec(&spec(OsFamily::Windows));
        assert_eq!(seed.label, "config-2");
        let meta: serde_json::Value =
            serde_json::from_str(seed.file("openstack/latest/meta_data.json").unwrap()).unwrap();
        assert_eq!(meta["meta"]["admin_username"], "alice");
        assert_eq!(meta["admin_pass"], "Pa\"ss\\w0rd");
        assert_eq!(meta["hostname"], "lab-1");
        assert_eq!(
            meta["public_keys"]["owner"],
            "ssh-ed25519 AAAA alice@laptop"
        );
        let user_data = seed.file("openstack/latest/user_data").unwrap();
        assert!(user_data.contains("- name: Administrator\n"));
        assert!(user_data.contains("filename=\"vmportal-setup.ps1\""));
        assert!(user_data.contains("New-WinUserLanguageList 'fr-FR'"));
        assert!(user_data.contains("InputMethodTips.Add('040C:0000040C')"));
        assert!(user_data.contains("Set-WinHomeLocation -GeoId 84\n"));
        let mut german = spec(OsFamily::Windows);
        german.locale = Some("de-DE".into());
        let user_data = Seed::for_spec(&german)
            .file("openstack/latest/user_data")
            .unwrap()
            .to_owned();
        assert!(
            user_data.contains("Set-WinHomeLocation -GeoId 94\n"),
            "{user_data}"
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
        assert_eq!(
            isoinfo(&["-R", "-x", "/user-data"]),
            seed.file("user-data").unwrap()
        );
    }
}
