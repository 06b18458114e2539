//! A provider with two libvirt hosts: this machine's libvirtd (`qemu:///system`) and a second
//! account's session daemon reached over SSH (`qemu+ssh://tester@127.0.0.1:PORT/session`, a
//! private sshd on a loopback port, the account made by `scripts/test`). The guests are real QEMU
//! guests (TCG) on a tiny blank disk: they boot to "no bootable device", which is all a console
//! needs to speak. Needs root and libvirtd (scripts/libvirt-up.sh).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use virt::connect::Connect;
use vmportal_core::{
    hypervisor::{Hypervisor, HypervisorError, PowerState, Progress, ProvisionSpec},
    ids::MachineId,
    names::Hostname,
    resources::Resources,
    template::{MachineKind, OsFamily},
};
use vmportal_libvirt::{HostConfig, LibvirtConfig, LibvirtHypervisor, Network, SshConfig};

const SYSTEM: &str = "qemu:///system";

/// The tests take turns: each sizes host a's room from the memory its guests were given when it
/// starts, which a guest the other test defines meanwhile would take away.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
const SYSTEM_POOL: &str = "vmportal";
const REMOTE_USER: &str = "tester";

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

fn keygen(path: &Path) -> String {
    run(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "hosts-test", "-f"])
        .arg(path));
    let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
    public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The second host: sshd on a loopback port letting the portal's key in as `tester`, whose
/// session daemon libvirt starts through `virt-ssh-helper`, with a storage pool of its own.
struct RemoteHost {
    dir: tempfile::TempDir,
    port: u16,
    sshd: Option<Child>,
    key_file: PathBuf,
    known_hosts: PathBuf,
    pool: String,
}

impl RemoteHost {
    fn start(tag: &str) -> RemoteHost {
        run(Command::new("id").arg(REMOTE_USER)); // made by scripts/test
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // sshd reads authorized_keys as the account signing in.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        let host_key = keygen(&d.join("host_key"));
        let key_file = d.join("portal_key");
        let portal_key = keygen(&key_file);
        std::fs::write(d.join("authorized_keys"), format!("{portal_key}\n")).unwrap();
        let port = free_port();
        std::fs::write(
            d.join("sshd_config"),
            format!(
                "ListenAddress 127.0.0.1:{port}\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\n\
                 StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
                 AllowUsers {REMOTE_USER}\nPidFile none\nLogLevel VERBOSE\n",
                d = d.display()
            ),
        )
        .unwrap();
        let known_hosts = d.join("known_hosts");
        std::fs::write(&known_hosts, format!("[127.0.0.1]:{port} {host_key}\n")).unwrap();
        let mut host = RemoteHost {
            dir,
            port,
            sshd: None,
            key_file,
            known_hosts,
            pool: format!("hosts-test-{tag}-{}", std::process::id()),
        };
        host.start_sshd();
        let target = format!("/home/{REMOTE_USER}/pools/{}", host.pool);
        host.virsh(&["pool-define-as", &host.pool, "dir", "--target", &target]);
        host.virsh(&["pool-build", &host.pool]);
        host.virsh(&["pool-start", &host.pool]);
        host
    }

    fn start_sshd(&mut self) {
        let _ = std::fs::create_dir_all("/run/sshd");
        let d = self.dir.path();
        let log = std::fs::File::create(d.join("sshd.log")).unwrap();
        let mut sshd = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(d.join("sshd_config"))
            .stdin(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("Debian's openssh-server");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                sshd.try_wait().unwrap().is_none(),
                "sshd exited: {}",
                self.log()
            );
            assert!(Instant::now() < deadline, "sshd did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        self.sshd = Some(sshd);
    }

    fn stop_sshd(&mut self) {
        if let Some(mut sshd) = self.sshd.take() {
            let _ = sshd.kill();
            let _ = sshd.wait();
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    fn uri(&self) -> String {
        format!("qemu+ssh://{REMOTE_USER}@127.0.0.1:{}/session", self.port)
    }

    fn ssh(&self) -> SshConfig {
        SshConfig {
            key_file: self.key_file.clone(),
            known_hosts: self.known_hosts.clone(),
        }
    }

    /// The URI the provider opens for this host.
    fn libvirt_uri(&self) -> String {
        format!(
            "qemu+libssh://{REMOTE_USER}@127.0.0.1:{}/session?keyfile={}&known_hosts={}&known_hosts_verify=normal&sshauth=privkey",
            self.port,
            self.key_file.display(),
            self.known_hosts.display()
        )
    }

    fn virsh(&self, args: &[&str]) -> String {
        run(Command::new("virsh")
            .args(["-q", "-c", &self.libvirt_uri()])
            .args(args))
    }
}

impl Drop for RemoteHost {
    fn drop(&mut self) {
        if self.sshd.is_none() {
            self.start_sshd();
        }
        if let Ok(vols) = std::panic::catch_unwind(|| self.virsh(&["vol-list", &self.pool])) {
            for vol in vols.lines().filter_map(|l| l.split_whitespace().next()) {
                let _ = std::panic::catch_unwind(|| self.virsh(&["vol-delete", vol, &self.pool]));
            }
        }
        for step in ["pool-destroy", "pool-delete", "pool-undefine"] {
            let _ = std::panic::catch_unwind(|| self.virsh(&[step, &self.pool]));
        }
        self.stop_sshd();
    }
}

/// A blank qcow2 base volume in this machine's pool, removed at the end.
struct Base(String);

impl Base {
    fn make(tag: &str) -> Base {
        let name = format!("hosts-test-{tag}-{}.qcow2", std::process::id());
        run(Command::new("virsh").args([
            "-q",
            "-c",
            SYSTEM,
            "vol-create-as",
            SYSTEM_POOL,
            &name,
            "64M",
            "--format",
            "qcow2",
        ]));
        Base(name)
    }
}

impl Drop for Base {
    fn drop(&mut self) {
        let _ = Command::new("virsh")
            .args(["-q", "-c", SYSTEM, "vol-delete", &self.0, SYSTEM_POOL])
            .output();
    }
}

/// Memory already given to guests on a host, so the test's caps leave a known room whatever
/// else runs there.
fn given_mib(uri: &str) -> u64 {
    let conn = Connect::open(Some(uri)).unwrap();
    conn.list_all_domains(0)
        .unwrap()
        .iter()
        .map(|d| d.max_memory().unwrap() / 1024)
        .sum()
}

/// The provider, and b's memory cap.
fn provider(remote: &RemoteHost, room_a: u64, room_b: u64) -> (LibvirtHypervisor, u64) {
    let host = |name: &str, uri: String, pool: &str, memory_mib: u64, ports: u16| HostConfig {
        name: name.into(),
        uri,
        pool: Some(pool.into()),
        network: Some(Network::UserForward {
            first_port: ports,
            last_port: ports + 49,
        }),
        domain_type: Some("qemu".into()),
        memory_mib: Some(memory_mib),
    };
    let cap_a = given_mib(SYSTEM) + room_a;
    let cap_b = given_mib(&remote.libvirt_uri()) + room_b;
    let cfg = LibvirtConfig {
        uri: String::new(),
        hosts: vec![
            host("a", SYSTEM.into(), SYSTEM_POOL, cap_a, 24000),
            host("b", remote.uri(), &remote.pool, cap_b, 24050),
        ],
        ssh: Some(remote.ssh()),
        ..LibvirtConfig::test_driver()
    };
    cfg.validate().unwrap();
    (LibvirtHypervisor::new(cfg), cap_b)
}

#[derive(Default)]
struct Notes(Mutex<Vec<String>>);

impl Progress for Notes {
    fn report(&self, _: i64, message: &str) {
        self.0.lock().unwrap().push(message.to_owned());
    }
}

impl Notes {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

fn spec(id: i64, base: &Base) -> ProvisionSpec {
    let name = Hostname::parse("name", &format!("m{id}")).unwrap();
    ProvisionSpec {
        machine: MachineId(id),
        guest_name: format!("hoststest{}-{id}-{name}", std::process::id()),
        name,
        kind: MachineKind::Vm,
        os_family: OsFamily::Linux,
        source: base.0.clone(),
        resources: Resources {
            cpus: 1,
            memory_mib: 256,
            disk_gib: 1,
        },
        login_name: "maria".into(),
        password: "Secret-pass-1".into(),
        ssh_public_key: None,
        locale: None,
    }
}

/// Removes what the test made even when it fails half-way.
struct Guests(LibvirtHypervisor, Vec<(Option<String>, String)>);

impl Drop for Guests {
    fn drop(&mut self) {
        let (hv, guests) = (self.0.clone(), std::mem::take(&mut self.1));
        // Dropped inside the test's runtime, which cannot block on itself.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            for (id, name) in guests {
                let _ = rt.block_on(hv.delete(id.as_deref(), &name));
            }
        })
        .join()
        .unwrap();
    }
}

/// The guest's console speaks RFB first: its banner, through whatever path the provider takes.
async fn banner(hv: &LibvirtHypervisor, external_id: &str) -> String {
    let mut console = hv.console(external_id).await.expect("a console");
    let mut banner = [0; 12];
    tokio::time::timeout(Duration::from_secs(20), console.read_exact(&mut banner))
        .await
        .expect("a banner within 20 s")
        .unwrap();
    String::from_utf8_lossy(&banner).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn machines_are_placed_across_two_hosts_and_a_host_down_is_skipped() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let base = Base::make("placement");
    let mut remote = RemoteHost::start("placement");
    // b has more room than a: the first machine goes to b, which then has less than a.
    let (hv, cap_b) = provider(&remote, 1000, 1200);
    let mut made = Guests(hv.clone(), Vec::new());

    let notes = Notes::default();
    let first = spec(1, &base);
    made.1.push((None, first.guest_name.clone()));
    let one = hv
        .provision(&first, &notes)
        .await
        .unwrap_or_else(|e| panic!("{e:?}: {:?}", notes.take()));
    let said = notes.take();
    assert!(one.external_id.ends_with("@b"), "{}", one.external_id);
    assert_eq!(one.node.as_deref(), Some("b"));
    assert!(
        said.iter().any(|m| m.starts_with("placed on host b")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|m| m.starts_with(&format!("copying the base volume {} to host b", base.0))),
        "the base volume is copied on first use: {said:?}"
    );
    made.1[0].0 = Some(one.external_id.clone());
    // The guest runs under the second account's session daemon, with the base copied there.
    let listed = remote.virsh(&["list", "--name"]);
    assert!(listed.contains(&first.guest_name), "{listed}");
    assert!(remote.virsh(&["vol-list", &remote.pool]).contains(&base.0));

    let second = spec(2, &base);
    made.1.push((None, second.guest_name.clone()));
    let two = hv.provision(&second, &notes).await.unwrap();
    let said = notes.take();
    assert!(
        two.external_id.ends_with("@a"),
        "{} {said:?}",
        two.external_id
    );
    assert!(!said.iter().any(|m| m.starts_with("copying")), "{said:?}");
    made.1[1].0 = Some(two.external_id.clone());

    // Later actions go to each machine's host.
    for id in [&one.external_id, &two.external_id] {
        assert_eq!(hv.power(id).await.unwrap(), PowerState::Running, "{id}");
        assert_eq!(banner(&hv, id).await, "RFB 003.008\n", "{id}");
    }
    // Snapshots go to the machine's host too: they live in b's session daemon, not on a.
    let with_memory = hv
        .take_snapshot(&one.external_id, "s1", "on b")
        .await
        .unwrap();
    assert!(with_memory, "a running guest's snapshot holds its memory");
    let on_b = remote.virsh(&["snapshot-list", &first.guest_name, "--name"]);
    assert_eq!(on_b.trim(), "s1");
    let listed = hv.snapshots(&one.external_id).await.unwrap();
    assert_eq!(
        listed.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["s1"]
    );
    assert!(hv.snapshots(&two.external_id).await.unwrap().is_empty());
    hv.revert_snapshot(&one.external_id, "s1").await.unwrap();
    assert_eq!(
        hv.power(&one.external_id).await.unwrap(),
        PowerState::Running
    );
    hv.delete_snapshot(&one.external_id, "s1").await.unwrap();
    let on_b = remote.virsh(&["snapshot-list", &first.guest_name, "--name"]);
    assert_eq!(on_b.trim(), "");
    hv.stop(&one.external_id).await.unwrap();
    assert_eq!(
        hv.power(&one.external_id).await.unwrap(),
        PowerState::Stopped
    );
    hv.start(&one.external_id).await.unwrap();

    let hosts = hv.hosts().await;
    assert_eq!(hosts.len(), 2);
    for h in &hosts {
        assert!(h.reachable, "{h:?}");
        assert!(h.guests.unwrap() >= 1, "{h:?}");
        assert!(h.free_disk_gib.unwrap() > 0, "{h:?}");
    }
    // What libvirt reports for the guest (its 256 MiB, rounded as QEMU sizes it) is counted.
    assert_eq!(
        hosts[1].free_memory_mib,
        Some(cap_b - given_mib(&remote.libvirt_uri()))
    );
    assert!(hosts[1].free_memory_mib < Some(1200 - 255));
    let guests = hv.guests(&format!("hoststest{}", std::process::id())).await;
    let mut ids: Vec<String> = guests.unwrap().into_iter().map(|g| g.external_id).collect();
    ids.sort();
    assert_eq!(ids, {
        let mut both = vec![one.external_id.clone(), two.external_id.clone()];
        both.sort();
        both
    });

    // b's sshd stops: b is reported down, and the next machine goes to a with a note saying why
    // b was skipped, though b has more room.
    hv.delete(Some(&one.external_id), &first.guest_name)
        .await
        .unwrap();
    made.1.remove(0);
    remote.stop_sshd();
    let hosts = hv.hosts().await;
    assert!(!hosts[1].reachable, "{:?}", hosts[1]);
    let third = spec(3, &base);
    made.1.push((None, third.guest_name.clone()));
    let three = hv.provision(&third, &notes).await.unwrap();
    let said = notes.take();
    assert!(three.external_id.ends_with("@a"), "{}", three.external_id);
    assert!(
        said.iter()
            .any(|m| m.starts_with("host b skipped: cannot reach libvirt on host b")),
        "{said:?}"
    );
    let last = made.1.len() - 1;
    made.1[last].0 = Some(three.external_id.clone());
    // Actions on a machine of a host that is down fail, to be retried.
    assert!(matches!(
        hv.power(&format!("{}@b", uuid_of(&one.external_id))).await,
        Err(HypervisorError::Transient(_))
    ));
}

fn uuid_of(external_id: &str) -> &str {
    external_id.split_once('@').unwrap().0
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_key_that_is_not_the_pinned_one_is_named_with_the_file() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let base = Base::make("hostkey");
    let remote = RemoteHost::start("hostkey");
    let impostor = remote.dir.path().join("impostor");
    let other_key = keygen(&impostor);
    let pinned = std::fs::read_to_string(&remote.known_hosts).unwrap();
    let wrong_file = remote.dir.path().join("known_hosts.wrong");
    std::fs::write(
        &wrong_file,
        format!("[127.0.0.1]:{} {other_key}\n", remote.port),
    )
    .unwrap();
    let cfg = LibvirtConfig {
        uri: String::new(),
        hosts: vec![
            HostConfig {
                name: "a".into(),
                uri: SYSTEM.into(),
                pool: Some(SYSTEM_POOL.into()),
                network: Some(Network::UserForward {
                    first_port: 24100,
                    last_port: 24149,
                }),
                domain_type: Some("qemu".into()),
                memory_mib: None,
            },
            HostConfig {
                name: "b".into(),
                uri: remote.uri(),
                pool: Some(remote.pool.clone()),
                network: None,
                domain_type: None,
                memory_mib: None,
            },
        ],
        ssh: Some(SshConfig {
            key_file: remote.key_file.clone(),
            known_hosts: wrong_file.clone(),
        }),
        ..LibvirtConfig::test_driver()
    };
    let hv = LibvirtHypervisor::new(cfg);
    let hosts = hv.hosts().await;
    let error = hosts[1].error.as_deref().unwrap_or_default();
    assert!(!hosts[1].reachable);
    assert!(
        error.contains(&format!("[127.0.0.1]:{}", remote.port))
            && error.contains(&wrong_file.display().to_string())
            && error.contains("not the one pinned"),
        "{error}"
    );
    assert!(
        matches!(hv.power("0e1f-not-there@b").await, Err(HypervisorError::Permanent(m)) if m.contains("not the one pinned")),
        "a key mismatch is for an administrator, not for retries"
    );
    // The placement notes it and goes elsewhere; the right file lets b in.
    let notes = Notes::default();
    let s = spec(9, &base);
    let made = Guests(hv.clone(), vec![(None, s.guest_name.clone())]);
    let built = made.0.provision(&s, &notes).await.unwrap();
    assert!(built.external_id.ends_with("@a"));
    assert!(
        notes
            .take()
            .iter()
            .any(|m| m.starts_with("host b skipped") && m.contains("not the one pinned")),
    );
    assert!(pinned.contains(&format!("[127.0.0.1]:{}", remote.port)));
    drop(made);
}
