//! Guest snapshots: take, list, roll back, delete, each (but the list) a task, with the real
//! server's rules. Sources: pve-guest-common `PVE/AbstractConfig.pm` (`snapshot_prepare`,
//! `snapshot_rollback`, `snapshot_delete`), pve-container `PVE/API2/LXC/Snapshot.pm` and
//! `PVE/LXC/Config.pm`, qemu-server `PVE/API2/Qemu.pm` and `PVE/QemuConfig.pm`.

use crate::api::{Answer, ApiError, Call, fail, guest, unlocked};
use crate::state::{Cluster, Kind, Snapshot};
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

fn task_prefix(kind: Kind) -> &'static str {
    match kind {
        Kind::Lxc => "vz",
        Kind::Qemu => "qm",
    }
}

fn snapname<'a>(call: &'a Call) -> &'a str {
    call.param("snapname").unwrap_or_default()
}

fn missing(name: &str) -> ApiError {
    // AbstractConfig::snapshot_rollback / snapshot_delete.
    fail(format!("snapshot '{name}' does not exist"))
}

/// `POST .../snapshot`. The name must be new and not reserved (API2::Qemu `snapshot`,
/// API2::LXC::Snapshot `snapshot`); no other lock may be held (`snapshot_prepare` runs
/// `check_lock`: a clone or backup in progress refuses it); the guest is locked `snapshot`
/// while the task runs. `vmstate` is a QEMU parameter only (the LXC endpoint's schema has none)
/// and is kept only if the guest runs (`snapshot_prepare` clears it otherwise). A failed task
/// leaves no snapshot (`snapshot_create` deletes it with force).
pub fn create(c: &mut Cluster, call: &Call, kind: Kind) -> Answer {
    let name = snapname(call).to_owned();
    let g = guest(c, call, kind)?;
    if name == "current" || name.eq_ignore_ascii_case("pending") {
        return Err(fail(format!(
            "unable to use snapshot name '{name}' (reserved name)"
        )));
    }
    unlocked(g)?;
    if g.snapshots.iter().any(|s| s.name == name) {
        return Err(fail(format!("snapshot name '{name}' already used")));
    }
    let snap = Snapshot {
        name: name.clone(),
        description: call.param("description").unwrap_or_default().to_owned(),
        vmstate: kind == Kind::Qemu && call.flag("vmstate") && g.running,
        snaptime: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs(),
        config: g.config.clone(),
        parent: g.snapshots.last().map(|s| s.name.clone()),
    };
    g.lock = Some("snapshot".into());
    let (vmid, node) = (g.vmid, g.node.clone());
    let made = move |c: &mut Cluster| {
        if let Some(g) = c.guests.get_mut(&vmid) {
            g.lock = None;
            g.snapshots.push(snap);
        }
    };
    let task = format!("{}snapshot", task_prefix(kind));
    Ok(json!(c.spawn(
        &node,
        &task,
        &vmid.to_string(),
        call.user,
        made,
        unlock(vmid)
    )))
}

/// `GET .../snapshot`: the snapshots, then `current` (the live state) whose parent is the newest.
pub fn list(c: &mut Cluster, call: &Call, kind: Kind) -> Answer {
    let g = guest(c, call, kind)?;
    let mut out: Vec<Value> = g
        .snapshots
        .iter()
        .map(|s| {
            let mut v =
                json!({"name": s.name, "description": s.description, "snaptime": s.snaptime});
            if let Some(p) = &s.parent {
                v["parent"] = json!(p);
            }
            if kind == Kind::Qemu {
                v["vmstate"] = json!(u8::from(s.vmstate));
            }
            v
        })
        .collect();
    let mut current = json!({"name": "current", "description": "You are here!",
                             "running": u8::from(g.running)});
    if let Some(last) = g.snapshots.last() {
        current["parent"] = json!(last.name);
    }
    out.push(current);
    Ok(Value::Array(out))
}

/// `POST .../snapshot/{snapname}/rollback`. A running guest is stopped first (the configs'
/// `__snapshot_rollback_vm_stop`); the guest's config becomes the snapshot's; a QEMU snapshot
/// with memory resumes running (`__snapshot_rollback_vm_start`), otherwise only `start` starts it.
pub fn rollback(c: &mut Cluster, call: &Call, kind: Kind) -> Answer {
    let name = snapname(call).to_owned();
    let start = call.flag("start");
    let g = guest(c, call, kind)?;
    let Some(snap) = g.snapshots.iter().find(|s| s.name == name).cloned() else {
        return Err(missing(&name));
    };
    unlocked(g)?;
    g.running = false;
    g.lock = Some("rollback".into());
    let (vmid, node) = (g.vmid, g.node.clone());
    let back = move |c: &mut Cluster| {
        if let Some(g) = c.guests.get_mut(&vmid) {
            g.lock = None;
            g.config = snap.config.clone();
            g.running = snap.vmstate || start;
        }
    };
    let task = format!("{}rollback", task_prefix(kind));
    Ok(json!(c.spawn(
        &node,
        &task,
        &vmid.to_string(),
        call.user,
        back,
        unlock(vmid)
    )))
}

/// `DELETE .../snapshot/{snapname}`: a lock refuses it unless `force` (`snapshot_delete`).
pub fn delete(c: &mut Cluster, call: &Call, kind: Kind) -> Answer {
    let name = snapname(call).to_owned();
    let force = call.flag("force");
    let g = guest(c, call, kind)?;
    if !g.snapshots.iter().any(|s| s.name == name) {
        return Err(missing(&name));
    }
    if !force {
        unlocked(g)?;
    }
    g.lock = Some("snapshot-delete".into());
    let (vmid, node) = (g.vmid, g.node.clone());
    let gone = move |c: &mut Cluster| {
        if let Some(g) = c.guests.get_mut(&vmid) {
            g.lock = None;
            g.snapshots.retain(|s| s.name != name);
        }
    };
    let task = format!("{}delsnapshot", task_prefix(kind));
    Ok(json!(c.spawn(
        &node,
        &task,
        &vmid.to_string(),
        call.user,
        gone,
        unlock(vmid)
    )))
}

fn unlock(vmid: u32) -> impl FnOnce(&mut Cluster) + Send + 'static {
    move |c: &mut Cluster| {
        if let Some(g) = c.guests.get_mut(&vmid) {
            g.lock = None;
        }
    }
}
