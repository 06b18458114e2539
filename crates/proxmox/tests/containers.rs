//! Containers cloned from CT templates against the PVE simulator, with a real sshd per node whose
//! `pct` is the simulator's: placement, clones taking turns, the owner's login through
//! `pct exec`, and what goes wrong on the SSH side. Each test ends with zero schema violations.

mod common;

use common::{KEY, Recorded, Setup, spec, ssh_config};
use pve_sim::sshd::{NodeShells, keygen};
use pve_sim::state::Kind;
use std::time::Duration;
use vmportal_core::hypervisor::{Hypervisor, HypervisorError, Progress, ProvisionSpec};
use vmportal_core::template::MachineKind;
use vmportal_proxmox::{CloneMode, ProxmoxHypervisor};

/// The shell on the node must pass this through untouched.
const AWKWARD_KEY: &str = "ssh-ed25519 AAAAC3Nza+C1/NTE5 alice's \"laptop\" $(reboot) `id`; *";

fn cloned(id: i64) -> ProvisionSpec {
    ProvisionSpec {
        source: "9000".into(),
        ..spec(id, MachineKind::Container)
    }
}

/// An sshd for each node and a provider that reaches them.
fn with_ssh(
    s: &Setup,
    change: impl FnOnce(&mut vmportal_proxmox::ProxmoxConfig),
) -> (NodeShells, ProxmoxHypervisor) {
    let shells = NodeShells::start(&s.sim, &["pve1", "pve2"]);
    let hv = s.provider(|c| {
        c.ssh = Some(ssh_config(&shells));
        change(c);
    });
    (shells, hv)
}

/// Calls `f` at each progress step.
struct OnStep<F>(F);

impl<F: Fn(i64) + Send + Sync> Progress for OnStep<F> {
    fn report(&self, percent: i64, _: &str) {
        (self.0)(percent)
    }
}

fn permanent(e: HypervisorError) -> String {
    match e {
        HypervisorError::Permanent(m) => m,
        other => panic!("expected a permanent error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_ct_template_is_cloned_sized_started_and_its_owner_given_a_login() {
    let s = Setup::new().await;
    let (_shells, hv) = with_ssh(&s, |_| {});
    let mut spec = cloned(1);
    spec.ssh_public_key = Some(AWKWARD_KEY.into());
    let progress = Recorded::default();
    let made = hv.provision(&spec, &progress).await.unwrap();
    assert_eq!(made.external_id, "pve1/lxc/100");
    assert_eq!(made.access.address.as_deref(), Some("10.10.0.102"));
    assert_eq!(made.login_name, None, "the owner signs in as themselves");
    let steps: Vec<i64> = progress.0.lock().unwrap().iter().map(|(p, _)| *p).collect();
    assert_eq!(steps, [5, 10, 40, 60, 70, 80, 100]);
    {
        let cluster = s.sim.cluster();
        let g = &cluster.guests[&100];
        assert!(g.running);
        let config = |k: &str| g.config[k].as_str();
        assert_eq!(config("hostname"), "tst-1-box1");
        assert_eq!(
            (config("cores"), config("memory"), config("swap")),
            ("2", "2048", "512")
        );
        assert_eq!(config("net0"), "name=eth0,bridge=vmbr0,ip=dhcp,ip6=auto");
        assert_eq!(
            config("rootfs"),
            "local-lvm:base-9000-disk-0/vm-100-disk-0,size=12G",
            "a linked clone, grown to the request"
        );
        assert_eq!(g.execs.len(), 1);
        let exec = &g.execs[0];
        assert_eq!(exec.args[..2], ["sh", "-c"]);
        assert!(exec.args[2].contains("chpasswd"), "{}", exec.args[2]);
        assert_eq!(exec.args[3..], ["sh", "alice", AWKWARD_KEY]);
        assert_eq!(exec.stdin, "Secret 12345+\n", "the password comes on stdin");
        assert!(
            !exec.args.iter().any(|a| a.contains("Secret 12345+")),
            "never on a command line"
        );
        assert_eq!(g.root_password, None);
    }
    // A retried build finds the container and sets the login again (the script is idempotent).
    let again = hv.provision(&spec, &Recorded::default()).await.unwrap();
    assert_eq!(again.external_id, made.external_id);
    assert_eq!(s.sim.cluster().guests[&100].execs.len(), 2);
    assert_eq!(s.sim.cluster().guests.len(), 3);
    s.no_violations();
}

#[tokio::test]
async fn full_clones_and_archive_containers_join_the_pool_and_the_owner_gets_a_login() {
    let s = Setup::new().await;
    let (_shells, hv) = with_ssh(&s, |c| {
        c.clone = CloneMode::Full;
        c.pool = Some("students".into());
    });
    let made = hv
        .provision(&cloned(1), &Recorded::default())
        .await
        .unwrap();
    let from_archive = hv
        .provision(&spec(2, MachineKind::Container), &Recorded::default())
        .await
        .unwrap();
    assert_eq!(
        (made.external_id.as_str(), from_archive.external_id.as_str()),
        ("pve1/lxc/100", "pve2/lxc/101")
    );
    assert_eq!(
        from_archive.login_name, None,
        "SSH is set: the owner's own login"
    );
    let cluster = s.sim.cluster();
    let (clone, archive) = (&cluster.guests[&100], &cluster.guests[&101]);
    assert_eq!(clone.config["rootfs"], "local-lvm:vm-100-disk-0,size=12G");
    assert_eq!(clone.pool.as_deref(), Some("students"));
    assert_eq!(archive.pool.as_deref(), Some("students"));
    assert_eq!(archive.root_password.as_deref(), Some("Secret 12345+"));
    assert_eq!(archive.execs[0].args[3..], ["sh", "alice", KEY]);
    drop(cluster);
    s.no_violations();
}

#[tokio::test]
async fn placement_follows_free_memory_where_the_storage_reaches() {
    let s = Setup::new().await;
    let (shells, hv) = with_ssh(&s, |_| {});
    {
        let mut c = s.sim.cluster();
        let ct = [
            ("hostname", "shared-ct"),
            ("rootfs", "ceph:base-9002-disk-0,size=4G"),
        ];
        c.add_guest(9002, Kind::Lxc, "pve1", true, &ct);
        c.add_guest(
            500,
            Kind::Lxc,
            "pve1",
            false,
            &[("hostname", "busy"), ("memory", "8192")],
        );
        c.guests.get_mut(&500).unwrap().running = true;
    }
    // On shared storage the clone may go elsewhere: pve2 has more memory free.
    let shared = ProvisionSpec {
        source: "9002".into(),
        ..cloned(1)
    };
    let made = hv.provision(&shared, &Recorded::default()).await.unwrap();
    assert_eq!(made.external_id, "pve2/lxc/100");
    assert_eq!(
        s.sim.cluster().guests[&100].execs.len(),
        1,
        "pct ran on pve2, through pve2's sshd: {}",
        shells.node("pve2").log()
    );
    // A template on local storage can only be cloned where it is.
    let local = hv
        .provision(&cloned(2), &Recorded::default())
        .await
        .unwrap();
    assert_eq!(local.external_id, "pve1/lxc/101");
    // Not enough memory anywhere: worth retrying later.
    s.sim.cluster().node_memory_mib = 8192;
    match hv
        .provision(&cloned(3), &Recorded::default())
        .await
        .unwrap_err()
    {
        HypervisorError::Transient(m) => {
            assert!(m.starts_with("no node has 2048 MiB of memory free"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    s.sim.cluster().node_memory_mib = 16384;
    // A token that may not see the nodes' memory: the first node that reaches the storage.
    s.sim.cluster().faults.hide_node_memory = true;
    let unseen = ProvisionSpec {
        source: "9002".into(),
        ..cloned(5)
    };
    let made = hv.provision(&unseen, &Recorded::default()).await.unwrap();
    assert_eq!(made.external_id, "pve1/lxc/102");
    s.sim.cluster().faults.hide_node_memory = false;
    // A storage no node has is a setting to fix.
    let nowhere = s.provider(|c| c.storage = "nowhere".into());
    let m = permanent(
        nowhere
            .provision(&spec(4, MachineKind::Container), &Recorded::default())
            .await
            .unwrap_err(),
    );
    assert_eq!(m, "no node of pve1, pve2 reaches the storage nowhere");
    s.no_violations();
}

/// Issue 15, item 3: a full clone leaves the template's node only onto shared *target* storage.
#[tokio::test]
async fn a_full_clone_leaves_the_templates_node_only_onto_shared_target_storage() {
    let s = Setup::new().await;
    {
        let mut c = s.sim.cluster();
        let ct = [
            ("hostname", "shared-ct"),
            ("rootfs", "ceph:base-9002-disk-0,size=4G"),
        ];
        c.add_guest(9002, Kind::Lxc, "pve1", true, &ct);
        c.add_guest(
            500,
            Kind::Lxc,
            "pve1",
            false,
            &[("hostname", "busy"), ("memory", "8192")],
        );
        c.guests.get_mut(&500).unwrap().running = true;
    }
    let from_shared = |id| ProvisionSpec {
        source: "9002".into(),
        ..cloned(id)
    };
    // The template is on shared storage, the copy goes to local-lvm: on the template's node.
    let (_shells, hv) = with_ssh(&s, |c| c.clone = CloneMode::Full);
    let made = hv
        .provision(&from_shared(1), &Recorded::default())
        .await
        .unwrap();
    assert_eq!(made.external_id, "pve1/lxc/100");
    assert_eq!(
        s.sim.cluster().guests[&100].config["rootfs"],
        "local-lvm:vm-100-disk-0,size=12G"
    );
    // A full clone onto shared storage may go where the memory is, even from local storage.
    let (_shells, onto_ceph) = with_ssh(&s, |c| {
        c.clone = CloneMode::Full;
        c.storage = "ceph".into();
    });
    let made = onto_ceph
        .provision(&cloned(2), &Recorded::default())
        .await
        .unwrap();
    assert_eq!(made.external_id, "pve2/lxc/101");
    s.no_violations();
}

#[tokio::test]
async fn clones_of_one_template_take_turns() {
    let s = Setup::new().await;
    let (shells, hv) = with_ssh(&s, |_| {});
    s.sim.cluster().faults.task_time = Duration::from_millis(500);
    let (specs, progress) = (
        [cloned(1), cloned(2), cloned(3), cloned(4)],
        Recorded::default(),
    );
    let (a, b) = tokio::join!(
        hv.provision(&specs[0], &progress),
        hv.provision(&specs[1], &progress)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_ne!(a.external_id, b.external_id);
    {
        let cluster = s.sim.cluster();
        let clones = cluster.tasks.iter().filter(|t| t.kind == "vzclone");
        assert_eq!(clones.count(), 2);
        assert!(!cluster.overlapping("vzclone"), "the clones overlapped");
    }
    // Two portals do not know of each other: PVE's lock refuses the second, a retryable error.
    let other_portal = s.provider(|c| c.ssh = Some(ssh_config(&shells)));
    let (a, b) = tokio::join!(
        hv.provision(&specs[2], &progress),
        other_portal.provision(&specs[3], &progress)
    );
    let refused = [a, b]
        .into_iter()
        .filter_map(Result::err)
        .collect::<Vec<_>>();
    match refused.as_slice() {
        [HypervisorError::Transient(m)] => assert!(m.contains("CT is locked (disk)"), "{m}"),
        other => panic!("expected one clone refused by the lock: {other:?}"),
    }
    s.no_violations();
}

#[tokio::test]
async fn a_host_key_other_than_the_pinned_one_fails_the_build_and_removes_the_clone() {
    let s = Setup::new().await;
    let (shells, hv) = with_ssh(&s, |_| {});
    let impostor = s.dir.path().join("impostor");
    keygen(&impostor);
    let key = std::fs::read_to_string(impostor.with_extension("pub")).unwrap();
    std::fs::write(&shells.known_hosts, format!("pve1 {key}")).unwrap();
    let m = permanent(
        hv.provision(&cloned(1), &Recorded::default())
            .await
            .unwrap_err(),
    );
    assert!(m.contains("node pve1"), "{m}");
    assert!(m.contains("is not the one pinned in"), "{m}");
    assert!(m.contains("Host key verification failed"), "{m}");
    assert_eq!(
        s.sim.cluster().guests.len(),
        2,
        "only the templates are left"
    );
    s.no_violations();
}

#[tokio::test]
async fn a_container_gone_before_its_login_is_set_fails_the_build() {
    let s = Setup::new().await;
    let (_shells, hv) = with_ssh(&s, |_| {});
    // Someone deletes it behind the portal's back, right before the login step.
    let sim = &s.sim;
    let vanish = OnStep(|percent| {
        if percent == 70 {
            sim.cluster().guests.remove(&100);
        }
    });
    let m = permanent(hv.provision(&cloned(1), &vanish).await.unwrap_err());
    assert!(m.contains("container 100 on node pve1"), "{m}");
    assert!(m.contains("the container is not there"), "{m}");
    assert!(
        m.contains("'nodes/pve1/lxc/100.conf' does not exist"),
        "{m}"
    );
    s.no_violations();
}

#[tokio::test]
async fn without_ssh_a_ct_template_is_not_cloned_and_an_archive_container_is_roots() {
    let s = Setup::new().await;
    let m = permanent(
        s.hv.provision(&cloned(1), &Recorded::default())
            .await
            .unwrap_err(),
    );
    assert!(m.contains("no [ssh] settings"), "{m}");
    assert!(
        !s.sim.cluster().tasks.iter().any(|t| t.kind == "vzclone"),
        "nothing was cloned"
    );
    let made =
        s.hv.provision(&spec(2, MachineKind::Container), &Recorded::default())
            .await
            .unwrap();
    assert_eq!(made.login_name.as_deref(), Some("root"));
    s.no_violations();
}

#[tokio::test]
async fn a_failing_clone_and_a_lock_held_by_another_task() {
    let s = Setup::new().await;
    let (_shells, hv) = with_ssh(&s, |_| {});
    let why = "storage 'local-lvm' is full";
    s.sim.cluster().faults.fail_task = Some(("vzclone".into(), why.into()));
    let m = permanent(
        hv.provision(&cloned(1), &Recorded::default())
            .await
            .unwrap_err(),
    );
    assert!(m.contains(&format!("TASK ERROR: {why}")), "{m}");
    assert_eq!(
        s.sim.cluster().guests.len(),
        2,
        "only the templates are left"
    );
    // A backup holds the template: retry later, when it is done.
    s.sim
        .cluster()
        .hold_lock(9000, "backup", Duration::from_millis(500));
    match hv
        .provision(&cloned(1), &Recorded::default())
        .await
        .unwrap_err()
    {
        HypervisorError::Transient(m) => assert!(m.contains("CT is locked (backup)"), "{m}"),
        other => panic!("{other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    hv.provision(&cloned(1), &Recorded::default())
        .await
        .unwrap();
    s.no_violations();
}

/// The two-node scenario: each node's own `local` and `local-lvm`, the shared `ceph`, and
/// templates on each node. Placement follows the storage rules first, then the free memory;
/// clones cross nodes only onto shared storage.
#[tokio::test]
async fn two_nodes_with_local_and_shared_storage_and_templates_on_each() {
    let s = Setup::new().await;
    {
        let mut c = s.sim.cluster();
        let ct = |name: &'static str, disk: &'static str| [("hostname", name), ("rootfs", disk)];
        c.add_guest(
            9010,
            Kind::Lxc,
            "pve2",
            true,
            &ct("local-ct", "local-lvm:base-9010-disk-0,size=4G"),
        );
        c.add_guest(
            9012,
            Kind::Lxc,
            "pve2",
            true,
            &ct("shared-ct", "ceph:base-9012-disk-0,size=4G"),
        );
        let vm = [
            ("name", "vm-on-pve2"),
            ("agent", "1"),
            ("scsi0", "local-lvm:base-9011-disk-0,size=4G"),
            ("ide2", "local-lvm:vm-9011-cloudinit,media=cdrom"),
            ("net0", "virtio=BC:24:11:00:00:11,bridge=vmbr0"),
        ];
        c.add_guest(9011, Kind::Qemu, "pve2", true, &vm);
        // pve2 is the busier node: what may leave it, leaves it.
        c.node_memory_mib = 32768;
        c.add_guest(
            500,
            Kind::Lxc,
            "pve2",
            false,
            &[("hostname", "busy"), ("memory", "8192")],
        );
        c.guests.get_mut(&500).unwrap().running = true;
    }
    let from = |source: &str, id| ProvisionSpec {
        source: source.into(),
        ..cloned(id)
    };
    let (_shells, linked) = with_ssh(&s, |_| {});
    // Linked clones: of a template on local storage, on its node; of one on shared storage,
    // on the freer node (a clone with `target`).
    let (at, _) = placed(&linked, from("9010", 1)).await;
    assert!(at.starts_with("pve2/lxc/"), "{at}");
    let (at, vmid) = placed(&linked, from("9012", 2)).await;
    assert!(at.starts_with("pve1/lxc/"), "{at}");
    assert!(s.sim.cluster().guests[&vmid].config["rootfs"].starts_with("ceph:base-9012-disk-0/"));
    // A VM goes to its template's node; an archive container to the freer node with the archive.
    let vm = ProvisionSpec {
        source: "9011".into(),
        ..spec(3, MachineKind::Vm)
    };
    let (at, _) = placed(&linked, vm).await;
    assert!(at.starts_with("pve2/qemu/"), "{at}");
    let (at, _) = placed(&linked, spec(4, MachineKind::Container)).await;
    assert!(at.starts_with("pve1/lxc/"), "{at}");
    // Full clones onto shared storage leave the template's node, even from local storage;
    // onto local storage they stay.
    let (_shells, onto_ceph) = with_ssh(&s, |c| {
        c.clone = CloneMode::Full;
        c.storage = "ceph".into();
    });
    let (at, vmid) = placed(&onto_ceph, from("9010", 5)).await;
    assert!(at.starts_with("pve1/lxc/"), "{at}");
    assert_eq!(
        s.sim.cluster().guests[&vmid].config["rootfs"],
        format!("ceph:vm-{vmid}-disk-0,size=12G")
    );
    let (_shells, onto_local) = with_ssh(&s, |c| c.clone = CloneMode::Full);
    let (at, _) = placed(&onto_local, from("9012", 6)).await;
    assert!(at.starts_with("pve2/lxc/"), "{at}");
    s.no_violations();
}

/// Provisions `spec`: where it went, and its vmid.
async fn placed(hv: &ProxmoxHypervisor, spec: ProvisionSpec) -> (String, u32) {
    let made = hv.provision(&spec, &Recorded::default()).await.unwrap();
    let vmid: u32 = made
        .external_id
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (made.external_id, vmid)
}
