//! The simulated cluster: nodes, storage, guests with their locks, and tasks that finish later.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Lxc,
    Qemu,
}

impl Kind {
    /// How the server names the kind in messages.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Lxc => "CT",
            Kind::Qemu => "VM",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Guest {
    pub vmid: u32,
    pub kind: Kind,
    pub node: String,
    pub template: bool,
    pub running: bool,
    pub lock: Option<String>,
    /// The guest's configuration as `GET .../config` shows it.
    pub config: BTreeMap<String, String>,
    /// Set at creation from an archive; not visible through the API, as on a real server.
    pub root_password: Option<String>,
    pub ssh_keys: Option<String>,
    /// The resource pool it was created in.
    pub pool: Option<String>,
    /// What `pct exec` ran in it, in order.
    pub execs: Vec<Exec>,
    /// A VM's cloud-init drive: the `ci*`, `sshkeys` and `ipconfig*` settings as they were when
    /// it was last regenerated (`PUT .../cloudinit`); `None` before that.
    pub cloud_init_drive: Option<BTreeMap<String, String>>,
    /// Oldest first.
    pub snapshots: Vec<Snapshot>,
}

/// A snapshot: the config it restores, and whether it holds a QEMU guest's memory.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub name: String,
    pub description: String,
    pub vmstate: bool,
    pub snaptime: u64,
    pub config: BTreeMap<String, String>,
    pub parent: Option<String>,
}

/// One `pct exec VMID -- ARGS` with what it read on its standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exec {
    pub args: Vec<String>,
    pub stdin: String,
}

/// A storage as `storage.cfg` defines it: present on every node; a shared one holds the same
/// volumes everywhere, so guests on it can be cloned or moved to another node.
#[derive(Debug, Clone)]
pub struct Storage {
    pub id: String,
    pub shared: bool,
}

impl Guest {
    pub fn name(&self) -> &str {
        let key = if self.kind == Kind::Lxc {
            "hostname"
        } else {
            "name"
        };
        self.config.get(key).map_or("", String::as_str)
    }
}

type Effect = Box<dyn FnOnce(&mut Cluster) + Send>;
/// What a task does when its time comes; an error fails the task with that message (written to
/// its log as `TASK ERROR: ...`), as a `die` inside a worker does.
type Work = Box<dyn FnOnce(&mut Cluster) -> Result<(), String> + Send>;

pub struct Task {
    pub upid: String,
    pub node: String,
    pub kind: String,
    pub id: String,
    pub user: String,
    pub pid: u32,
    pub pstart: u32,
    pub starttime: u64,
    pub started_at: Instant,
    pub finish_at: Instant,
    /// `None` while running; then `OK` or the error.
    pub exitstatus: Option<String>,
    failure: Option<String>,
    pub log: Vec<String>,
    on_ok: Option<Work>,
    on_fail: Option<Effect>,
}

/// A console proxy made by `vncproxy`, waiting for its one websocket.
#[derive(Debug, Clone)]
pub struct VncProxy {
    pub node: String,
    pub vmid: u32,
    pub port: u16,
    pub ticket: String,
    /// What the VNC server takes as its password: the generated one, or the ticket.
    pub password: String,
    issued: Instant,
    used: bool,
}

/// Why a console websocket was refused: HTTP status and message.
pub type Refusal = (u16, String);

/// Faults a test turns on.
#[derive(Debug, Default)]
pub struct Faults {
    /// The next task of this type (`vzclone`, `qmstart`, ...) fails with this message.
    pub fail_task: Option<(String, String)>,
    /// How long tasks run.
    pub task_time: Duration,
    /// Answer the next N requests with a 500.
    pub errors_500: usize,
    /// Answer errors as servers before pve-http-server 5.2 do: the message only in the HTTP
    /// reason phrase.
    pub reason_phrase_only: bool,
    /// A VM's resize answers null when done, as qemu-server before 8.0.4 did, not a task.
    pub synchronous_resize: bool,
    /// Tasks write this many progress lines to their log before they end.
    pub progress_lines: usize,
    /// `vncproxy` answers no password and the VNC server takes the ticket, as older servers did.
    pub vnc_ticket_as_password: bool,
    /// How long a sign-in ticket is good for (two hours on a real cluster).
    pub ticket_lifetime: Duration,
    /// Refuse the token as expired.
    pub token_expired: bool,
    /// After answering `nextid`, someone else creates that id at once (N times).
    pub steal_next_ids: usize,
    /// After accepting a QEMU clone, someone else creates a container with its new id at once,
    /// before the clone's worker writes the config (N times).
    pub steal_cloned_ids: usize,
    /// Guests ignore ACPI shutdown requests (a shutdown without `forceStop` times out).
    pub ignore_shutdown: bool,
    /// The token lacks `Sys.Audit`: `GET /nodes` shows no memory figures.
    pub hide_node_memory: bool,
    /// How long the HA manager takes to act on a request (a round of its LRM).
    pub ha_delay: Duration,
    /// How long a VNC proxy waits for its websocket (10 s, as on a real node).
    pub vnc_wait: Duration,
}

/// The OS template archive every node has at the start.
pub const ARCHIVE: &str = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";

pub struct Cluster {
    pub nodes: Vec<String>,
    /// Memory of each node, in MiB; guests use what their config says while they run.
    pub node_memory_mib: u64,
    pub storages: Vec<Storage>,
    /// OS template archives (`local:vztmpl/...`) by the node that has them: on a storage that is
    /// not shared, each node has its own files (pve-storage: a `dir` storage is a directory of
    /// that node), so `pveam download` on one node leaves the others without the archive.
    pub archives: BTreeSet<(String, String)>,
    pub pools: Vec<String>,
    /// Guests under HA (`ha-manager add vm:N`): the HA manager starts and stops them.
    pub ha_managed: BTreeSet<u32>,
    pub guests: BTreeMap<u32, Guest>,
    pub tasks: Vec<Task>,
    pub faults: Faults,
    pub vnc_proxies: Vec<VncProxy>,
    next_pid: u32,
}

impl Cluster {
    /// Nodes `pve1` and `pve2` (16 GiB each) with storages `local`, `local-lvm` and the shared
    /// `ceph`, a pool `students`; on `pve1` a CT template 9000 and a VM template 9001.
    pub fn new() -> Cluster {
        let storage = |id: &str, shared| Storage {
            id: id.into(),
            shared,
        };
        let mut c = Cluster {
            nodes: vec!["pve1".into(), "pve2".into()],
            node_memory_mib: 16384,
            storages: vec![
                storage("local", false),
                storage("local-lvm", false),
                storage("ceph", true),
            ],
            archives: BTreeSet::new(),
            pools: vec!["students".into()],
            ha_managed: BTreeSet::new(),
            guests: BTreeMap::new(),
            tasks: Vec::new(),
            faults: Faults {
                task_time: Duration::from_millis(150),
                vnc_wait: Duration::from_secs(10),
                ha_delay: Duration::from_secs(1),
                ticket_lifetime: Duration::from_secs(2 * 3600),
                ..Faults::default()
            },
            vnc_proxies: Vec::new(),
            next_pid: 0x1000,
        };
        let ct = [
            ("hostname", "debian-12-ct"),
            ("cores", "1"),
            ("memory", "512"),
            ("swap", "512"),
            ("ostype", "debian"),
            ("rootfs", "local-lvm:base-9000-disk-0,size=4G"),
            ("net0", "name=eth0,bridge=vmbr0,ip=dhcp,type=veth"),
        ];
        c.add_guest(9000, Kind::Lxc, "pve1", true, &ct);
        let vm = [
            ("name", "debian-12-vm"),
            ("cores", "1"),
            ("memory", "1024"),
            ("agent", "1"),
            ("scsi0", "local-lvm:base-9001-disk-0,size=4G"),
            ("ide2", "local-lvm:vm-9001-cloudinit,media=cdrom"),
            ("net0", "virtio=BC:24:11:00:00:01,bridge=vmbr0"),
        ];
        c.add_guest(9001, Kind::Qemu, "pve1", true, &vm);
        for node in ["pve1", "pve2"] {
            c.add_archive(node, ARCHIVE);
        }
        c
    }

    /// An archive downloaded to `node` (`pveam download`); on shared storage, on every node.
    pub fn add_archive(&mut self, node: &str, volid: &str) {
        let storage = volid.split(':').next().unwrap_or_default();
        let nodes = match self.storage(storage) {
            Some(s) if s.shared => self.nodes.clone(),
            _ => vec![node.to_string()],
        };
        for n in nodes {
            self.archives.insert((n, volid.to_string()));
        }
    }

    /// Whether `node` can read the archive `volid`.
    pub fn has_archive(&self, node: &str, volid: &str) -> bool {
        self.archives
            .contains(&(node.to_string(), volid.to_string()))
    }

    pub fn add_guest(
        &mut self,
        vmid: u32,
        kind: Kind,
        node: &str,
        template: bool,
        config: &[(&str, &str)],
    ) {
        let mut config: BTreeMap<_, _> = config
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if template {
            config.insert("template".into(), "1".into());
        }
        let guest = Guest {
            vmid,
            kind,
            node: node.into(),
            template,
            running: false,
            lock: None,
            config,
            root_password: None,
            ssh_keys: None,
            pool: None,
            execs: Vec::new(),
            cloud_init_drive: None,
            snapshots: Vec::new(),
        };
        self.guests.insert(vmid, guest);
    }

    pub fn next_free_id(&self) -> u32 {
        (100..)
            .find(|id| !self.guests.contains_key(id))
            .expect("a free id")
    }

    /// Memory in use on a node, in MiB: the host's own 2 GiB and its running guests'.
    pub fn node_used_mib(&self, node: &str) -> u64 {
        let guests = self.guests.values().filter(|g| g.node == node && g.running);
        2048 + guests
            .filter_map(|g| g.config.get("memory")?.parse::<u64>().ok())
            .sum::<u64>()
    }

    pub fn storage(&self, id: &str) -> Option<&Storage> {
        self.storages.iter().find(|s| s.id == id)
    }

    /// Another task (a backup, say) holds `lock` on a guest for `duration`, then releases it.
    pub fn hold_lock(&mut self, vmid: u32, lock: &str, duration: Duration) -> String {
        let g = self.guests.get_mut(&vmid).expect("a guest to lock");
        g.lock = Some(lock.into());
        let node = g.node.clone();
        let release = move |c: &mut Cluster| {
            if let Some(g) = c.guests.get_mut(&vmid) {
                g.lock = None;
            }
        };
        let upid = self.spawn(
            &node,
            "vzdump",
            &vmid.to_string(),
            "root@pam",
            release,
            |_| {},
        );
        let task = self.tasks.last_mut().expect("just spawned");
        task.finish_at = task.started_at + duration;
        upid
    }

    /// Starts a task; its effects apply when it finishes (`on_fail` when a fault makes it fail).
    pub fn spawn(
        &mut self,
        node: &str,
        kind: &str,
        id: &str,
        user: &str,
        on_ok: impl FnOnce(&mut Cluster) + Send + 'static,
        on_fail: impl FnOnce(&mut Cluster) + Send + 'static,
    ) -> String {
        let work = move |c: &mut Cluster| {
            on_ok(c);
            Ok(())
        };
        self.spawn_work(node, kind, id, user, work, on_fail)
    }

    /// Starts a task whose work may itself fail when it runs (`on_fail` then applies).
    pub fn spawn_work(
        &mut self,
        node: &str,
        kind: &str,
        id: &str,
        user: &str,
        work: impl FnOnce(&mut Cluster) -> Result<(), String> + Send + 'static,
        on_fail: impl FnOnce(&mut Cluster) + Send + 'static,
    ) -> String {
        self.next_pid += 1;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let (pid, pstart) = (self.next_pid, 0x0300_0000 + self.next_pid);
        let upid = format!("UPID:{node}:{pid:08X}:{pstart:08X}:{now:08X}:{kind}:{id}:{user}:");
        let failure = match &self.faults.fail_task {
            Some((k, message)) if k == kind => Some(message.clone()),
            _ => None,
        };
        if failure.is_some() {
            self.faults.fail_task = None;
        }
        self.tasks.push(Task {
            upid: upid.clone(),
            node: node.into(),
            kind: kind.into(),
            id: id.into(),
            user: user.into(),
            pid,
            pstart,
            starttime: now,
            started_at: Instant::now(),
            finish_at: Instant::now() + self.faults.task_time,
            exitstatus: None,
            failure,
            log: std::iter::once(format!("starting {kind} task for {id}"))
                .chain(
                    (1..=self.faults.progress_lines).map(|i| {
                        format!("transferred {i} MiB of {} MiB", self.faults.progress_lines)
                    }),
                )
                .collect(),
            on_ok: Some(Box::new(work)),
            on_fail: Some(Box::new(on_fail)),
        });
        upid
    }

    /// Finishes the tasks whose time has come, in the order they were started.
    pub fn tick(&mut self) {
        let now = Instant::now();
        let due: Vec<usize> = (0..self.tasks.len())
            .filter(|&i| self.tasks[i].exitstatus.is_none() && self.tasks[i].finish_at <= now)
            .collect();
        for i in due {
            let task = &mut self.tasks[i];
            let (failure, work, on_fail) =
                (task.failure.take(), task.on_ok.take(), task.on_fail.take());
            let failure = match failure {
                Some(message) => Some(message),
                None => work.and_then(|work| work(self).err()),
            };
            let task = &mut self.tasks[i];
            match failure {
                Some(message) => {
                    task.log.push(message.clone());
                    task.log.push(format!("TASK ERROR: {message}"));
                    task.exitstatus = Some(message);
                    if let Some(on_fail) = on_fail {
                        on_fail(self);
                    }
                }
                None => {
                    task.log.push("TASK OK".into());
                    task.exitstatus = Some("OK".into());
                }
            }
        }
    }

    /// Whether two tasks of this type (`vzclone`, ...) ever ran at the same time.
    pub fn overlapping(&self, kind: &str) -> bool {
        let mut spans: Vec<_> = self
            .tasks
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| (t.started_at, t.finish_at))
            .collect();
        spans.sort();
        spans.windows(2).any(|w| w[1].0 < w[0].1)
    }

    pub fn task(&self, upid: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.upid == upid)
    }

    fn vnc_waiting(&self, p: &VncProxy) -> bool {
        !p.used && p.issued.elapsed() < self.faults.vnc_wait
    }

    /// A VNC proxy for a guest on a free port of 5900-5999, with `password` or else the ticket
    /// as its VNC password. `None` when every port is taken.
    pub fn add_vnc_proxy(
        &mut self,
        node: &str,
        vmid: u32,
        ticket: String,
        password: Option<String>,
    ) -> Option<&VncProxy> {
        let busy: Vec<u16> = self
            .vnc_proxies
            .iter()
            .filter(|p| self.vnc_waiting(p))
            .map(|p| p.port)
            .collect();
        let port = (5900..=5999).find(|p| !busy.contains(p))?;
        self.vnc_proxies.retain(|p| p.port != port);
        self.vnc_proxies.push(VncProxy {
            node: node.into(),
            vmid,
            port,
            password: password.unwrap_or_else(|| ticket.clone()),
            ticket,
            issued: Instant::now(),
            used: false,
        });
        self.vnc_proxies.last()
    }

    /// The proxy a websocket asks for, which then serves no other: the ticket must be one
    /// vncproxy gave for this guest, and its proxy still waiting on `port`.
    pub fn take_vnc_proxy(
        &mut self,
        node: &str,
        vmid: u32,
        port: u16,
        ticket: &str,
    ) -> Result<VncProxy, Refusal> {
        let Some(i) = self
            .vnc_proxies
            .iter()
            .position(|p| p.ticket == ticket && p.node == node && p.vmid == vmid)
        else {
            return Err((401, "permission denied - invalid vnc ticket".into()));
        };
        let p = &self.vnc_proxies[i];
        if p.port != port || !self.vnc_waiting(p) {
            return Err((
                500,
                format!("unable to connect to VNC server on port {port}: connection refused"),
            ));
        }
        self.vnc_proxies[i].used = true;
        Ok(self.vnc_proxies[i].clone())
    }
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster::new()
    }
}
