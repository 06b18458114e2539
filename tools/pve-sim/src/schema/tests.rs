use super::*;
use serde_json::json;

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn field_errors(r: Result<Matched<'_>, Rejection>) -> BTreeMap<String, String> {
    match r {
        Err(Rejection::Params(e)) => e,
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn returns(method: &str, path: &str) -> Value {
    let s = Schema::shared();
    s.check_request(method, path, &[]).unwrap().info["returns"].clone()
}

#[test]
fn lxc_clone_accepts_a_valid_request_and_binds_path_parameters() {
    let m = Schema::shared()
        .check_request(
            "POST",
            "/nodes/pve1/lxc/9000/clone",
            &params(&[("newid", "123"), ("hostname", "web-1"), ("full", "0")]),
        )
        .unwrap();
    assert_eq!(m.path, "/nodes/{node}/lxc/{vmid}/clone");
    assert_eq!(m.params["node"], "pve1");
    assert_eq!(m.params["vmid"], "9000");
}

#[test]
fn indexed_properties_match_their_numbered_names() {
    let s = Schema::shared();
    let ok = [
        ("ipconfig0", "ip=dhcp"),
        ("net1", "virtio,bridge=vmbr0"),
        ("scsi0", "local-lvm:8"),
    ];
    assert!(
        s.check_request("PUT", "/nodes/pve1/qemu/100/config", &params(&ok))
            .is_ok()
    );
    let e = field_errors(s.check_request(
        "PUT",
        "/nodes/pve1/qemu/100/config",
        &params(&[("net", "x")]),
    ));
    assert!(e.contains_key("net"), "{e:?}");
}

#[test]
fn missing_unknown_and_mistyped_parameters_are_named() {
    let e = field_errors(Schema::shared().check_request(
        "POST",
        "/nodes/pve1/lxc/9000/clone",
        &params(&[("full", "true"), ("colour", "red")]),
    ));
    assert_eq!(e.keys().collect::<Vec<_>>(), ["colour", "full", "newid"]);
    assert!(e["full"].contains("boolean"), "{e:?}");
    assert!(e["newid"].contains("not optional"));
}

#[test]
fn integers_bounds_enums_and_patterns_are_checked() {
    let s = Schema::shared();
    let e = field_errors(s.check_request("GET", "/cluster/nextid", &params(&[("vmid", "99")])));
    assert!(e["vmid"].contains("minimum"), "{e:?}");
    let e = field_errors(s.check_request("GET", "/nodes/pve1/lxc/abc/status/current", &[]));
    assert!(e["vmid"].contains("integer"), "{e:?}");
    let e = field_errors(s.check_request(
        "POST",
        "/nodes/pve1/qemu/100/status/shutdown",
        &params(&[("timeout", "-1")]),
    ));
    assert!(e["timeout"].contains("minimum"), "{e:?}");
    // A UPID arrives percent-encoded in the path.
    let ok = s.check_request(
        "GET",
        "/nodes/pve1/tasks/UPID%3Apve1%3A0/log",
        &params(&[("limit", "50")]),
    );
    assert!(ok.is_ok(), "{ok:?}");
    assert_eq!(ok.unwrap().params["upid"], "UPID:pve1:0");
    // `repoid` has a pattern and `console` an enum in /version's answer.
    let r = returns("GET", "/version");
    let good = json!({"version": "9.1.3", "release": "9.1", "repoid": "0123abcd"});
    assert!(s.check_return(&r, &good).is_empty());
    let bad = json!({"version": "9.1.3", "release": "9.1", "repoid": "xyz", "console": "telnet"});
    let v = s.check_return(&r, &bad);
    assert_eq!(v.len(), 2, "{v:?}");
}

#[test]
fn unknown_paths_and_methods_are_refused() {
    let s = Schema::shared();
    let nonsense = s.check_request("GET", "/nodes/pve1/lxc/100/nonsense", &[]);
    assert_eq!(nonsense.unwrap_err(), Rejection::NoSuchPath);
    assert_eq!(
        s.check_request("PATCH", "/version", &[]).unwrap_err(),
        Rejection::MethodNotAllowed
    );
}

#[test]
fn answers_are_checked_against_returns() {
    let s = Schema::shared();
    let status = returns("GET", "/nodes/pve1/tasks/x/status");
    let v = s.check_return(&status, &json!({"status": "done", "pid": "x"}));
    // Bad enum, bad integer, and id/node/pstart/starttime/type/upid/user missing.
    assert_eq!(v.len(), 9, "{v:?}");
    let nextid = returns("GET", "/cluster/nextid");
    assert!(s.check_return(&nextid, &json!("100")).is_empty());
    assert!(!s.check_return(&nextid, &json!("abc")).is_empty());
}

#[test]
fn property_strings_are_checked_key_by_key() {
    let s = Schema::shared();
    let lxc = |net: &str, rootfs: &str| {
        s.check_request(
            "POST",
            "/nodes/pve1/lxc",
            &params(&[
                ("vmid", "120"),
                ("ostemplate", "local:vztmpl/debian-12.tar.zst"),
                ("net0", net),
                ("rootfs", rootfs),
            ]),
        )
    };
    assert!(lxc("name=eth0,bridge=vmbr0,ip=dhcp,firewall=1", "local-lvm:8").is_ok());
    assert!(
        lxc(
            "name=eth0,bridge=vmbr0,ip=dhcp",
            "volume=local-lvm:8,acl=on"
        )
        .is_ok()
    );
    for (net, rootfs, field, why) in [
        (
            "name=eth0,bridge=vmbr0,colour=blue",
            "local-lvm:8",
            "net0",
            "unknown key 'colour'",
        ),
        (
            "bridge=vmbr0",
            "local-lvm:8",
            "net0",
            "missing property 'name'",
        ),
        (
            "name=eth0,name=eth1",
            "local-lvm:8",
            "net0",
            "duplicate key 'name'",
        ),
        (
            "name=eth0,firewall=maybe",
            "local-lvm:8",
            "net0",
            "firewall",
        ),
        ("name=eth0,hwaddr=12:34", "local-lvm:8", "net0", "mac-addr"),
        ("name=eth0", "acl=1", "rootfs", "missing property 'volume'"),
    ] {
        let errors = field_errors(lxc(net, rootfs));
        assert!(errors[field].contains(why), "{net} {rootfs}: {errors:?}");
    }
}

#[test]
fn named_formats_are_checked() {
    let s = Schema::shared();
    let config = |k: &str, v: &str| {
        s.check_request("POST", "/nodes/pve1/qemu/100/config", &params(&[(k, v)]))
    };
    assert!(config("sshkeys", "ssh-ed25519%20AAAA%2B%2F%3D%20me%40host").is_ok());
    assert!(config("ipconfig0", "ip=dhcp").is_ok());
    assert!(config("net0", "virtio=BC:24:11:00:00:01,bridge=vmbr0").is_ok());
    for (k, v) in [
        ("sshkeys", "ssh-ed25519 AAAA me@host"),
        ("sshkeys", "ssh-ed25519+AAAA"),
        ("ipconfig0", "ip=dhcp,mask=24"),
        ("net0", "virtio=not-a-mac,bridge=vmbr0"),
    ] {
        assert!(field_errors(config(k, v)).contains_key(k), "{k}={v}");
    }
    let clone = |newid: &str, target: &str| {
        s.check_request(
            "POST",
            "/nodes/pve1/lxc/9000/clone",
            &params(&[("newid", newid), ("target", target)]),
        )
    };
    assert!(clone("101", "pve2").is_ok());
    assert!(field_errors(clone("99", "pve2")).contains_key("newid"));
    assert!(field_errors(clone("101", "pve_2")).contains_key("target"));
}
