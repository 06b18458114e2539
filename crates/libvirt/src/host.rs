//! One libvirt host. The C library blocks, so every call runs on tokio's blocking pool with a
//! connection of its own: a libvirtd restart then costs one failed (and retried) step, not a
//! broken shared connection.

use crate::{
    config::{HostSettings, Network},
    domain::{self, DomainPlan},
    seed::Seed,
    ssh::{SshClient, Target},
};
use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use virt::{
    connect::Connect,
    domain::{Domain, DomainState},
    error::{Error as VirtError, ErrorNumber},
    storage_pool::StoragePool,
    storage_vol::StorageVol,
    stream::Stream,
    sys,
};
use vmportal_core::{
    hypervisor::{
        Access, ConsoleStream, Guest, HostStatus, HvResult, HypervisorError, PowerState, Progress,
        ProvisionSpec, Provisioned,
    },
    ids::MachineId,
    template::OsFamily,
};

const GIB: u64 = 1024 * 1024 * 1024;

const MIB: u64 = 1024 * 1024;
/// The defined XML, which libvirt gives without asking a running guest anything: the live one
/// waits for the guest's monitor (its balloon), which a busy guest may keep for long. Only the
/// VNC port (chosen at start) needs the live one.
const INACTIVE: u32 = sys::VIR_DOMAIN_XML_INACTIVE;

pub struct Host {
    pub cfg: HostSettings,
    /// Set for a host reached over SSH.
    ssh: Option<(Target, Arc<SshClient>)>,
    /// Choosing a forwarded port and defining the domain that uses it happen under this lock, so
    /// two provisions in this process never take the same port.
    ports: Mutex<()>,
    /// Copies of base volumes to this host, one at a time.
    bases: Mutex<()>,
}

/// What placement weighs: what a host can still give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub free_memory_mib: u64,
    pub free_disk_gib: u64,
    pub guests: u32,
    /// Whether the pool holds the base volume asked about.
    pub has_base: bool,
    /// Whether a guest of the name asked about is already there (an earlier attempt's).
    pub has_guest: bool,
}

/// Maps libvirt's errors: a missing domain is `Gone`; lost connections and unresponsive agents
/// are worth a retry; the rest is permanent.
pub(crate) fn classify(e: VirtError) -> HypervisorError {
    match e.code().into() {
        Ok(ErrorNumber::NoDomain) => HypervisorError::Gone,
        Ok(
            ErrorNumber::NoConnect
            | ErrorNumber::SystemError
            | ErrorNumber::Rpc
            | ErrorNumber::AgentUnresponsive
            | ErrorNumber::OperationTimeout
            | ErrorNumber::InternalError,
        ) => HypervisorError::Transient(e.message().to_owned()),
        _ => HypervisorError::Permanent(e.message().to_owned()),
    }
}

pub(crate) fn is(e: &VirtError, n: ErrorNumber) -> bool {
    Result::<ErrorNumber, _>::from(e.code()) == Ok(n)
}

impl Host {
    /// `cfg` passed `LibvirtConfig::validate`; `client` is the provider's SSH client.
    pub fn new(cfg: HostSettings, client: Option<Arc<SshClient>>) -> Host {
        let ssh = client
            .filter(|_| crate::ssh::is_ssh(&cfg.uri))
            .and_then(|client| Some((Target::parse(&cfg.uri).ok()?, client)));
        Host {
            cfg,
            ssh,
            ports: Mutex::new(()),
            bases: Mutex::new(()),
        }
    }

    pub fn open(&self) -> HvResult<Connect> {
        let uri = match &self.ssh {
            Some((target, client)) => target.libvirt_uri(client)?,
            None => self.cfg.uri.clone(),
        };
        Connect::open(Some(&uri)).map_err(|e| match &self.ssh {
            Some((target, ssh)) => target.connect_error(&self.cfg.name, ssh, e.message()),
            None => HypervisorError::Transient(format!(
                "cannot reach libvirt at {}: {}",
                self.cfg.uri,
                e.message()
            )),
        })
    }

    /// Runs `f` on the blocking pool with a fresh connection.
    pub async fn with<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Self, &Connect) -> HvResult<T> + Send + 'static,
    ) -> HvResult<T> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = this.open()?;
            f(&this, &conn)
        })
        .await
        .map_err(|e| HypervisorError::Transient(format!("libvirt call interrupted: {e}")))?
    }

    fn pool(&self, conn: &Connect) -> HvResult<StoragePool> {
        let pool = conn
            .lookup_storage_pool_by_name(&self.cfg.pool)
            .map_err(|e| {
                if is(&e, ErrorNumber::NoStoragePool) {
                    HypervisorError::Permanent(format!(
                        "the storage pool '{}' does not exist on {}",
                        self.cfg.pool, self.cfg.uri
                    ))
                } else {
                    classify(e)
                }
            })?;
        pool.refresh(0).map_err(classify)?;
        Ok(pool)
    }

    fn domain_type(&self, conn: &Connect) -> String {
        if let Some(t) = &self.cfg.domain_type {
            return t.clone();
        }
        if self.cfg.uri.starts_with("test:") {
            return "test".into();
        }
        // libvirt reports KVM wherever /dev/kvm opens, including paravirtual KVM modules that
        // cannot run a stock guest kernel; on this host, trust only the hardware modules.
        if self.cfg.is_local() {
            let hw = ["/sys/module/kvm_intel", "/sys/module/kvm_amd"]
                .iter()
                .any(|m| std::path::Path::new(m).exists());
            return if hw { "kvm" } else { "qemu" }.into();
        }
        match conn.domain_capabilities(None, Some("x86_64"), None, Some("kvm"), 0) {
            Ok(_) => "kvm".into(),
            Err(_) => "qemu".into(),
        }
    }

    fn guest_port(spec: &ProvisionSpec) -> u16 {
        match spec.os_family {
            OsFamily::Linux => 22,
            OsFamily::Windows => 3389,
        }
    }

    /// A loopback port in the configured range that no guest uses and nothing listens on.
    fn free_port(&self, conn: &Connect, first: u16, last: u16) -> HvResult<u16> {
        let used: Vec<u16> = conn
            .list_all_domains(0)
            .map_err(classify)?
            .iter()
            .filter_map(|d| d.xml_desc(INACTIVE).ok())
            .filter_map(|xml| domain::forward_port(&xml))
            .collect();
        (first..=last)
            .find(|p| !used.contains(p) && TcpListener::bind(("127.0.0.1", *p)).is_ok())
            .ok_or_else(|| {
                HypervisorError::Transient(format!(
                    "no free port left in {first}-{last} for a new machine"
                ))
            })
    }

    pub(crate) fn find(conn: &Connect, external_id: &str) -> HvResult<Domain> {
        conn.lookup_domain_by_uuid_string(external_id)
            .map_err(classify)
    }

    fn provision_blocking(
        &self,
        conn: &Connect,
        spec: &ProvisionSpec,
        progress: &dyn Progress,
    ) -> HvResult<Provisioned> {
        let name = spec.guest_name.clone();
        let (disk_name, seed_name) = volume_names(&name);
        let pool = self.pool(conn)?;
        let base = pool.lookup_storage_vol_by_name(&spec.source).map_err(|e| {
            if is(&e, ErrorNumber::NoStorageVolume) {
                HypervisorError::Permanent(format!(
                    "the template's base volume '{}' is not in the storage pool '{}' (removed, or the template's source is wrong)",
                    spec.source, self.cfg.pool
                ))
            } else {
                classify(e)
            }
        })?;

        progress.report(10, "creating the disk");
        if pool.lookup_storage_vol_by_name(&disk_name).is_err() {
            let base_path = base.path().map_err(classify)?;
            let base_size = base.info().map_err(classify)?.capacity;
            let size = spec.resources.disk_gib as u64 * GIB;
            if size < base_size {
                return Err(HypervisorError::Permanent(format!(
                    "the template's base image is {} GiB, more than the {} GiB asked for",
                    base_size.div_ceil(GIB),
                    spec.resources.disk_gib
                )));
            }
            StorageVol::create_xml(&pool, &domain::overlay_xml(&disk_name, size, &base_path), 0)
                .map_err(classify)?;
        }

        progress.report(30, "writing the cloud-init seed");
        let iso = Seed::for_spec(spec)
            .iso()
            .map_err(|e| HypervisorError::Permanent(e.to_string()))?;
        if let Ok(old) = pool.lookup_storage_vol_by_name(&seed_name) {
            old.delete(0).map_err(classify)?;
        }
        let seed = StorageVol::create_xml(
            &pool,
            &domain::raw_volume_xml(&seed_name, iso.len() as u64),
            0,
        )
        .map_err(classify)?;
        upload(conn, &seed, &iso)?;

        progress.report(45, "defining the machine");
        let dom = match conn.lookup_domain_by_name(&name) {
            Ok(dom) => dom,
            Err(e) if is(&e, ErrorNumber::NoDomain) => {
                self.define(conn, spec, &name, &disk_name, &seed_name)?
            }
            Err(e) => return Err(classify(e)),
        };

        progress.report(55, "starting");
        if !dom.is_active().map_err(classify)? {
            dom.create().map_err(classify)?;
        }
        let external_id = dom.uuid_string().map_err(classify)?;
        progress.report(60, "waiting for the guest to report its address");
        let deadline = Instant::now() + Duration::from_secs(self.cfg.boot_wait_secs);
        let mut access = self.access_of(&dom, Self::guest_port(spec))?;
        while access.address.is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_secs(2));
            let waited = self
                .cfg
                .boot_wait_secs
                .saturating_sub(deadline.saturating_duration_since(Instant::now()).as_secs());
            progress.report(
                60 + (35 * waited / self.cfg.boot_wait_secs.max(1)) as i64,
                "waiting for the guest to report its address",
            );
            access = self.access_of(&dom, Self::guest_port(spec))?;
        }
        Ok(Provisioned {
            external_id,
            node: conn.hostname().ok(),
            access,
            login_name: None,
        })
    }

    fn define(
        &self,
        conn: &Connect,
        spec: &ProvisionSpec,
        name: &str,
        disk: &str,
        seed: &str,
    ) -> HvResult<Domain> {
        let _guard = self.ports.lock().unwrap_or_else(|p| p.into_inner());
        let forward_port = match self.cfg.network {
            Network::UserForward {
                first_port,
                last_port,
            } => Some(self.free_port(conn, first_port, last_port)?),
            _ => None,
        };
        let domain_type = self.domain_type(conn);
        let xml = domain::domain_xml(&DomainPlan {
            name,
            machine_id: spec.machine.0,
            domain_type: &domain_type,
            memory_mib: spec.resources.memory_mib,
            cpus: spec.resources.cpus,
            pool: &self.cfg.pool,
            disk_volume: disk,
            seed_volume: seed,
            network: &self.cfg.network,
            forward_port,
            guest_port: Self::guest_port(spec),
        });
        conn.define_domain_xml(&xml).map_err(classify)
    }

    /// Where the owner connects: the forwarded loopback port, or the guest's own address.
    fn access_of(&self, dom: &Domain, guest_port: u16) -> HvResult<Access> {
        let address = guest_address(dom);
        let xml = dom.xml_desc(INACTIVE).map_err(classify)?;
        Ok(match domain::forward_port(&xml) {
            Some(port) => Access {
                address,
                host: Some("127.0.0.1".into()),
                port,
            },
            None => Access {
                host: address.clone(),
                address,
                port: guest_port,
            },
        })
    }

    fn delete_blocking(
        &self,
        conn: &Connect,
        external_id: Option<&str>,
        name: &str,
    ) -> HvResult<()> {
        let dom = match external_id {
            Some(id) => conn.lookup_domain_by_uuid_string(id),
            None => conn.lookup_domain_by_name(name),
        };
        match dom {
            Ok(dom) => {
                if dom.is_active().map_err(classify)? {
                    dom.destroy().map_err(classify)?;
                }
                let flags = sys::VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                    | sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
                // A driver without NVRAM support (the test driver) refuses that flag.
                match dom.undefine_flags(flags | sys::VIR_DOMAIN_UNDEFINE_NVRAM) {
                    Err(e) if is(&e, ErrorNumber::InvalidArg) => {
                        dom.undefine_flags(flags).map_err(classify)?
                    }
                    other => other.map_err(classify)?,
                }
            }
            Err(e) if is(&e, ErrorNumber::NoDomain) => {}
            Err(e) => return Err(classify(e)),
        }
        let pool = self.pool(conn)?;
        let (disk, seed) = volume_names(name);
        for vol in [disk, seed] {
            match pool.lookup_storage_vol_by_name(&vol) {
                Ok(v) => v.delete(0).map_err(classify)?,
                Err(e) if is(&e, ErrorNumber::NoStorageVolume) => {}
                Err(e) => return Err(classify(e)),
            }
        }
        Ok(())
    }
}

fn volume_names(guest: &str) -> (String, String) {
    (format!("{guest}.qcow2"), format!("{guest}-seed.iso"))
}

/// Streams `bytes` bytes of `from` (on `from_conn`) into `to` (on `to_conn`), telling `done` how
/// far it got; a full pipe on either side holds the other back.
fn stream_copy(
    from_conn: &Connect,
    from: &StorageVol,
    to_conn: &Connect,
    to: &StorageVol,
    bytes: u64,
    done: impl Fn(u64),
) -> HvResult<()> {
    let down = Stream::new(from_conn, 0).map_err(classify)?;
    from.download(&down, 0, bytes, 0).map_err(classify)?;
    let up = Stream::new(to_conn, 0).map_err(classify)?;
    to.upload(&up, 0, bytes, 0).map_err(classify)?;
    let mut buf = vec![0; 1 << 20];
    let (mut copied, mut told) = (0u64, 0u64);
    loop {
        let n = down.recv(&mut buf).map_err(classify)?;
        if n <= 0 {
            break; // 0: the end; a negative count cannot come from a blocking stream
        }
        let chunk = &buf[..n as usize];
        let mut sent = 0;
        while sent < chunk.len() {
            let m = up.send(&chunk[sent..]).map_err(classify)?;
            if m <= 0 {
                return Err(HypervisorError::Transient(
                    "the base volume upload stalled".into(),
                ));
            }
            sent += m as usize;
        }
        copied += chunk.len() as u64;
        if copied - told >= bytes / 20 {
            done(copied);
            told = copied;
        }
    }
    down.finish().map_err(classify)?;
    if copied != bytes {
        let _ = up.abort();
        return Err(HypervisorError::Transient(format!(
            "the base volume download ended after {copied} of {bytes} bytes"
        )));
    }
    up.finish().map_err(classify)
}

fn upload(conn: &Connect, vol: &StorageVol, data: &[u8]) -> HvResult<()> {
    let stream = Stream::new(conn, 0).map_err(classify)?;
    vol.upload(&stream, 0, data.len() as u64, 0)
        .map_err(classify)?;
    let mut sent = 0;
    while sent < data.len() {
        let n = stream.send(&data[sent..]).map_err(classify)?;
        if n <= 0 {
            return Err(HypervisorError::Transient("the seed upload stalled".into()));
        }
        sent += n as usize;
    }
    stream.finish().map_err(classify)
}

/// The guest's first IPv4 address other than loopback: from the guest agent, else from the
/// libvirt network's DHCP leases.
fn guest_address(dom: &Domain) -> Option<String> {
    [
        sys::VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT,
        sys::VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE,
    ]
    .into_iter()
    .filter_map(|source| dom.interface_addresses(source, 0).ok())
    .flatten()
    .filter(|i| i.name != "lo")
    .flat_map(|i| i.addrs)
    .map(|a| a.addr)
    .find(|a| {
        a.parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| !ip.is_loopback())
    })
}

fn power_of(dom: &Domain) -> HvResult<PowerState> {
    let (state, _) = dom.state().map_err(classify)?;
    Ok(match Result::<DomainState, _>::from(state) {
        Ok(DomainState::Running | DomainState::Blocked) => PowerState::Running,
        Ok(DomainState::Shutoff) => PowerState::Stopped,
        _ => PowerState::Other,
    })
}

/// The host's side of the provider's operations, by domain UUID.
impl Host {
    pub async fn check(self: &Arc<Self>) -> HvResult<String> {
        self.with(|this, conn| {
            let host = conn.hostname().map_err(classify)?;
            this.pool(conn)?;
            Ok(format!(
                "libvirt on {host}, {} guests, storage pool '{}'",
                this.domain_type(conn),
                this.cfg.pool
            ))
        })
        .await
    }

    /// What the host can still give, and whether it holds `base` and a guest named `guest`.
    pub async fn room(self: &Arc<Self>, base: &str, guest: &str) -> HvResult<Room> {
        let (base, guest) = (base.to_owned(), guest.to_owned());
        self.with(move |this, conn| {
            let pool = this.pool(conn)?;
            let domains = conn.list_all_domains(0).map_err(classify)?;
            // What the host has for guests (its memory, or the configured share of it) less
            // what its guests were given, running or not: free memory as the kernel counts it
            // would take the page cache for used, and a stopped guest's share for free.
            let total_mib = conn.node_info().map_err(classify)?.memory / 1024;
            let mut given = 0;
            for dom in &domains {
                given += dom.max_memory().map_err(classify)? / 1024;
            }
            let free_memory_mib = this
                .cfg
                .memory_mib
                .map_or(total_mib, |cap| cap.min(total_mib))
                .saturating_sub(given);
            Ok(Room {
                free_memory_mib,
                free_disk_gib: pool.info().map_err(classify)?.available / GIB,
                guests: domains.len() as u32,
                has_base: pool.lookup_storage_vol_by_name(&base).is_ok(),
                has_guest: domains.iter().any(|d| d.name().is_ok_and(|n| n == guest)),
            })
        })
        .await
    }

    /// The host as the Providers page shows it.
    pub async fn status(self: &Arc<Self>) -> HostStatus {
        let room = self.room("", "").await;
        HostStatus {
            name: self.cfg.name.clone(),
            reachable: room.is_ok(),
            error: room.as_ref().err().map(ToString::to_string),
            guests: room.as_ref().ok().map(|r| r.guests),
            free_memory_mib: room.as_ref().ok().map(|r| r.free_memory_mib),
            free_disk_gib: room.as_ref().ok().map(|r| r.free_disk_gib),
        }
    }

    /// Copies the base volume `name` from `source`'s pool into this host's (a storage-volume
    /// download and upload, streamed), reporting progress between `from` and `to` percent. It
    /// lands as `NAME.part` and becomes `NAME` by a copy on the host, so a copy cut short is
    /// never taken for the base.
    pub async fn copy_base_from(
        self: &Arc<Self>,
        source: Arc<Host>,
        name: &str,
        progress: Arc<dyn Progress>,
    ) -> HvResult<()> {
        let name = name.to_owned();
        self.with(move |this, conn| {
            let _copying = this.bases.lock().unwrap_or_else(|p| p.into_inner());
            let pool = this.pool(conn)?;
            if pool.lookup_storage_vol_by_name(&name).is_ok() {
                return Ok(()); // copied meanwhile
            }
            let from_conn = source.open()?;
            let from = source
                .pool(&from_conn)?
                .lookup_storage_vol_by_name(&name)
                .map_err(classify)?;
            let capacity = from.info().map_err(classify)?.capacity;
            let bytes = from
                .info_flags(sys::VIR_STORAGE_VOL_GET_PHYSICAL)
                .map_err(classify)?
                .allocation;
            let part_name = format!("{name}.part");
            if let Ok(stale) = pool.lookup_storage_vol_by_name(&part_name) {
                stale.delete(0).map_err(classify)?;
            }
            let part = StorageVol::create_xml(&pool, &domain::raw_volume_xml(&part_name, bytes), 0)
                .map_err(classify)?;
            let copied = stream_copy(&from_conn, &from, conn, &part, bytes, |done| {
                progress.report(
                    5 + (5 * done / bytes.max(1)) as i64,
                    &format!(
                        "copying the base volume {name} to host {} ({} of {} MiB)",
                        this.cfg.name,
                        done / MIB,
                        bytes / MIB
                    ),
                )
            })
            .and_then(|()| {
                // The pool then sees the upload's own format (qcow2).
                pool.refresh(0).map_err(classify)?;
                let part = pool
                    .lookup_storage_vol_by_name(&part_name)
                    .map_err(classify)?;
                StorageVol::create_xml_from(
                    &pool,
                    &domain::base_volume_xml(&name, capacity),
                    &part,
                    0,
                )
                .map_err(classify)
            });
            if let Ok(part) = pool.lookup_storage_vol_by_name(&part_name) {
                let _ = part.delete(0);
            }
            copied.map(drop)
        })
        .await
    }

    pub async fn provision(
        self: &Arc<Self>,
        spec: &ProvisionSpec,
        progress: Arc<dyn Progress>,
    ) -> HvResult<Provisioned> {
        let s = spec.clone();
        self.with(move |this, conn| {
            let result = this.provision_blocking(conn, &s, &*progress);
            if let Err(HypervisorError::Permanent(_)) = &result {
                // Leave nothing behind from a build that cannot succeed.
                if let Err(e) = this.delete_blocking(conn, None, &s.guest_name) {
                    tracing::warn!(guest = %s.guest_name, error = %e, "cleanup after a failed provision");
                }
            }
            result
        })
        .await
    }

    pub async fn start(self: &Arc<Self>, uuid: &str) -> HvResult<()> {
        let id = uuid.to_owned();
        self.with(move |_, conn| {
            let dom = Self::find(conn, &id)?;
            if !dom.is_active().map_err(classify)? {
                dom.create().map_err(classify)?;
            }
            Ok(())
        })
        .await
    }

    pub async fn shutdown(self: &Arc<Self>, uuid: &str, timeout: Duration) -> HvResult<()> {
        let id = uuid.to_owned();
        self.with(move |_, conn| {
            let dom = Self::find(conn, &id)?;
            if power_of(&dom)? == PowerState::Stopped {
                return Ok(());
            }
            // ACPI power button; a guest that ignores it is stopped hard after the timeout.
            if let Err(e) = dom.shutdown() {
                tracing::info!(error = %e.message(), "ACPI shutdown refused; stopping hard");
            }
            let deadline = Instant::now() + timeout;
            while Instant::now() < deadline {
                if power_of(&dom)? == PowerState::Stopped {
                    return Ok(());
                }
                std::thread::sleep(Duration::from_millis(500));
            }
            match dom.destroy() {
                Ok(()) => Ok(()),
                Err(e) if is(&e, ErrorNumber::OperationInvalid) => Ok(()), // stopped meanwhile
                Err(e) => Err(classify(e)),
            }
        })
        .await
    }

    pub async fn stop(self: &Arc<Self>, uuid: &str) -> HvResult<()> {
        let id = uuid.to_owned();
        self.with(move |_, conn| {
            let dom = Self::find(conn, &id)?;
            if dom.is_active().map_err(classify)? {
                dom.destroy().map_err(classify)?;
            }
            Ok(())
        })
        .await
    }

    pub async fn reboot(self: &Arc<Self>, uuid: &str) -> HvResult<()> {
        let id = uuid.to_owned();
        self.with(move |_, conn| Self::find(conn, &id)?.reboot(0).map_err(classify))
            .await
    }

    pub async fn delete(self: &Arc<Self>, uuid: Option<&str>, guest_name: &str) -> HvResult<()> {
        let (id, name) = (uuid.map(str::to_owned), guest_name.to_owned());
        self.with(move |this, conn| this.delete_blocking(conn, id.as_deref(), &name))
            .await
    }

    pub async fn power(self: &Arc<Self>, uuid: &str) -> HvResult<PowerState> {
        let id = uuid.to_owned();
        self.with(move |_, conn| power_of(&Self::find(conn, &id)?))
            .await
    }

    /// The domain's CPU time (`virDomainGetInfo`'s cpuTime, in nanoseconds).
    pub async fn cpu_time(self: &Arc<Self>, uuid: &str) -> HvResult<std::time::Duration> {
        let id = uuid.to_owned();
        self.with(move |_, conn| {
            let info = Self::find(conn, &id)?.info().map_err(classify)?;
            Ok(std::time::Duration::from_nanos(info.cpu_time))
        })
        .await
    }

    pub async fn access(self: &Arc<Self>, uuid: &str, os: OsFamily) -> HvResult<Access> {
        let id = uuid.to_owned();
        let port = match os {
            OsFamily::Linux => 22,
            OsFamily::Windows => 3389,
        };
        self.with(move |this, conn| this.access_of(&Self::find(conn, &id)?, port))
            .await
    }

    /// The guest's VNC server, which listens on the host's loopback: reached directly on this
    /// machine, through `ssh -W` on a host reached over SSH.
    pub async fn console(self: &Arc<Self>, uuid: &str) -> HvResult<ConsoleStream> {
        if self.ssh.is_none() && !self.cfg.is_local() {
            return Err(HypervisorError::Permanent(format!(
                "the console of host {} needs it reached over SSH (qemu+ssh://) or the portal \
                 on it: guests' VNC servers listen on its loopback only",
                self.cfg.name
            )));
        }
        let id = uuid.to_owned();
        let port = self
            .with(move |_, conn| {
                let xml = Self::find(conn, &id)?.xml_desc(0).map_err(classify)?;
                domain::vnc_port(&xml).ok_or_else(|| {
                    HypervisorError::Permanent("the machine is not running: no console".into())
                })
            })
            .await?;
        if let Some((target, ssh)) = &self.ssh {
            return target.open_tunnel(&self.cfg.name, ssh, port).await;
        }
        // QEMU's own VNC server, without a password: it speaks to the browser as it is.
        let vnc = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| {
                HypervisorError::Transient(format!("the guest's VNC server on port {port}: {e}"))
            })?;
        // Keystrokes and pointer moves must not wait for the acknowledgement of the previous ones.
        let _ = vnc.set_nodelay(true);
        Ok(Box::new(vnc))
    }

    pub async fn guests(self: &Arc<Self>, prefix: &str) -> HvResult<Vec<Guest>> {
        let prefix = format!("{prefix}-");
        self.with(move |_, conn| {
            let mut out = Vec::new();
            for dom in conn.list_all_domains(0).map_err(classify)? {
                let name = dom.name().map_err(classify)?;
                let machine = dom
                    .xml_desc(INACTIVE)
                    .ok()
                    .and_then(|x| domain::machine_id(&x))
                    .map(MachineId);
                if !name.starts_with(&prefix) {
                    continue; // another portal's, or nobody's
                }
                out.push(Guest {
                    external_id: dom.uuid_string().map_err(classify)?,
                    name,
                    machine,
                    power: power_of(&dom)?,
                });
            }
            Ok(out)
        })
        .await
    }
}
