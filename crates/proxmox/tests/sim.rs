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
    s.sim.cluster().guests.get_mut(&100).unwrap().lock = None;
    s.hv.start(&made.external_id).await.unwrap();
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
    // A VM's VNC password is generated by vncproxy; a container's is its ticket.
    for guest in [vm.unwrap(), ct.unwrap()] {
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
