//! The portal under test: the real `vmportal_web` app on a SQLite file, as `vmportal serve` runs
//! it, with one user owning `--machines` running machines whose VNC console is `--guest-port`.
//!
//! The machines are domains of libvirt's in-memory `test:///default` driver (kept alive by the
//! connection held here) reached through the real libvirt provider, as the console tests do. No
//! job engine runs: nothing is provisioned, the machines are set running in the store.
//! Prints one JSON line `{"addr","username","password","machines"}` once it listens.

use clap::Parser;
use std::sync::Arc;
use vmportal_core::{
    audit::Actor,
    hypervisor::Registry,
    machine::{MachinePatch, MachineState},
    names::Username,
    password::Password,
    quota::Quota,
    request::{NewRequest, RequestInput},
    resources::Resources,
    secret::SecretKey,
    store::prelude::*,
    template::{TemplateInput, TemplateSpec},
    user::{NewUser, Role, UserSource},
};
use vmportal_libvirt::{LibvirtConfig, LibvirtHypervisor};
use vmportal_store::SqliteStore;
use vmportal_web::{AppState, WebConfig};

#[derive(Parser)]
struct Args {
    /// The loopback port of the bench's guest server (every machine's VNC console).
    #[arg(long)]
    guest_port: u16,
    #[arg(long, default_value_t = 50)]
    machines: usize,
}

const PROVIDER: &str = "local";

#[tokio::main]
async fn main() {
    // The binary's logging, so that the portal under test does the same work per request.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let args = Args::parse();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}/portal.db", dir.path().display());
    let store = SqliteStore::connect(&url)
        .await
        .expect("the database opens");
    store.migrate().await.expect("the database migrates");
    let store: Arc<dyn Store> = Arc::new(store);

    let mut config = WebConfig::default();
    config.quotas.user = Quota {
        machines: args.machines as i64,
        cpus: args.machines as i64,
        memory_mib: 1024 * args.machines as i64,
        disk_gib: 10 * args.machines as i64,
    };
    let libvirt =
        virt::connect::Connect::open(Some("test:///default")).expect("libvirt test driver");
    let password = Password::generate();
    let machines = machines(&*store, &libvirt, &config, &password, &args).await;

    let mut providers = Registry::default();
    providers.insert(
        PROVIDER,
        Arc::new(LibvirtHypervisor::new(LibvirtConfig::test_driver())),
    );
    let state = AppState::new(store, config, providers, SecretKey::generate(), None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let ready = serde_json::json!({
        "addr": listener.local_addr().expect("bound").to_string(),
        "username": "bench",
        "password": password.expose(),
        "machines": machines,
    });
    println!("{ready}");
    vmportal_web::serve(listener, state, std::future::pending())
        .await
        .expect("the portal serves");
    drop(libvirt);
}

/// The user `bench`, a template, and `args.machines` approved requests whose machines run on
/// test-driver domains with their VNC console on the guest port.
async fn machines(
    store: &dyn Store,
    libvirt: &virt::connect::Connect,
    config: &WebConfig,
    password: &Password,
    args: &Args,
) -> Vec<i64> {
    let by = Actor::system("bench");
    let user = store
        .create_user(
            NewUser {
                username: Username::parse("username", "bench").expect("valid"),
                display_name: "Bench".into(),
                email: None,
                role: Role::User,
                source: UserSource::Local,
                password_hash: Some(password.hash()),
                must_change_password: false,
            },
            &by,
        )
        .await
        .expect("the user is created");
    let size = Resources {
        cpus: 1,
        memory_mib: 1024,
        disk_gib: 10,
    };
    let input = TemplateInput {
        name: "Bench".into(),
        description: String::new(),
        provider: PROVIDER.into(),
        kind: "vm".into(),
        os_family: "linux".into(),
        source: "bench.qcow2".into(),
        defaults: size,
        limits: size,
        shutdown_timeout_secs: 120,
        locale: String::new(),
        max_snapshots: 0,
        enabled: true,
        lease: (&vmportal_core::lease::LeasePolicy::default()).into(),
    };
    let spec = TemplateSpec::parse(&input, &[PROVIDER.into()]).expect("a valid template");
    let template = store
        .create_template(spec, &by)
        .await
        .expect("the template is created");
    let mut ids = Vec::new();
    for i in 0..args.machines {
        let form = RequestInput {
            name: format!("desk-{i}"),
            cpus: 1,
            memory_mib: 1024,
            disk_gib: 10,
            purpose: "console benchmark".into(),
        };
        let new = NewRequest::parse(user.id, &template, &form).expect("a valid request");
        let request = store
            .create_request(new, config.quotas.user, &by)
            .await
            .expect("the request is stored");
        let machine = store
            .approve_request(request.id, &by)
            .await
            .expect("approved")
            .machine;
        let patch = MachinePatch {
            state: Some(MachineState::Running),
            external_id: Some(domain(libvirt, i, args.guest_port)),
            ..Default::default()
        };
        store
            .update_machine(machine.id, patch)
            .await
            .expect("the machine runs");
        ids.push(machine.id.0);
    }
    ids
}

/// A running test-driver domain whose VNC console listens on `port`; its UUID.
fn domain(libvirt: &virt::connect::Connect, i: usize, port: u16) -> String {
    let xml = format!(
        "<domain type='test'><name>bench-{i}</name><memory>65536</memory><vcpu>1</vcpu>\
         <os><type>hvm</type></os>\
         <devices><graphics type='vnc' port='{port}' autoport='no' listen='127.0.0.1'/></devices></domain>"
    );
    let dom = libvirt.create_domain_xml(&xml, 0).expect("a test domain");
    dom.uuid_string().expect("its uuid")
}
