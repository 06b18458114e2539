//! The seed of a Windows guest as cloudbase-init itself reads it: its first boot (metadata
//! service, stock plugins) runs on Linux in the virtual environment `scripts/test` makes
//! (`CLOUDBASE_VENV`, default /var/cache/vmportal/cloudbase-venv), with only the Windows layer
//! simulated (tests/cloudbase/simulate.py), fed the ISO the provider writes.

use std::path::PathBuf;
use std::process::Command;
use vmportal_core::{
    hypervisor::ProvisionSpec,
    ids::MachineId,
    names::Hostname,
    resources::Resources,
    template::{MachineKind, OsFamily},
};
use vmportal_libvirt::Seed;

fn first_boot(spec: &ProvisionSpec) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let iso = dir.path().join("seed.iso");
    std::fs::write(&iso, Seed::for_spec(spec).iso().unwrap()).unwrap();
    let venv = std::env::var_os("CLOUDBASE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/var/cache/vmportal/cloudbase-venv".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cloudbase/simulate.py");
    let out = Command::new(venv.join("bin/python"))
        .arg(script)
        .arg(&iso)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{}/bin/python: {e} (scripts/test makes the virtual environment)",
                venv.display()
            )
        });
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cloudbase-init's run failed:\n{log}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}:\n{log}"))
}

fn maria() -> ProvisionSpec {
    ProvisionSpec {
        machine: MachineId(12),
        guest_name: "vmp-12-maria-win".into(),
        name: Hostname::parse("name", "maria-win").unwrap(),
        kind: MachineKind::Vm,
        os_family: OsFamily::Windows,
        source: "windows-2022.qcow2".into(),
        resources: Resources {
            cpus: 2,
            memory_mib: 4096,
            disk_gib: 40,
        },
        login_name: "maria".into(),
        // The portal's generated passwords satisfy Windows' policy; quotes test the escaping.
        password: "Xy7'q\"Lm2\\pR".into(),
        ssh_public_key: Some("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMaria maria@laptop".into()),
        locale: Some("fr-FR".into()),
    }
}

#[test]
fn cloudbase_init_reads_the_windows_seed_as_the_portal_means_it() {
    let spec = maria();
    let guest = first_boot(&spec);
    let services: Vec<&str> = guest["stock_services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        services.contains(&"cloudbaseinit.metadata.services.configdrive.ConfigDriveService"),
        "a stock cloudbase-init.conf looks for config drives: {services:?}"
    );
    assert_eq!(guest["service"], "ConfigDriveService", "{guest:#}");
    assert_eq!(guest["label"], "config-2");
    assert_eq!(guest["hostname"], "maria-win");

    let users = guest["users"].as_object().unwrap();
    let mut names: Vec<&str> = users.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        ["Administrator", "maria"],
        "no account but these two"
    );
    let admin = &users["Administrator"];
    assert_eq!(admin["password"], spec.password.as_str());
    assert_eq!(admin["enabled"], true);
    let owner = &users["maria"];
    assert_eq!(owner["password"], spec.password.as_str());
    assert_eq!(owner["groups"], serde_json::json!(["Administrators"]));
    assert_eq!(
        owner["authorized_keys"],
        serde_json::json!([spec.ssh_public_key.as_deref().unwrap()])
    );
    // A stock cloudbase-init.conf (first_logon_behaviour=clear_text_injected_only) asks the owner
    // for a new password at first logon: docs/libvirt-hosts.md says how an image turns it off.
    assert_eq!(owner["change_password_next_logon"], true);

    let scripts = guest["scripts"].as_array().unwrap();
    assert_eq!(scripts.len(), 1, "{scripts:#?}");
    assert_eq!(scripts[0]["kind"], "powershell (sysnative)");
    assert_eq!(scripts[0]["file_name"], "vmportal-setup.ps1");
    let script = scripts[0]["content"].as_str().unwrap();
    for line in [
        "New-WinUserLanguageList 'fr-FR'",
        "InputMethodTips.Add('040C:0000040C')",
        "Set-WinSystemLocale -SystemLocale 'fr-FR'",
        "Set-Culture -CultureInfo 'fr-FR'",
        "Set-WinHomeLocation -GeoId 84",
        "-Name fDenyTSConnections -Value 0",
        "Enable-NetFirewallRule -Group '@FirewallAPI.dll,-28752'",
    ] {
        assert!(script.contains(line), "{line} in:\n{script}");
    }

    let done: Vec<&str> = guest["plugins_done"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for plugin in [
        "SetHostNamePlugin",
        "CreateUserPlugin",
        "NetworkConfigPlugin",
        "SetUserSSHPublicKeysPlugin",
        "UserDataPlugin",
        "SetUserPasswordPlugin",
    ] {
        assert!(done.contains(&plugin), "{plugin} done: {done:?}");
    }
}

#[test]
fn a_seed_without_a_key_or_locale_still_makes_both_accounts() {
    let mut spec = maria();
    spec.ssh_public_key = None;
    spec.locale = None;
    let guest = first_boot(&spec);
    let users = guest["users"].as_object().unwrap();
    assert_eq!(users["maria"]["password"], spec.password.as_str());
    assert_eq!(users["maria"]["authorized_keys"], serde_json::json!([]));
    assert_eq!(users["Administrator"]["password"], spec.password.as_str());
    let script = guest["scripts"][0]["content"].as_str().unwrap();
    assert!(
        script.contains("Set-WinHomeLocation -GeoId 244"),
        "{script}"
    );
}
