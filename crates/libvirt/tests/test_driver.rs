//! The provider on libvirt's in-memory `test:///default` driver: fast, no daemon. The test driver
//! cannot upload volumes (the seed), so building a machine is proven on the real daemon by
//! `crates/vmportal/tests/kvm.rs`; here, the failures that stop before that.

use vmportal_core::{
    hypervisor::{Hypervisor, HypervisorError, PowerState, Progress, ProvisionSpec},
    ids::MachineId,
    names::Hostname,
    resources::Resources,
    template::{MachineKind, OsFamily},
};
use vmportal_libvirt::{LibvirtConfig, LibvirtHypervisor};

struct Ignored;

impl Progress for Ignored {
    fn report(&self, _: i64, _: &str) {}
}

fn provider() -> LibvirtHypervisor {
    LibvirtHypervisor::new(LibvirtConfig::test_driver())
}

fn spec(id: i64, source: &str) -> ProvisionSpec {
    let name = Hostname::parse("name", &format!("box{id}")).unwrap();
    ProvisionSpec {
        machine: MachineId(id),
        guest_name: format!("tst-{id}-{name}"),
        name,
        kind: MachineKind::Vm,
        os_family: OsFamily::Linux,
        source: source.into(),
        resources: Resources {
            cpus: 1,
            memory_mib: 512,
            disk_gib: 2,
        },
        login_name: "alice".into(),
        password: "Secret12345".into(),
        ssh_public_key: None,
        locale: None,
    }
}

#[tokio::test]
async fn a_missing_base_volume_is_a_permanent_error_that_leaves_nothing() {
    let hv = provider();
    let err = hv
        .provision(&spec(2, "nowhere.qcow2"), &Ignored)
        .await
        .unwrap_err();
    match err {
        HypervisorError::Permanent(m) => assert!(
            m.contains("'nowhere.qcow2' is not in the storage pool 'default-pool'"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    let conn = virt::connect::Connect::open(Some("test:///default")).unwrap();
    let left = conn
        .lookup_storage_pool_by_name("default-pool")
        .unwrap()
        .list_volumes()
        .unwrap();
    assert!(!left.iter().any(|v| v.starts_with("tst-2-")), "{left:?}");
}

#[tokio::test]
async fn an_unreachable_libvirt_is_transient() {
    let hv = LibvirtHypervisor::new(LibvirtConfig {
        uri: "qemu+tcp://127.0.0.1:9/system".into(),
        ..LibvirtConfig::test_driver()
    });
    assert!(
        matches!(hv.check().await, Err(HypervisorError::Transient(m)) if m.contains("cannot reach libvirt"))
    );
}

/// Internal snapshots on the test driver: with memory while running, without once stopped; a
/// retried take keeps what is there; revert restores the power state; deleting twice succeeds.
#[tokio::test]
async fn snapshots_keep_the_power_state_and_retries_are_harmless() {
    let conn = virt::connect::Connect::open(Some("test:///default")).unwrap();
    let xml = "<domain type='test'><name>tst-snapshots</name><memory>65536</memory>\
               <vcpu>1</vcpu><os><type>hvm</type></os></domain>";
    let dom = conn.define_domain_xml(xml).unwrap();
    dom.create().unwrap();
    let id = dom.uuid_string().unwrap();
    let hv = provider();
    assert!(hv.take_snapshot(&id, "warm", "a & b").await.unwrap());
    assert!(
        hv.take_snapshot(&id, "warm", "again").await.unwrap(),
        "a retry finds the first"
    );
    hv.stop(&id).await.unwrap();
    assert!(!hv.take_snapshot(&id, "cold", "").await.unwrap());
    let listed = hv.snapshots(&id).await.unwrap();
    let names: Vec<_> = listed
        .iter()
        .map(|s| (s.name.as_str(), s.description.as_str(), s.with_memory))
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&("warm", "a & b", true)), "{names:?}");
    assert!(names.contains(&("cold", "", false)), "{names:?}");

    hv.revert_snapshot(&id, "warm").await.unwrap();
    assert_eq!(hv.power(&id).await.unwrap(), PowerState::Running);
    hv.revert_snapshot(&id, "cold").await.unwrap();
    assert_eq!(hv.power(&id).await.unwrap(), PowerState::Stopped);
    assert!(matches!(
        hv.revert_snapshot(&id, "nothing").await,
        Err(HypervisorError::Permanent(m)) if m.contains("'nothing' does not exist")
    ));

    hv.delete_snapshot(&id, "warm").await.unwrap();
    hv.delete_snapshot(&id, "warm").await.unwrap();
    assert_eq!(hv.snapshots(&id).await.unwrap().len(), 1);
    dom.undefine_flags(virt::sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
        .unwrap();
}
