//! What each simulated endpoint does to the cluster and answers. Parameters have already passed
//! the schema; messages follow the real server's wording where the provider depends on them.

use crate::snapshot;
use crate::state::{Cluster, Guest, Kind};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// An error that is not a parameter error: HTTP status and message.
#[derive(Debug)]
pub struct ApiError(pub u16, pub String);

pub(crate) type Answer = Result<Value, ApiError>;

pub(crate) fn fail(message: impl Into<String>) -> ApiError {
    ApiError(500, message.into())
}

pub struct Call<'a> {
    pub method: &'a str,
    /// The schema path, e.g. `/nodes/{node}/lxc/{vmid}/clone`.
    pub path: &'a str,
    pub params: &'a BTreeMap<String, String>,
    /// The token's user, `USER@REALM!TOKENID`, written into UPIDs.
    pub user: &'a str,
    pub fingerprint: &'a str,
    /// The endpoint's `returns` schema: some answers type their values by it.
    pub returns: &'a Value,
}

impl Call<'_> {
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    pub(crate) fn flag(&self, name: &str) -> bool {
        self.param(name) == Some("1")
    }

    fn vmid(&self, name: &str) -> u32 {
        self.param(name)
            .and_then(|v| v.parse().ok())
            .expect("the schema checked it")
    }
}

/// `None`: the schema knows the endpoint but the simulator does not implement it.
pub fn handle(c: &mut Cluster, call: &Call) -> Option<Answer> {
    if let Some(node) = call.param("node")
        && !c.nodes.iter().any(|n| n == node)
    {
        return Some(Err(fail(format!(
            "hostname lookup '{node}' failed - no such node"
        ))));
    }
    // `/nodes/{node}/lxc/...` and `/nodes/{node}/qemu/...` share one implementation.
    let (kind, route) = match call.path.strip_prefix("/nodes/{node}/") {
        Some(rest) if rest.starts_with("lxc") => {
            (Some(Kind::Lxc), format!("/{{kind}}{}", &rest[3..]))
        }
        Some(rest) if rest.starts_with("qemu") => {
            (Some(Kind::Qemu), format!("/{{kind}}{}", &rest[4..]))
        }
        _ => (None, call.path.to_string()),
    };
    let answer = match (call.method, route.as_str(), kind) {
        ("GET", "/version", _) => {
            Ok(json!({"version": "9.1.3", "release": "9.1", "repoid": "c7f4e2b1"}))
        }
        ("GET", "/nodes", _) => Ok(nodes(c, call)),
        ("GET", "/cluster/nextid", _) => nextid(c, call),
        ("GET", "/nodes/{node}/storage", _) => Ok(storages(c, call)),
        ("GET", "/nodes/{node}/storage/{storage}/content", _) => content(c, call),
        ("GET", "/nodes/{node}/tasks/{upid}/status", _) => task_status(c, call),
        ("GET", "/nodes/{node}/tasks/{upid}/log", _) => task_log(c, call),
        ("GET", "/{kind}", Some(kind)) => Ok(list(c, call, kind)),
        ("POST", "/{kind}/{vmid}/clone", Some(kind)) => clone(c, call, kind),
        ("POST", "/{kind}", Some(Kind::Lxc)) => create_container(c, call),
        ("GET", "/{kind}/{vmid}/config", Some(kind)) => {
            guest(c, call, kind).map(|g| config(g, call.returns))
        }
        ("PUT", "/{kind}/{vmid}/config", Some(kind)) => {
            set_config(c, call, kind).map(|()| Value::Null)
        }
        ("PUT", "/{kind}/{vmid}/resize", Some(kind)) => resize(c, call, kind),
        ("PUT", "/{kind}/{vmid}/cloudinit", Some(Kind::Qemu)) => {
            regenerate_cloud_init(c, call).map(|()| Value::Null)
        }
        ("GET", "/{kind}/{vmid}/status/current", Some(kind)) => {
            let managed = c.ha_managed.contains(&call.vmid("vmid"));
            guest(c, call, kind).map(|g| {
                let mut v = status(g);
                v["ha"] = json!({"managed": u8::from(managed)});
                v
            })
        }
        ("POST", "/{kind}/{vmid}/status/start", Some(kind)) => power(c, call, kind, Power::Start),
        ("POST", "/{kind}/{vmid}/status/shutdown", Some(kind)) => {
            power(c, call, kind, Power::Shutdown)
        }
        ("POST", "/{kind}/{vmid}/status/stop", Some(kind)) => power(c, call, kind, Power::Stop),
        ("POST", "/{kind}/{vmid}/status/reboot", Some(kind)) => power(c, call, kind, Power::Reboot),
        ("DELETE", "/{kind}/{vmid}", Some(kind)) => destroy(c, call, kind),
        ("GET", "/{kind}/{vmid}/interfaces", Some(Kind::Lxc)) => interfaces(c, call),
        ("GET", "/{kind}/{vmid}/agent/network-get-interfaces", Some(Kind::Qemu)) => {
            agent_interfaces(c, call)
        }
        ("POST", "/{kind}/{vmid}/vncproxy", Some(kind)) => vncproxy(c, call, kind),
        ("GET", "/{kind}/{vmid}/snapshot", Some(kind)) => snapshot::list(c, call, kind),
        ("POST", "/{kind}/{vmid}/snapshot", Some(kind)) => snapshot::create(c, call, kind),
        ("POST", "/{kind}/{vmid}/snapshot/{snapname}/rollback", Some(kind)) => {
            snapshot::rollback(c, call, kind)
        }
        ("DELETE", "/{kind}/{vmid}/snapshot/{snapname}", Some(kind)) => {
            snapshot::delete(c, call, kind)
        }
        _ => return None,
    };
    Some(answer)
}

const MIB: u64 = 1024 * 1024;

fn nodes(c: &Cluster, call: &Call) -> Value {
    let node = |n: &String| {
        let mut v = json!({"node": n, "status": "online", "ssl_fingerprint": call.fingerprint});
        if !c.faults.hide_node_memory {
            v["maxcpu"] = json!(8);
            v["maxmem"] = json!(c.node_memory_mib * MIB);
            v["mem"] = json!(c.node_used_mib(n) * MIB);
        }
        v
    };
    Value::Array(c.nodes.iter().map(node).collect())
}

fn storages(c: &Cluster, call: &Call) -> Value {
    let wanted = call.param("storage");
    let listed = c
        .storages
        .iter()
        .filter(|s| wanted.is_none_or(|w| w == s.id));
    let entry = |s: &crate::state::Storage| {
        let (kind, content) = match (s.id.as_str(), s.shared) {
            ("local", _) => ("dir", "vztmpl,iso,backup"),
            (_, true) => ("rbd", "images,rootdir"),
            _ => ("lvmthin", "images,rootdir"),
        };
        json!({"storage": s.id, "type": kind, "content": content, "active": 1, "enabled": 1,
               "shared": u8::from(s.shared)})
    };
    Value::Array(listed.map(entry).collect())
}

/// pve-storage `PVE::API2::Storage::Content::index`: the volumes of a storage as the node that
/// answers sees them; here only OS template archives (`content=vztmpl`, or no filter).
fn content(c: &Cluster, call: &Call) -> Answer {
    let (node, storage) = (
        call.param("node").unwrap_or_default(),
        call.param("storage").unwrap_or_default(),
    );
    if c.storage(storage).is_none() {
        return Err(fail(format!("storage '{storage}' does not exist")));
    }
    if call.param("content").is_some_and(|k| k != "vztmpl") {
        return Ok(json!([]));
    }
    let prefix = format!("{storage}:vztmpl/");
    let archives = c
        .archives
        .iter()
        .filter(|(n, volid)| n == node && volid.starts_with(&prefix));
    let entry = |(_, volid): &(String, String)| {
        json!({"volid": volid, "content": "vztmpl", "format": "tzst", "size": 126_000_000,
               "ctime": 1_735_000_000})
    };
    Ok(Value::Array(archives.map(entry).collect()))
}

fn nextid(c: &mut Cluster, call: &Call) -> Answer {
    let id = match call.param("vmid") {
        Some(_) if c.guests.contains_key(&call.vmid("vmid")) => {
            return Err(ApiError(
                400,
                format!("VM {} already exists", call.vmid("vmid")),
            ));
        }
        Some(_) => call.vmid("vmid"),
        None => c.next_free_id(),
    };
    if c.faults.steal_next_ids > 0 {
        c.faults.steal_next_ids -= 1;
        c.add_guest(
            id,
            Kind::Lxc,
            "pve1",
            false,
            &[("hostname", "someone-else")],
        );
    }
    // The real server answers the id as a string.
    Ok(json!(id.to_string()))
}

pub(crate) fn guest<'c>(
    c: &'c mut Cluster,
    call: &Call,
    kind: Kind,
) -> Result<&'c mut Guest, ApiError> {
    let vmid = call.vmid("vmid");
    let node = call.param("node").unwrap_or_default();
    match c.guests.get_mut(&vmid) {
        Some(g) if g.kind == kind && g.node == node => Ok(g),
        _ => {
            let dir = if kind == Kind::Lxc {
                "lxc"
            } else {
                "qemu-server"
            };
            Err(fail(format!(
                "Configuration file 'nodes/{node}/{dir}/{vmid}.conf' does not exist"
            )))
        }
    }
}

pub(crate) fn unlocked(g: &Guest) -> Result<(), ApiError> {
    match &g.lock {
        Some(lock) => Err(fail(format!("{} is locked ({lock})", g.kind.label()))),
        None => Ok(()),
    }
}

fn list(c: &Cluster, call: &Call, kind: Kind) -> Value {
    let node = call.param("node").unwrap_or_default();
    let guests = c
        .guests
        .values()
        .filter(|g| g.kind == kind && g.node == node);
    Value::Array(guests.map(status).collect())
}

fn status(g: &Guest) -> Value {
    let mut v = json!({"vmid": g.vmid, "name": g.name(),
                       "status": if g.running { "running" } else { "stopped" }});
    if g.template {
        v["template"] = json!(1);
    }
    if let Some(lock) = &g.lock {
        v["lock"] = json!(lock);
    }
    v
}

/// Integers and booleans as JSON numbers where the schema says so, as the server answers them,
/// and the `digest` it always adds.
fn config(g: &Guest, returns: &Value) -> Value {
    let numeric = |key: &str| {
        let base = key.trim_end_matches(|c: char| c.is_ascii_digit());
        let prop = &returns["properties"][key];
        let prop = if prop.is_null() {
            &returns["properties"][format!("{base}[n]")]
        } else {
            prop
        };
        matches!(prop["type"].as_str(), Some("integer" | "boolean"))
    };
    let mut v: serde_json::Map<String, Value> = g
        .config
        .iter()
        .map(|(k, val)| match val.parse::<i64>() {
            Ok(n) if numeric(k) => (k.clone(), json!(n)),
            _ => (k.clone(), json!(val)),
        })
        .collect();
    if let Some(lock) = &g.lock {
        v.insert("lock".into(), json!(lock));
    }
    let digest = Sha256::digest(format!("{:?}", g.config).as_bytes());
    let hex: String = digest.iter().take(20).map(|b| format!("{b:02x}")).collect();
    v.insert("digest".into(), json!(hex));
    Value::Object(v)
}

fn clone(c: &mut Cluster, call: &Call, kind: Kind) -> Answer {
    let source = guest(c, call, kind)?;
    unlocked(source)?;
    let (vmid, newid, label) = (source.vmid, call.vmid("newid"), kind.label());
    let node = source.node.clone();
    let mut config = source.config.clone();
    let template = source.template;
    let full = call.flag("full") || !template;
    if !template && !call.flag("full") {
        return Err(fail(
            "linked clone feature is not supported for a guest that is not a template",
        ));
    }
    if c.guests.contains_key(&newid) {
        return Err(fail(format!(
            "unable to create {label} {newid} - {label} {newid} already exists on node '{node}'"
        )));
    }
    let disk = disks(kind)
        .iter()
        .find(|d| config.contains_key(**d))
        .map(|d| d.to_string());
    let volume = disk.as_ref().map(|d| config[d].clone()).unwrap_or_default();
    let source_storage = volume.split(':').next().unwrap_or_default().to_string();
    let target = call.param("target").unwrap_or(&node).to_string();
    let shared = |id: &str| c.storage(id).is_some_and(|s| s.shared);
    if let Some(storage) = call.param("storage") {
        if c.storage(storage).is_none() {
            return Err(fail(format!("storage '{storage}' does not exist")));
        }
        // pve-container and qemu-server `clone_vm`: "clone only works if target storage is
        // shared", whatever the source's storage.
        if target != node && !shared(storage) {
            return Err(fail(format!(
                "can't clone to non-shared storage '{storage}'"
            )));
        }
        if !full {
            return Err(fail("parameter 'storage' not allowed for linked clones"));
        }
    }
    if target != node {
        if !c.nodes.contains(&target) {
            return Err(fail(format!("no such cluster node '{target}'")));
        }
        // The same functions then look at each disk's storage, the target one for a full
        // clone: a linked clone leaves the node only from shared storage.
        if !shared(call.param("storage").unwrap_or(&source_storage)) {
            return Err(fail(format!(
                "can't clone {label} to node '{target}' ({label} uses local storage)"
            )));
        }
    }
    let pool = pool(c, call)?;
    // A linked clone's disk is a child of the template's base volume; a full one a copy.
    if let Some(disk) = disk {
        let (base, size) = volume.split_once(',').unwrap_or((&volume, ""));
        let storage = call.param("storage").unwrap_or(&source_storage);
        let new = match full {
            true => format!("{storage}:vm-{newid}-disk-0"),
            false => format!("{base}/vm-{newid}-disk-0"),
        };
        let new = if size.is_empty() {
            new
        } else {
            format!("{new},{size}")
        };
        config.insert(disk, new);
    }
    config.remove("template");
    let name_key = if kind == Kind::Lxc {
        "hostname"
    } else {
        "name"
    };
    if let Some(name) = call.param(name_key) {
        config.insert(name_key.into(), name.into());
    }
    // An LXC clone writes the new config before its worker starts (pve-container
    // `PVE::API2::LXC::clone_vm`: "create empty/temp config - this fails if CT already exists");
    // a QEMU clone writes it inside its worker (qemu-server `PVE::API2::Qemu::clone_vm`), so an
    // id taken meanwhile fails the task, not the call, with pve-common
    // `PVE::Tools::file_set_contents`'s message as pmxcfs refuses the rename.
    let write = move |c: &mut Cluster| -> Result<(), String> {
        if c.guests.contains_key(&newid) {
            return Err(format!(
                "close (rename) atomic file '/etc/pve/nodes/{target}/qemu-server/{newid}.conf' \
                 failed: File exists"
            ));
        }
        let pairs: Vec<(&str, &str)> = config
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        c.add_guest(newid, kind, &target, false, &pairs);
        c.guests.get_mut(&newid).expect("just added").pool = pool;
        Ok(())
    };
    let mut write = Some(write);
    if kind == Kind::Lxc {
        let write = write.take().expect("not yet written");
        write(c).map_err(fail)?;
        c.guests.get_mut(&newid).expect("just added").lock = Some("create".into());
        // The clone holds a `disk` lock on its source; a QEMU template can be cloned in parallel.
        c.guests.get_mut(&vmid).expect("checked").lock = Some("disk".into());
    }
    if kind == Kind::Qemu && c.faults.steal_cloned_ids > 0 {
        c.faults.steal_cloned_ids -= 1;
        c.add_guest(
            newid,
            Kind::Lxc,
            &node,
            false,
            &[("hostname", "someone-else")],
        );
    }
    let task_type = if kind == Kind::Lxc {
        "vzclone"
    } else {
        "qmclone"
    };
    let release = move |c: &mut Cluster| {
        if kind == Kind::Lxc
            && let Some(g) = c.guests.get_mut(&vmid)
        {
            g.lock = None;
        }
    };
    Ok(json!(c.spawn_work(
        &node,
        task_type,
        &vmid.to_string(),
        call.user,
        move |c| {
            release(c);
            if let Some(write) = write {
                write(c)?;
            }
            if let Some(g) = c.guests.get_mut(&newid) {
                g.lock = None;
            }
            Ok(())
        },
        move |c| {
            release(c);
            if kind == Kind::Lxc {
                c.guests.remove(&newid);
            }
        },
    )))
}

/// The pool a new guest joins, which must exist.
fn pool(c: &Cluster, call: &Call) -> Result<Option<String>, ApiError> {
    match call.param("pool") {
        Some(p) if !c.pools.iter().any(|known| known == p) => {
            Err(fail(format!("pool '{p}' does not exist")))
        }
        p => Ok(p.map(str::to_string)),
    }
}

/// The keys that may hold a guest's boot disk, in the order the server looks at them.
fn disks(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Lxc => &["rootfs"],
        Kind::Qemu => &["scsi0", "virtio0", "sata0", "ide0"],
    }
}

/// A container from an OS template archive: the one API path that sets root's password and keys.
fn create_container(c: &mut Cluster, call: &Call) -> Answer {
    let (vmid, node) = (
        call.vmid("vmid"),
        call.param("node").unwrap_or_default().to_string(),
    );
    if c.guests.contains_key(&vmid) {
        return Err(fail(format!("CT {vmid} already exists on node '{node}'")));
    }
    let archive = call.param("ostemplate").unwrap_or_default();
    if !archive.contains(":vztmpl/") {
        return Err(fail(format!("unable to parse volume ID '{archive}'")));
    }
    // What a real container keeps in its config; the secrets go into the guest's files instead.
    let secret = |k: &str| {
        matches!(
            k,
            "node"
                | "vmid"
                | "ostemplate"
                | "password"
                | "ssh-public-keys"
                | "storage"
                | "start"
                | "pool"
        )
    };
    let config: Vec<(&str, &str)> = call
        .params
        .iter()
        .filter(|(k, _)| !secret(k))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let pool = pool(c, call)?;
    // pve-container `PVE::API2::LXC::create_vm` reads the archive inside its worker, through
    // pve-storage `PVE::Storage::abs_filesystem_path`, which dies when this node lacks the file.
    let missing = (!c.has_archive(&node, archive)).then(|| format!("can't find file '{archive}'"));
    c.add_guest(vmid, Kind::Lxc, &node, false, &config);
    let g = c.guests.get_mut(&vmid).expect("just added");
    g.lock = Some("create".into());
    g.pool = pool;
    g.root_password = call.param("password").map(str::to_string);
    g.ssh_keys = call.param("ssh-public-keys").map(str::to_string);
    let unlock = move |c: &mut Cluster| {
        if let Some(message) = missing {
            return Err(message);
        }
        if let Some(g) = c.guests.get_mut(&vmid) {
            g.lock = None;
        }
        Ok(())
    };
    let remove = move |c: &mut Cluster| {
        c.guests.remove(&vmid);
    };
    Ok(json!(c.spawn_work(
        &node,
        "vzcreate",
        &vmid.to_string(),
        call.user,
        unlock,
        remove
    )))
}

/// Keys the simulator lets `PUT .../config` set; the schema has already refused unknown ones.
fn set_config(c: &mut Cluster, call: &Call, kind: Kind) -> Result<(), ApiError> {
    let g = guest(c, call, kind)?;
    unlocked(g)?;
    for (key, value) in call.params {
        match key.as_str() {
            "node" | "vmid" | "digest" => {}
            "delete" => {
                for k in value.split(',') {
                    g.config.remove(k.trim());
                }
            }
            _ => {
                g.config.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(())
}

/// Writes the cloud-init settings onto the VM's cloud-init drive. Without one it does nothing
/// and says nothing: qemu-server `PVE::QemuServer::vmconfig_update_cloudinit_drive` returns
/// when no drive passes `PVE::QemuServer::Drive::drive_is_cloudinit`.
fn regenerate_cloud_init(c: &mut Cluster, call: &Call) -> Result<(), ApiError> {
    let g = guest(c, call, Kind::Qemu)?;
    unlocked(g)?;
    let is_drive = |v: &String| {
        let file = v.split(',').next().unwrap_or_default();
        file.rsplit([':', '/']).next().is_some_and(|name| {
            name == "cloudinit" || (name.starts_with("vm-") && name.ends_with("-cloudinit"))
        })
    };
    if !g.config.values().any(is_drive) {
        return Ok(());
    }
    let cloud_init =
        |k: &String| k.starts_with("ci") || k == "sshkeys" || k.starts_with("ipconfig");
    let drive = g.config.iter().filter(|(k, _)| cloud_init(k));
    g.cloud_init_drive = Some(drive.map(|(k, v)| (k.clone(), v.clone())).collect());
    Ok(())
}

/// qemu-server `PVE::API2::Qemu::resize_vm` and pve-container `PVE::API2::LXC::resize_vm`: a
/// size with `+` is added to the current one, a smaller size is refused. Since qemu-server 8.0.4
/// (June 2023) a VM's resize runs as a task; before, it answered null when done.
fn resize(c: &mut Cluster, call: &Call, kind: Kind) -> Answer {
    let user = call.user.to_string();
    let synchronous = c.faults.synchronous_resize && kind == Kind::Qemu;
    let g = guest(c, call, kind)?;
    unlocked(g)?;
    let disk = call.param("disk").unwrap_or_default();
    let asked = call.param("size").unwrap_or_default();
    let Some(volume) = g.config.get_mut(disk) else {
        return Err(fail(format!("disk '{disk}' does not exist")));
    };
    let (base, current) = match volume.split_once(",size=") {
        Some((base, size)) => (base.to_string(), size_mib(size).unwrap_or(0)),
        None => (volume.clone(), 0),
    };
    let wanted = match asked.strip_prefix('+') {
        Some(more) => current + size_mib(more).unwrap_or(0),
        None => size_mib(asked).unwrap_or(0),
    };
    if wanted < current {
        return Err(fail(match kind {
            Kind::Qemu => "shrinking disks is not supported",
            Kind::Lxc => "unable to shrink disk size",
        }));
    }
    let size = match wanted % 1024 {
        0 => format!("{}G", wanted / 1024),
        _ => format!("{wanted}M"),
    };
    *volume = format!("{base},size={size}");
    if synchronous {
        return Ok(Value::Null);
    }
    let (vmid, node) = (g.vmid, g.node.clone());
    Ok(json!(c.spawn(
        &node,
        "resize",
        &vmid.to_string(),
        &user,
        |_| {},
        |_| {}
    )))
}

/// `4G`, `512M`, `1T`, `1048576K` or plain bytes, in MiB.
fn size_mib(size: &str) -> Option<u64> {
    let (n, unit) = size.split_at(
        size.find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(size.len()),
    );
    let n: f64 = n.parse().ok()?;
    let mib = match unit {
        "T" => n * 1024.0 * 1024.0,
        "G" => n * 1024.0,
        "M" => n,
        "K" => n / 1024.0,
        "" => n / 1024.0 / 1024.0,
        _ => return None,
    };
    Some(mib as u64)
}

#[derive(Clone, Copy)]
enum Power {
    Start,
    Shutdown,
    Stop,
    Reboot,
}

fn power(c: &mut Cluster, call: &Call, kind: Kind, action: Power) -> Answer {
    let ignore_shutdown = c.faults.ignore_shutdown;
    let g = guest(c, call, kind)?;
    let (vmid, node, running, label) = (g.vmid, g.node.clone(), g.running, kind.label());
    // Starting plugs the VM's NICs into their bridges, which must exist on the node: pve-common
    // `PVE::Network::tap_plug` dies inside the start task (qemu-server `vm_start`).
    let missing_bridge = match (kind, action) {
        (Kind::Qemu, Power::Start) => missing_bridge(g),
        _ => None,
    };
    if g.template {
        return Err(fail(format!("{label} {vmid} is a template")));
    }
    // A stop checks the lock too (qemu-server `PVE::QemuServer::vm_stop` and pve-container
    // `PVE::API2::LXC::Status::vm_stop` skip the check only with `skiplock`, root's alone).
    unlocked(g)?;
    // pve-container `PVE::API2::LXC::Status::vm_stop` and `vm_shutdown` refuse a container that
    // is not running, at once (qemu-server's stop and shutdown of a stopped VM succeed).
    if kind == Kind::Lxc && !running && matches!(action, Power::Stop | Power::Shutdown) {
        return Err(fail(format!("CT {vmid} not running")));
    }
    let prefix = if kind == Kind::Lxc { "vz" } else { "qm" };
    let (name, on) = match action {
        Power::Start if running => return Err(fail(format!("{label} {vmid} already running"))),
        Power::Start => ("start", true),
        Power::Reboot if !running => return Err(fail(format!("{label} {vmid} not running"))),
        Power::Reboot => ("reboot", true),
        Power::Shutdown => ("shutdown", false),
        Power::Stop => ("stop", false),
    };
    let task_type = format!("{prefix}{name}");
    if matches!(action, Power::Shutdown) && running && ignore_shutdown && !call.flag("forceStop") {
        c.faults.fail_task = Some((
            task_type.clone(),
            "VM quit/powerdown failed - got timeout".into(),
        ));
    }
    let set = move |c: &mut Cluster| {
        if let Some(bridge) = missing_bridge {
            return Err(format!("bridge '{bridge}' does not exist"));
        }
        if let Some(g) = c.guests.get_mut(&vmid) {
            g.running = on;
        }
        Ok(())
    };
    // qemu-server's and pve-container's `vm_start`, `vm_stop` and `vm_shutdown`: for an
    // HA-managed guest the task only hands the request to the HA manager (`hastart`, `hastop`)
    // and ends once it is queued; the node's LRM acts later, in a task of its own.
    let ha = match action {
        Power::Start => Some("hastart"),
        Power::Stop | Power::Shutdown => Some("hastop"),
        Power::Reboot => None,
    };
    if let Some(ha_task) = ha.filter(|_| c.ha_managed.contains(&vmid)) {
        let asked = c.spawn(&node, ha_task, &vmid.to_string(), call.user, |_| {}, |_| {});
        c.spawn_work(
            &node,
            &task_type,
            &vmid.to_string(),
            "root@pam",
            set,
            |_| {},
        );
        let lrm = c.tasks.last_mut().expect("just spawned");
        lrm.finish_at = lrm.started_at + c.faults.ha_delay;
        return Ok(json!(asked));
    }
    Ok(json!(c.spawn_work(
        &node,
        &task_type,
        &vmid.to_string(),
        call.user,
        set,
        |_| {}
    )))
}

/// The bridges every node has.
const BRIDGES: &[&str] = &["vmbr0"];

/// The first bridge a guest's `net*` names that the node lacks.
fn missing_bridge(g: &Guest) -> Option<String> {
    let nets = g.config.iter().filter(|(k, _)| k.starts_with("net"));
    nets.flat_map(|(_, v)| v.split(','))
        .filter_map(|part| part.strip_prefix("bridge="))
        .find(|b| !BRIDGES.contains(b))
        .map(str::to_string)
}

fn destroy(c: &mut Cluster, call: &Call, kind: Kind) -> Answer {
    let g = guest(c, call, kind)?;
    unlocked(g)?;
    let (vmid, node, label) = (g.vmid, g.node.clone(), kind.label());
    // qemu-server's and pve-container's `destroy_vm` call pve-guest-common
    // `PVE::AbstractConfig::check_protection` first. `clone_vm` copies `protection` with the
    // rest of the template's config.
    if g.config.get("protection").is_some_and(|p| p == "1") {
        return Err(fail(format!(
            "can't remove {label} {vmid} - protection mode enabled"
        )));
    }
    if g.running {
        return Err(fail(format!(
            "{label} {vmid} is running - unable to destroy"
        )));
    }
    let task_type = if kind == Kind::Lxc {
        "vzdestroy"
    } else {
        "qmdestroy"
    };
    let remove = move |c: &mut Cluster| {
        c.guests.remove(&vmid);
    };
    Ok(json!(c.spawn(
        &node,
        task_type,
        &vmid.to_string(),
        call.user,
        remove,
        |_| {}
    )))
}

/// A guest's address on the simulated bridge.
fn address(vmid: u32) -> String {
    format!("10.10.{}.{}", vmid / 250 % 250, vmid % 250 + 2)
}

fn interfaces(c: &mut Cluster, call: &Call) -> Answer {
    let g = guest(c, call, Kind::Lxc)?;
    if !g.running {
        return Ok(Value::Null);
    }
    // PVE 9 answers both the old (`hwaddr`, `inet`) and the agent-style fields.
    let iface = |name: &str, mac: &str, ip: &str, prefix: u8| {
        json!({"name": name, "hwaddr": mac, "hardware-address": mac, "inet": format!("{ip}/{prefix}"),
               "ip-addresses": [{"ip-address-type": "inet", "ip-address": ip, "prefix": prefix}]})
    };
    Ok(json!([
        iface("lo", "00:00:00:00:00:00", "127.0.0.1", 8),
        iface("eth0", "bc:24:11:00:00:02", &address(g.vmid), 24),
    ]))
}

fn agent_interfaces(c: &mut Cluster, call: &Call) -> Answer {
    let g = guest(c, call, Kind::Qemu)?;
    // qemu-server `PVE::QemuServer::Agent::assert_agent_available`, which every agent
    // endpoint calls first.
    if !g.running {
        return Err(fail(format!("VM {} is not running", g.vmid)));
    }
    if g.config.get("agent").is_none_or(|a| !a.starts_with('1')) {
        return Err(fail("No QEMU guest agent configured"));
    }

    let ip = |kind: &str, ip: &str, prefix: u8| json!({"ip-address-type": kind, "ip-address": ip, "prefix": prefix});
    Ok(json!({"result": [
        {"name": "lo", "hardware-address": "00:00:00:00:00:00", "ip-addresses": [ip("ipv4", "127.0.0.1", 8)]},
        {"name": "eth0", "hardware-address": "bc:24:11:00:00:01",
         "ip-addresses": [ip("ipv4", &address(g.vmid), 24), ip("ipv6", "fe80::be24:11ff:fe00:1", 64)]},
    ]}))
}

fn vncproxy(c: &mut Cluster, call: &Call, kind: Kind) -> Answer {
    let g = guest(c, call, kind)?;
    if !g.running {
        return Err(fail(format!("{} {} not running", kind.label(), g.vmid)));
    }
    let (vmid, node) = (g.vmid, g.node.clone());
    let upid = c.spawn(
        &node,
        "vncproxy",
        &vmid.to_string(),
        call.user,
        |_| {},
        |_| {},
    );
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    let secret = |salt: &str| Sha256::digest(format!("{upid}{nanos}{salt}"));
    // As PVE writes them: `PVEVNC:{time}::{signature}`, the signature in base64 (`+`, `/`).
    const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let signature: String = secret("ticket")
        .iter()
        .map(|b| BASE64[usize::from(b % 64)] as char)
        .collect();
    let ticket = format!("PVEVNC:{:08X}::{signature}", nanos / 1_000_000_000);
    // A generated password of printable ASCII, for containers too: the 9.1.3 schema of both
    // `vncproxy` endpoints returns it ("generate-password: Deprecated ... Password is generated
    // when required"); older servers answered none and took the ticket as the VNC password.
    let password = (!c.faults.vnc_ticket_as_password).then(|| {
        secret("password")
            .iter()
            .take(8)
            .map(|b| (b'!' + b % 94) as char)
            .collect::<String>()
    });
    let proxy = c
        .add_vnc_proxy(&node, vmid, ticket, password.clone())
        .ok_or_else(|| fail("no free port for a VNC proxy"))?;
    let mut answer = json!({"port": proxy.port, "ticket": proxy.ticket, "user": call.user,
                            "upid": upid, "cert": "simulated"});
    if let Some(password) = password {
        answer["password"] = json!(password);
    }
    Ok(answer)
}

/// A task as the node `{node}` knows it: pve-manager `PVE::API2::Tasks::read_task_status` and
/// `read_task_log` run on that node (`proxyto`) and find only its own task files.
fn node_task<'c>(c: &'c Cluster, call: &Call) -> Result<&'c crate::state::Task, ApiError> {
    let upid = call.param("upid").unwrap_or_default();
    let node = call.param("node").unwrap_or_default();
    c.task(upid)
        .filter(|t| t.node == node)
        .ok_or_else(|| ApiError(400, format!("no such task '{upid}'")))
}

fn task_status(c: &Cluster, call: &Call) -> Answer {
    let t = node_task(c, call)?;
    let mut v = json!({"upid": t.upid, "node": t.node, "pid": t.pid, "pstart": t.pstart,
                       "starttime": t.starttime, "type": t.kind, "id": t.id, "user": t.user,
                       "status": if t.exitstatus.is_some() { "stopped" } else { "running" }});
    if let Some(exit) = &t.exitstatus {
        v["exitstatus"] = json!(exit);
    }
    Ok(v)
}

/// The `total` a task log's answer carries next to `data`: pve-manager
/// `PVE::API2::Tasks::read_task_log` sets it (`set_result_attrib`) to the log's line count, so
/// a client can read the end of a long log.
pub fn total(c: &Cluster, call: &Call) -> Option<usize> {
    if call.path != "/nodes/{node}/tasks/{upid}/log" {
        return None;
    }
    c.task(call.param("upid")?).map(|t| t.log.len())
}

fn task_log(c: &Cluster, call: &Call) -> Answer {
    let t = node_task(c, call)?;
    let start: usize = call
        .param("start")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let limit: usize = call
        .param("limit")
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let lines = t.log.iter().enumerate().skip(start).take(limit);
    Ok(Value::Array(
        lines
            .map(|(i, line)| json!({"n": i + 1, "t": line}))
            .collect(),
    ))
}
