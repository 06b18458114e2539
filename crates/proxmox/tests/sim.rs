//! The provider against the PVE simulator, which holds every request and answer to the official
//! API schema: each test ends by asserting that no call broke it.

mod common;

use common::{KEY, Recorded, Setup, config, spec};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vmportal_core::{
    hypervisor::{ConsoleStream, Hypervisor, HypervisorError, PowerState},
    ids::MachineId,
    template::MachineKind,
};
use vmportal_proxmox::ProxmoxHypervisor;

#[tokio::test]
async fn tls_trusts_the_ca_file_or_the_pinned_fingerprint_and_nothing_else() {
    let s = Setup::new().await;
    assert_eq!(s.hv.check().await.unwrap(), "Proxmox VE 9.1.3");
    let pinned =
        ProxmoxHypervisor::new(config(&s.sim, None, Some(s.sim.fingerprint.clone()))).unwrap();
    assert_eq!(pinned.check().await.unwrap(), "Proxmox VE 9.1.3");
    let wrong = "AB:".repeat(31) + "AB";
    let stranger = ProxmoxHypervisor::new(config(&s.sim, None, Some(wrong))).unwrap();
    match stranger.check().await.unwrap_err() {
        HypervisorError::Transient(m) => assert!(m.contains("pinned fingerprint"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(
        ProxmoxHypervisor::new(config(&s.sim, None, None)).is_err(),
        "no trust at all is refused"
    );
    s.no_violations();
}

#[tokio::test]
async fn a_vm_is_cloned_given_cloud_init_grown_started_and_found_by_its_agent() {
    let s = Setup::new().await;
    let progress = Recorded::default();
    let made =
        s.hv.provision(&spec(1, MachineKind::Vm), &progress)
            .await
            .unwrap();
    assert_eq!(made.external_id, "pve1/qemu/100");
    assert_eq!(made.access.address.as_deref(), Some("10.10.0.102"));
    assert_eq!(made.access.port, 22);
    let steps: Vec<i64> = progress.0.lock().unwrap().iter().map(|(p, _)| *p).collect();
    assert_eq!(steps, [5, 10, 40, 60, 80, 100]);
    {
        let cluster = s.sim.cluster();
        let g = &cluster.guests[&100];
        assert!(g.running);
        assert_eq!(g.config["name"], "tst-1-box1");
        assert_eq!(
            (g.config["cores"].as_str(), g.config["memory"].as_str()),
            ("2", "2048")
        );
        assert_eq!(g.config["ciuser"], "alice");
        assert_eq!(g.config["cipassword"], "Secret 12345+");
        assert_eq!(
            g.config["sshkeys"],
            "ssh-ed25519%20AAAAC3Nza%2BC1lZDI1%2FNTE5%20alice%40laptop"
        );
        let drive = g
            .cloud_init_drive
            .as_ref()
            .expect("the cloud-init drive regenerated");
        for key in ["ciuser", "cipassword", "sshkeys", "ipconfig0"] {
            assert_eq!(drive.get(key), g.config.get(key), "{key} on the drive");
        }
        assert_eq!(
            g.config["scsi0"], "local-lvm:base-9001-disk-0/vm-100-disk-0,size=12G",
            "a linked clone, grown"
        );
    }
    // A retried provision finds the machine instead of making a second one.
    let again =
        s.hv.provision(&spec(1, MachineKind::Vm), &Recorded::default())
            .await
            .unwrap();
    assert_eq!(again.external_id, made.external_id);
    assert_eq!(s.sim.cluster().guests.len(), 3);
    s.no_violations();
}

#[tokio::test]
async fn a_container_is_created_from_its_archive_with_the_owners_password_and_key() {
    let s = Setup::new().await;
    let made =
        s.hv.provision(&spec(2, MachineKind::Container), &Recorded::default())
            .await
            .unwrap();
    assert_eq!(made.external_id, "pve1/lxc/100");
    assert_eq!(made.access.address.as_deref(), Some("10.10.0.102"));
    {
        let cluster = s.sim.cluster();
        let g = &cluster.guests[&100];
        assert_eq!(g.root_password.as_deref(), Some("Secret 12345+"));
        assert_eq!(g.ssh_keys.as_deref(), Some(KEY));
        assert_eq!(g.config["rootfs"], "local-lvm:12");
        assert_eq!(g.config["hostname"], "tst-2-box2");
    }
    // The next container goes to the node with fewer guests.
    let next =
        s.hv.provision(&spec(3, MachineKind::Container), &Recorded::default())
            .await
            .unwrap();
    assert_eq!(next.external_id, "pve2/lxc/101");
    s.no_violations();
}

/// Issue 15, item 1: `local` is per node; an archive downloaded to one node is not on the others.
#[tokio::test]
async fn an_archive_container_goes_only_to_a_node_that_has_the_archive() {
    let s = Setup::new().await;
    let alpine = "local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz";
    {
        let mut c = s.sim.cluster();
        c.add_archive("pve1", alpine);
        // pve2 has more memory free: without the archive rule the container would go there.
        c.add_guest(
            500,
            pve_sim::state::Kind::Lxc,
            "pve1",
            false,
            &[("memory", "8192")],
        );
        c.guests.get_mut(&500).unwrap().running = true;
    }
    let on = |source: &str, id| vmportal_core::hypervisor::ProvisionSpec {
        source: source.into(),
        ..spec(id, MachineKind::Container)
    };
    let made =
        s.hv.provision(&on(alpine, 1), &Recorded::default())
            .await
            .unwrap();
    assert_eq!(made.external_id, "pve1/lxc/100");
    // The archive every node has goes where the memory is.
    let made =
        s.hv.provision(&on(common::ARCHIVE, 2), &Recorded::default())
            .await
            .unwrap();
    assert_eq!(made.external_id, "pve2/lxc/101");
    let nowhere = "local:vztmpl/fedora-41.tar.xz";
    match s.hv.provision(&on(nowhere, 3), &Recorded::default()).await {
        Err(HypervisorError::Permanent(m)) => assert_eq!(
            m,
            format!(
                "no node of pve1, pve2 has the OS template archive {nowhere} (download it with \
                 pveam on the nodes)"
            )
        ),
        other => panic!("{other:?}"),
    }
    s.no_violations();
}

#[tokio::test]
async fn a_taken_id_is_retried_with_a_fresh_one() {
    let s = Setup::new().await;
    s.sim.cluster().faults.steal_next_ids = 2;
    let made =
        s.hv.provision(&spec(3, MachineKind::Vm), &Recorded::default())
            .await
            .unwrap();
    assert_eq!(
        made.external_id, "pve1/qemu/102",
        "100 and 101 were taken under its feet"
    );
    s.no_violations();
}

/// Issue 15, item 2: a QEMU clone writes its config inside its task, so `nextid` offers the same
/// id to two builds at once, and an id taken during the clone fails the task.
#[tokio::test]
async fn vm_ids_are_reserved_in_the_portal_and_an_id_taken_during_the_clone_is_retried() {
    let s = Setup::new().await;
    let (specs, progress) = (
        [spec(1, MachineKind::Vm), spec(2, MachineKind::Vm)],
        Recorded::default(),
    );
    let (a, b) = tokio::join!(
        s.hv.provision(&specs[0], &progress),
        s.hv.provision(&specs[1], &progress)
    );
    let mut ids = [a.unwrap().external_id, b.unwrap().external_id];
    ids.sort();
    assert_eq!(ids, ["pve1/qemu/100", "pve1/qemu/101"]);
    // A container takes the id while the clone runs: the task fails, a fresh id is tried.
    s.sim.cluster().faults.steal_cloned_ids = 1;
    let made =
        s.hv.provision(&spec(3, MachineKind::Vm), &Recorded::default())
            .await
            .unwrap();
    assert_eq!(made.external_id, "pve1/qemu/103");
    let cluster = s.sim.cluster();
    let failed = cluster
        .tasks
        .iter()
        .filter(|t| t.kind == "qmclone" && t.exitstatus.as_deref() != Some("OK"));
    let failed: Vec<_> = failed.map(|t| t.exitstatus.clone().unwrap()).collect();
    assert_eq!(
        failed,
        [
            "close (rename) atomic file '/etc/pve/nodes/pve1/qemu-server/102.conf' failed: File exists"
        ]
    );
    assert_eq!(cluster.guests[&102].name(), "someone-else");
    drop(cluster);
    s.no_violations();
}

/// Issue 15, item 4: `PUT .../cloudinit` does nothing without a cloud-init drive, so such a
/// template would give VMs their owner cannot sign in to.
#[tokio::test]
async fn a_vm_template_without_a_cloud_init_drive_is_refused_with_why() {
    let s = Setup::new().await;
    let vm = [
        ("name", "no-cloud-init"),
        ("scsi0", "local-lvm:base-9003-disk-0,size=4G"),
        ("ide2", "local:iso/debian-12.iso,media=cdrom"),
    ];
    s.sim
        .cluster()
        .add_guest(9003, pve_sim::state::Kind::Qemu, "pve1", true, &vm);
    let bare = vmportal_core::hypervisor::ProvisionSpec {
        source: "9003".into(),
        ..spec(1, MachineKind::Vm)
    };
    let why = "QEMU template 9003 on pve1 has no cloud-init drive, so its clones' owners could \
               not sign in; add one (qm set 9003 --ide2 STORAGE:cloudinit)";
    match s.hv.provision(&bare, &Recorded::default()).await {
        Err(HypervisorError::Permanent(m)) => assert_eq!(m, why),
        other => panic!("{other:?}"),
    }
    assert!(
        !s.sim.cluster().tasks.iter().any(|t| t.kind == "qmclone"),
        "nothing was cloned"
    );
    assert_eq!(
        s.hv.check_source(MachineKind::Vm, "9003").await,
        Err(HypervisorError::Permanent(why.into()))
    );
    assert_eq!(s.hv.check_source(MachineKind::Vm, "9001").await, Ok(()));
    s.no_violations();
}

/// Issue 15, item 5: only the guest's own missing config means the guest is gone; a start that
/// fails on a missing bridge is a permanent failure that removes what the build made.
#[tokio::test]
async fn a_missing_bridge_is_not_a_missing_guest() {
    let s = Setup::new().await;
    let vm = [
        ("name", "on-vmbr1"),
        ("scsi0", "local-lvm:base-9004-disk-0,size=4G"),
        ("ide2", "local-lvm:vm-9004-cloudinit,media=cdrom"),
        ("net0", "virtio=BC:24:11:00:00:04,bridge=vmbr1"),
    ];
    s.sim
        .cluster()
        .add_guest(9004, pve_sim::state::Kind::Qemu, "pve1", true, &vm);
    let on_vmbr1 = vmportal_core::hypervisor::ProvisionSpec {
        source: "9004".into(),
        ..spec(1, MachineKind::Vm)
    };
    match s.hv.provision(&on_vmbr1, &Recorded::default()).await {
        Err(HypervisorError::Permanent(m)) => {
            assert!(
                m.contains("task failed: bridge 'vmbr1' does not exist"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        s.sim.cluster().guests.len(),
        3,
        "the half-made clone was removed"
    );
    assert_eq!(
        s.hv.power("pve1/qemu/100").await,
        Err(HypervisorError::Gone)
    );
    s.no_violations();
}

/// Issue 15, item 6: PVE refuses to stop or shut down a container that is not running.
#[tokio::test]
async fn stopping_a_stopped_container_is_done() {
    let s = Setup::new().await;
    let made =
        s.hv.provision(&spec(1, MachineKind::Container), &Recorded::default())
            .await
            .unwrap();
    let id = made.external_id.as_str();
    s.hv.stop(id).await.unwrap();
    assert_eq!(s.hv.power(id).await.unwrap(), PowerState::Stopped);
    s.hv.stop(id).await.unwrap();
    s.hv.shutdown(id, Duration::from_secs(5)).await.unwrap();
    s.hv.delete(Some(id), &made.external_id).await.unwrap();
    s.no_violations();
}

#[tokio::test]
async fn a_failing_clone_reports_its_task_log_and_leaves_nothing() {
    let s = Setup::new().await;
    let why = "storage 'local-lvm' is full (13 GiB requested)";
    s.sim.cluster().faults.fail_task = Some(("qmclone".into(), why.into()));
    match s
        .hv
        .provision(&spec(4, MachineKind::Vm), &Recorded::default())
        .await
        .unwrap_err()
    {
        HypervisorError::Permanent(m) => {
            assert!(m.contains(&format!("task failed: {why}")), "{m}");
            assert!(
                m.contains(&format!("TASK ERROR: {why}")),
                "the log tail is in the message: {m}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        s.sim.cluster().guests.len(),
        2,
        "only the templates are left"
    );
    s.no_violations();
}

#[tokio::test]
async fn shutdown_falls_back_to_stop_and_delete_purges_idempotently() {
    let s = Setup::new().await;
    let made =
        s.hv.provision(&spec(5, MachineKind::Vm), &Recorded::default())
            .await
            .unwrap();
    let id = made.external_id.as_str();
    s.hv.reboot(id).await.unwrap();
    s.sim.cluster().faults.ignore_shutdown = true;
    s.hv.shutdown(id, Duration::from_secs(1)).await.unwrap();
    assert_eq!(s.hv.power(id).await.unwrap(), PowerState::Stopped);
    let stops = s
        .sim
        .cluster()
        .tasks
        .iter()
        .filter(|t| t.kind == "qmstop")
        .count();
    assert_eq!(stops, 1, "the ignored shutdown was followed by a hard stop");
    s.hv.start(id).await.unwrap();
    let guests = s.hv.guests("tst").await.unwrap();
    assert_eq!(guests.len(), 1);
    assert_eq!(
        (guests[0].machine, guests[0].power),
        (Some(MachineId(5)), PowerState::Running)
    );
    // Delete stops a running guest first and purges it; deleting again, or by name, succeeds.
    s.hv.delete(Some(id), "tst-5-box5").await.unwrap();
    assert!(!s.sim.cluster().guests.contains_key(&100));
    s.hv.delete(Some(id), "tst-5-box5").await.unwrap();
    s.hv.delete(None, "tst-5-box5").await.unwrap();
    assert_eq!(s.hv.power(id).await.unwrap_err(), HypervisorError::Gone);
    s.no_violations();
}

#[tokio::test]
async fn an_expired_token_is_named_in_the_error() {
    let s = Setup::new().await;
    s.sim.cluster().faults.token_expired = true;
    match s.hv.check().await.unwrap_err() {
        HypervisorError::Permanent(m) => assert!(m.contains("refused the API token"), "{m}"),
        other => panic!("{other:?}"),
    }
    s.no_violations();
}

#[tokio::test]
async fn transport_trouble_and_slow_tasks_are_transient_and_bad_parameters_are_named() {
    let s = Setup::new().await;
    // A fresh client opens a fresh connection, which the simulator drops after the handshake.
    s.sim
        .drop_connections
        .store(1, std::sync::atomic::Ordering::SeqCst);
    let fresh =
        ProxmoxHypervisor::new(config(&s.sim, None, Some(s.sim.fingerprint.clone()))).unwrap();
    match fresh.check().await.unwrap_err() {
        HypervisorError::Transient(m) => assert!(m.contains("cannot reach Proxmox VE"), "{m}"),
        other => panic!("{other:?}"),
    }
    s.sim.cluster().faults.errors_500 = 1;
    match s.hv.check().await.unwrap_err() {
        HypervisorError::Permanent(m) => {
            assert!(m.contains("answered 500: simulated server error"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    let made =
        s.hv.provision(&spec(6, MachineKind::Vm), &Recorded::default())
            .await
            .unwrap();
    s.sim.cluster().faults.task_time = Duration::from_secs(30);
    let mut impatient = config(&s.sim, None, Some(s.sim.fingerprint.clone()));
    impatient.task_timeout_secs = 1;
    let impatient = ProxmoxHypervisor::new(impatient).unwrap();
    match impatient.stop(&made.external_id).await.unwrap_err() {
        HypervisorError::Transient(m) => assert!(m.contains("did not finish in time"), "{m}"),
        other => panic!("{other:?}"),
    }
    s.no_violations();
    // No cores at all: the server's per-field message reaches the administrator, and the clone
    // made before the refusal is removed.
    s.sim.cluster().faults.task_time = Duration::from_millis(100);
    let mut bad = spec(7, MachineKind::Vm);
    bad.resources.cpus = 0;
    match s
        .hv
        .provision(&bad, &Recorded::default())
        .await
        .unwrap_err()
    {
        HypervisorError::Permanent(m) => {
            assert!(
                m.contains("refused the parameters (cores: value must have a minimum value of 1)"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !s.sim
            .cluster()
            .guests
            .values()
            .any(|g| g.name() == "tst-7-box7")
    );
    assert_eq!(
        s.sim.violations().len(),
        1,
        "the one bad request was counted"
    );
}

#[tokio::test]
async fn a_held_lock_is_worth_retrying() {
    let s = Setup::new().await;
    let made =
        s.hv.provision(&spec(9, MachineKind::Vm), &Recorded::default())
            .await
            .unwrap();
    s.hv.stop(&made.external_id).await.unwrap();
    s.sim.cluster().guests.get_mut(&100).unwrap().lock = Some("backup".into());
    match s.hv.start(&made.external_id).await.unwrap_err() {
        HypervisorError::Transient(m) => assert!(m.contains("VM is locked (backup)"), "{m}"),
        other => panic!("{other:?}"),
    }
    s.sim.cluster().guests.get_mut(&100).unwrap().running = true;
    match s.hv.stop(&made.external_id).await.unwrap_err() {
        HypervisorError::Transient(m) => assert!(m.contains("VM is locked (backup)"), "{m}"),
        other => panic!("{other:?}"),
    }
    s.sim.cluster().guests.get_mut(&100).unwrap().running = false;
    s.sim.cluster().guests.get_mut(&100).unwrap().lock = None;
    s.hv.start(&made.external_id).await.unwrap();
    s.no_violations();
}

/// Issue 15, item 7: servers before pve-http-server 5.2 give the message only in the status line.
#[tokio::test]
async fn an_error_message_only_in_the_reason_phrase_is_read() {
    let s = Setup::new().await;
    let made =
        s.hv.provision(&spec(1, MachineKind::Vm), &Recorded::default())
            .await
            .unwrap();
    s.hv.stop(&made.external_id).await.unwrap();
    {
        let mut c = s.sim.cluster();
        c.faults.reason_phrase_only = true;
        c.guests.get_mut(&100).unwrap().lock = Some("backup".into());
    }
    match s.hv.start(&made.external_id).await.unwrap_err() {
        HypervisorError::Transient(m) => {
            assert_eq!(m, "Proxmox VE answered 500: VM is locked (backup)")
        }
        other => panic!("{other:?}"),
    }
    s.no_violations();
}

/// Issue 15, item 9: an HA-managed guest's `hastart`/`hastop` tasks end when the HA manager has
/// the request, before the guest has changed; the agent of a stopped VM says `VM N is not
/// running`.
#[tokio::test]
async fn an_ha_managed_guest_is_waited_for_and_a_stopped_vm_has_no_address() {
    let s = Setup::new().await;
    let made =
        s.hv.provision(&spec(1, MachineKind::Vm), &Recorded::default())
            .await
            .unwrap();
    let id = made.external_id.as_str();
    s.sim.cluster().ha_managed.insert(100);
    s.hv.stop(id).await.unwrap();
    assert!(
        !s.sim.cluster().guests[&100].running,
        "stopped when stop returns"
    );
    let access =
        s.hv.access(id, vmportal_core::template::OsFamily::Linux)
            .await;
    assert_eq!(access.unwrap().address, None, "a stopped VM has no address");
    s.hv.start(id).await.unwrap();
    assert!(
        s.sim.cluster().guests[&100].running,
        "running when start returns"
    );
    s.hv.delete(Some(id), "tst-1-box1").await.unwrap();
    assert!(!s.sim.cluster().guests.contains_key(&100));
    let kinds: Vec<String> = s
        .sim
        .cluster()
        .tasks
        .iter()
        .map(|t| t.kind.clone())
        .collect();
    assert!(
        kinds.contains(&"hastop".into()) && kinds.contains(&"hastart".into()),
        "{kinds:?}"
    );
    s.no_violations();
}

/// Issue 15, item 9: `protection: 1` is copied from a template to its clones.
#[tokio::test]
async fn a_clone_of_a_protected_template_can_be_deleted() {
    let s = Setup::new().await;
    let template = s.sim.cluster().guests.get_mut(&9001).map(|g| {
        g.config.insert("protection".into(), "1".into());
    });
    assert!(template.is_some());
    let made =
        s.hv.provision(&spec(1, MachineKind::Vm), &Recorded::default())
            .await
            .unwrap();
    assert_eq!(s.sim.cluster().guests[&100].config["protection"], "1");
    s.hv.delete(Some(&made.external_id), "tst-1-box1")
        .await
        .unwrap();
    assert!(!s.sim.cluster().guests.contains_key(&100));
    assert!(
        s.sim.cluster().guests.contains_key(&9001),
        "the template stays"
    );
    s.no_violations();
}

/// Issue 15, item 9: before qemu-server 8.0.4 a VM's resize answered null, no task.
#[tokio::test]
async fn a_resize_answered_with_null_is_done() {
    let s = Setup::new().await;
    s.sim.cluster().faults.synchronous_resize = true;
    s.hv.provision(&spec(1, MachineKind::Vm), &Recorded::default())
        .await
        .unwrap();
    assert_eq!(
        s.sim.cluster().guests[&100].config["scsi0"],
        "local-lvm:base-9001-disk-0/vm-100-disk-0,size=12G"
    );
    assert!(!s.sim.cluster().tasks.iter().any(|t| t.kind == "resize"));
    s.no_violations();
}

/// Issue 15, item 9: the error ends a task log that may hold thousands of progress lines.
#[tokio::test]
async fn the_error_at_the_end_of_a_long_task_log_is_read() {
    let s = Setup::new().await;
    let why = "storage 'local-lvm' is full";
    {
        let mut c = s.sim.cluster();
        c.faults.progress_lines = 1500;
        c.faults.fail_task = Some(("qmclone".into(), why.into()));
    }
    match s
        .hv
        .provision(&spec(1, MachineKind::Vm), &Recorded::default())
        .await
        .unwrap_err()
    {
        HypervisorError::Permanent(m) => {
            assert!(m.contains(&format!("TASK ERROR: {why}")), "{m}");
            assert!(m.contains("transferred 1500 MiB of 1500 MiB"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    s.no_violations();
}

/// Reads exactly `n` bytes of a console.
async fn read(console: &mut ConsoleStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    console.read_exact(&mut buf).await.unwrap();
    buf
}

async fn write(console: &mut ConsoleStream, bytes: &[u8]) {
    console.write_all(bytes).await.unwrap();
    console.flush().await.unwrap();
}

/// Plays noVNC's part: the handshake (which must ask for no password), ClientInit, raw encoding,
/// one full update; answers the server's name and how many pixels of the picture are not black.
async fn look_at(console: &mut ConsoleStream) -> (String, usize) {
    assert_eq!(read(console, 12).await, b"RFB 003.008\n");
    write(console, b"RFB 003.008\n").await;
    assert_eq!(read(console, 2).await, [1, 1], "one security type: None");
    write(console, &[1]).await;
    assert_eq!(read(console, 4).await, [0, 0, 0, 0], "SecurityResult OK");
    write(console, &[1]).await;
    let init = read(console, 24).await;
    let (width, height) = (
        u16::from_be_bytes([init[0], init[1]]),
        u16::from_be_bytes([init[2], init[3]]),
    );
    assert_eq!(init[4], 32, "32 bits per pixel");
    let name_len = u32::from_be_bytes(init[20..24].try_into().unwrap());
    let name = String::from_utf8(read(console, name_len as usize).await).unwrap();
    let [w0, w1] = width.to_be_bytes();
    let [h0, h1] = height.to_be_bytes();
    write(console, &[2, 0, 0, 1, 0, 0, 0, 0]).await;
    write(console, &[3, 0, 0, 0, 0, 0, w0, w1, h0, h1]).await;
    let update = read(console, 4).await;
    assert_eq!((update[0], update[3]), (0, 1), "one rectangle");
    let rect = read(console, 12).await;
    assert_eq!(rect[8..], [0, 0, 0, 0], "raw encoding");
    let (w, h) = (
        u16::from_be_bytes([rect[4], rect[5]]) as usize,
        u16::from_be_bytes([rect[6], rect[7]]) as usize,
    );
    let pixels = read(console, w * h * 4).await;
    let lit = pixels.chunks(4).filter(|p| p[..3] != [0, 0, 0]).count();
    (name, lit)
}

#[tokio::test]
async fn a_console_is_authenticated_by_the_portal_and_asks_the_browser_for_nothing() {
    let s = Setup::new().await;
    let progress = Recorded::default();
    let vm = s.hv.provision(&spec(1, MachineKind::Vm), &progress).await;
    let ct =
        s.hv.provision(&spec(2, MachineKind::Container), &progress)
            .await;
    // The VNC password is generated by vncproxy; an older server's is the ticket itself.
    let ct = ct.unwrap();
    for (guest, older) in [(vm.unwrap(), false), (ct.clone(), false), (ct, true)] {
        s.sim.cluster().faults.vnc_ticket_as_password = older;
        let mut console = s.hv.console(&guest.external_id).await.unwrap();
        let (name, lit) = look_at(&mut console).await;
        assert_eq!(name, "QEMU");
        assert!(lit > 100, "{lit} pixels drawn");
    }
    // The websocket trusts the node as the API calls do: here by the pinned fingerprint.
    let pinned = config(&s.sim, None, Some(s.sim.fingerprint.clone()));
    let pinned = ProxmoxHypervisor::new(pinned).unwrap();
    let mut console = pinned.console("pve1/qemu/100").await.unwrap();
    assert_eq!(read(&mut console, 12).await, b"RFB 003.008\n");
    s.no_violations();
}

/// Issue 15, item 8: pveproxy closes the websocket on a client frame over 128 KiB; a clipboard
/// paste from the browser may be bigger.
#[tokio::test]
async fn a_large_browser_message_reaches_the_node_in_frames_it_accepts() {
    let s = Setup::new().await;
    let made =
        s.hv.provision(&spec(1, MachineKind::Vm), &Recorded::default())
            .await
            .unwrap();
    let mut console = s.hv.console(&made.external_id).await.unwrap();
    look_at(&mut console).await;
    // ClientCutText with 300 KiB of text, in one write.
    let text = vec![b'x'; 300 * 1024];
    let mut paste = vec![6, 0, 0, 0];
    paste.extend((text.len() as u32).to_be_bytes());
    paste.extend(&text);
    write(&mut console, &paste).await;
    // The console still answers: a full update of a 16x16 corner.
    write(&mut console, &[3, 0, 0, 0, 0, 0, 0, 16, 0, 16]).await;
    let update = read(&mut console, 4).await;
    assert_eq!((update[0], update[3]), (0, 1), "one rectangle");
    let rect = read(&mut console, 12).await;
    assert_eq!(rect[4..8], [0, 16, 0, 16]);
    read(&mut console, 16 * 16 * 4).await;
    s.no_violations();
}

#[tokio::test]
async fn a_console_that_cannot_open_says_why() {
    let s = Setup::new().await;
    let made =
        s.hv.provision(&spec(1, MachineKind::Vm), &Recorded::default())
            .await
            .unwrap();
    s.sim.cluster().faults.vnc_wait = Duration::ZERO;
    match s.hv.console(&made.external_id).await.err().unwrap() {
        HypervisorError::Permanent(m) => assert!(
            m.starts_with("Proxmox VE refused the console websocket (500): unable to connect"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    s.hv.stop(&made.external_id).await.unwrap();
    match s.hv.console(&made.external_id).await.err().unwrap() {
        HypervisorError::Permanent(m) => assert!(m.ends_with("VM 100 not running"), "{m}"),
        other => panic!("{other:?}"),
    }
    s.no_violations();
}

/// Ticket sign-in instead of an API token: `POST /access/ticket`, the ticket as a cookie, the
/// CSRF token on every call but GET, a new ticket when the old one is refused, and the console.
#[tokio::test]
async fn a_user_signs_in_with_a_ticket_where_there_is_no_token() {
    let s = Setup::new().await;
    let hv = s.provider(|c| {
        (c.token_id, c.token_secret) = (None, None);
        c.username = Some(pve_sim::USER.into());
        c.password = Some(vmportal_proxmox::Secret(pve_sim::PASSWORD.into()));
    });
    let made = hv
        .provision(&spec(1, MachineKind::Vm), &Recorded::default())
        .await
        .unwrap();
    let clone = s
        .sim
        .cluster()
        .tasks
        .iter()
        .find(|t| t.kind == "qmclone")
        .map(|t| t.user.clone());
    assert_eq!(
        clone.as_deref(),
        Some(pve_sim::USER),
        "the tasks are the user's"
    );
    let mut console = hv.console(&made.external_id).await.unwrap();
    assert_eq!(look_at(&mut console).await.0, "QEMU");
    // The ticket expires: the next call is refused once, signs in again and goes through.
    s.sim.cluster().faults.ticket_lifetime = Duration::from_millis(300);
    tokio::time::sleep(Duration::from_millis(400)).await;
    hv.stop(&made.external_id).await.unwrap();
    assert_eq!(
        hv.power(&made.external_id).await.unwrap(),
        PowerState::Stopped
    );
    // A wrong password is named in the error.
    let wrong = s.provider(|c| {
        (c.token_id, c.token_secret) = (None, None);
        c.username = Some(pve_sim::USER.into());
        c.password = Some(vmportal_proxmox::Secret("guess".into()));
    });
    match wrong.check().await.unwrap_err() {
        HypervisorError::Permanent(m) => assert!(
            m.ends_with("sign-in as vmportal@pve: authentication failure"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    // Both ways of signing in at once, or neither, is a settings error.
    let both = config(&s.sim, Some(s.dir.path().join("pve-root-ca.pem")), None);
    let both = vmportal_proxmox::ProxmoxConfig {
        username: Some("x@pve".into()),
        password: Some(vmportal_proxmox::Secret("y".into())),
        ..both
    };
    assert!(ProxmoxHypervisor::new(both).is_err());
    s.no_violations();
}
