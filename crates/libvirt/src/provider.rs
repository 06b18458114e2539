//! `Hypervisor` on libvirt. The C library blocks, so every call runs on tokio's blocking pool with
//! a connection of its own: a libvirtd restart then costs one failed (and retried) step, not a
//! broken shared connection.

use crate::{
    config::{LibvirtConfig, Network},
    domain::{self, DomainPlan},
    seed::Seed,
};
use async_trait::async_trait;
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
        Access, ConsoleStream, Guest, HvResult, Hypervisor, HypervisorError, PowerState, Progress,
        ProvisionSpec, Provisioned,
    },
    ids::MachineId,
    snapshot::HvSnapshot,
    template::OsFamily,
};

const GIB: u64 = 1024 * 1024 * 1024;

#[derive(Clone)]
pub struct LibvirtHypervisor {
    cfg: Arc<LibvirtConfig>,
    /// Choosing a forwarded port and defining the domain that uses it happen under this lock, so
    /// two provisions in this process never take the same port.
    ports: Arc<Mutex<()>>,
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

impl LibvirtHypervisor {
    pub fn new(cfg: LibvirtConfig) -> Self {
        // libvirt prints every error to stderr by default; the provider reports them itself.
        virt::error::clear_error_callback();
        LibvirtHypervisor {
            cfg: Arc::new(cfg),
            ports: Arc::new(Mutex::new(())),
        }
    }

    /// Runs `f` on the blocking pool with a fresh connection.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Self, &Connect) -> HvResult<T> + Send + 'static,
    ) -> HvResult<T> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = Connect::open(Some(&this.cfg.uri)).map_err(|e| {
                HypervisorError::Transient(format!(
                    "cannot reach libvirt at {}: {}",
                    this.cfg.uri,
                    e.message()
                ))
            })?;
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
            .filter_map(|d| d.xml_desc(0).ok())
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
            .map_err(HypervisorError::Permanent)?;
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
        let xml = dom.xml_desc(0).map_err(classify)?;
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
                    | sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
                    | sys::VIR_DOMAIN_UNDEFINE_NVRAM;
                dom.undefine_flags(flags).map_err(classify)?;
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

#[async_trait]
impl Hypervisor for LibvirtHypervisor {
    async fn check(&self) -> HvResult<String> {
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

    async fn provision(
        &self,
        spec: &ProvisionSpec,
        progress: &dyn Progress,
    ) -> HvResult<Provisioned> {
        // Progress crosses into the blocking thread through a channel.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(i64, String)>();
        struct Sender(tokio::sync::mpsc::UnboundedSender<(i64, String)>);
        impl Progress for Sender {
            fn report(&self, p: i64, m: &str) {
                let _ = self.0.send((p, m.to_owned()));
            }
        }
        let s = spec.clone();
        let work = self.with(move |this, conn| {
            let sender = Sender(tx);
            let result = this.provision_blocking(conn, &s, &sender);
            if let Err(HypervisorError::Permanent(_)) = &result {
                // Leave nothing behind from a build that cannot succeed.
                if let Err(e) = this.delete_blocking(conn, None, &s.guest_name) {
                    tracing::warn!(guest = %s.guest_name, error = %e, "cleanup after a failed provision");
                }
            }
            result
        });
        tokio::pin!(work);
        loop {
            tokio::select! {
                result = &mut work => {
                    while let Ok((p, m)) = rx.try_recv() {
                        progress.report(p, &m);
                    }
                    return result;
                }
                Some((p, m)) = rx.recv() => progress.report(p, &m),
            }
        }
    }

    async fn start(&self, external_id: &str) -> HvResult<()> {
        let id = external_id.to_owned();
        self.with(move |_, conn| {
            let dom = Self::find(conn, &id)?;
            if !dom.is_active().map_err(classify)? {
                dom.create().map_err(classify)?;
            }
            Ok(())
        })
        .await
    }

    async fn shutdown(&self, external_id: &str, timeout: Duration) -> HvResult<()> {
        let id = external_id.to_owned();
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

    async fn stop(&self, external_id: &str) -> HvResult<()> {
        let id = external_id.to_owned();
        self.with(move |_, conn| {
            let dom = Self::find(conn, &id)?;
            if dom.is_active().map_err(classify)? {
                dom.destroy().map_err(classify)?;
            }
            Ok(())
        })
        .await
    }

    async fn reboot(&self, external_id: &str) -> HvResult<()> {
        let id = external_id.to_owned();
        self.with(move |_, conn| Self::find(conn, &id)?.reboot(0).map_err(classify))
            .await
    }

    async fn delete(&self, external_id: Option<&str>, guest_name: &str) -> HvResult<()> {
        let (id, name) = (external_id.map(str::to_owned), guest_name.to_owned());
        self.with(move |this, conn| this.delete_blocking(conn, id.as_deref(), &name))
            .await
    }

    async fn power(&self, external_id: &str) -> HvResult<PowerState> {
        let id = external_id.to_owned();
        self.with(move |_, conn| power_of(&Self::find(conn, &id)?))
            .await
    }

    async fn access(&self, external_id: &str, os: OsFamily) -> HvResult<Access> {
        let id = external_id.to_owned();
        let port = match os {
            OsFamily::Linux => 22,
            OsFamily::Windows => 3389,
        };
        self.with(move |this, conn| this.access_of(&Self::find(conn, &id)?, port))
            .await
    }

    async fn console(&self, external_id: &str) -> HvResult<ConsoleStream> {
        if !self.cfg.is_local() {
            return Err(HypervisorError::Permanent(
                "the console needs the portal on the libvirt host: guests' VNC servers listen on \
                 its loopback only"
                    .into(),
            ));
        }
        let id = external_id.to_owned();
        let port = self
            .with(move |_, conn| {
                let xml = Self::find(conn, &id)?.xml_desc(0).map_err(classify)?;
                domain::vnc_port(&xml).ok_or_else(|| {
                    HypervisorError::Permanent("the machine is not running: no console".into())
                })
            })
            .await?;
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

    async fn guests(&self, prefix: &str) -> HvResult<Vec<Guest>> {
        let prefix = format!("{prefix}-");
        self.with(move |_, conn| {
            let mut out = Vec::new();
            for dom in conn.list_all_domains(0).map_err(classify)? {
                let name = dom.name().map_err(classify)?;
                let machine = dom
                    .xml_desc(0)
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

    async fn take_snapshot(
        &self,
        external_id: &str,
        name: &str,
        description: &str,
    ) -> HvResult<bool> {
        let (id, name, description) = (
            external_id.to_owned(),
            name.to_owned(),
            description.to_owned(),
        );
        self.with(move |_, conn| Self::take_snapshot_blocking(conn, &id, &name, &description))
            .await
    }

    async fn snapshots(&self, external_id: &str) -> HvResult<Vec<HvSnapshot>> {
        let id = external_id.to_owned();
        self.with(move |_, conn| Self::snapshots_blocking(conn, &id))
            .await
    }

    async fn revert_snapshot(&self, external_id: &str, name: &str) -> HvResult<()> {
        let (id, name) = (external_id.to_owned(), name.to_owned());
        self.with(move |_, conn| Self::revert_blocking(conn, &id, &name))
            .await
    }

    async fn delete_snapshot(&self, external_id: &str, name: &str) -> HvResult<()> {
        let (id, name) = (external_id.to_owned(), name.to_owned());
        self.with(move |_, conn| Self::delete_snapshot_blocking(conn, &id, &name))
            .await
    }
}
