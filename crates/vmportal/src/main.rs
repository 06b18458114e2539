//! The vmportal binary: `serve`, `migrate`, `user add`, `db copy`, `ldap test`.

mod config;
mod directory;

use clap::{Parser, Subcommand};
use config::{Config, NamedLibvirt, NamedProxmox, ProviderConfig};
use std::{io::Read, net::SocketAddr, path::PathBuf, process::ExitCode, sync::Arc};
use vmportal_core::{
    audit::Actor,
    hypervisor::Registry,
    names::Username,
    password::Password,
    resources::Resources,
    secret::{self, SecretKey},
    store::Store,
    template::{DEFAULT_MAX_SNAPSHOTS, TemplateInput, TemplateSpec},
    user::{NewUser, Role, UserSource},
};
use vmportal_libvirt::LibvirtHypervisor;
use vmportal_proxmox::ProxmoxHypervisor;
use vmportal_store::redact;
use vmportal_worker::{Engine, Mailer};

#[derive(Parser)]
#[command(
    version,
    about = "Self-service portal for virtual machines and containers"
)]
struct Cli {
    /// TOML configuration file, laid over the built-in defaults.
    #[arg(long, global = true, env = "VMPORTAL_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the portal.
    Serve {
        /// Overrides server.listen.
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the catalogue.
    Template {
        #[command(subcommand)]
        command: TemplateCommand,
    },
    /// Move the database.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Check the sign-in directory.
    Ldap {
        #[command(subcommand)]
        command: LdapCommand,
    },
}

#[derive(Subcommand)]
enum TemplateCommand {
    /// Creates the template NAME, or updates it if it exists (scripts, first-time set-up).
    Ensure {
        name: String,
        /// Provider-specific source: a libvirt base volume, a PVE template vmid.
        #[arg(long)]
        source: String,
        #[arg(long, default_value = "local")]
        provider: String,
        #[arg(long, default_value = "vm")]
        kind: String,
        #[arg(long, default_value = "linux")]
        os: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Default and maximum size, as CPUS,MEMORY_MIB,DISK_GIB.
        #[arg(long, default_value = "1,1024,4")]
        default_size: String,
        #[arg(long, default_value = "2,4096,20")]
        max_size: String,
        /// Locale and keyboard layout of Windows guests, e.g. fr-FR.
        #[arg(long, default_value = "")]
        locale: String,
    },
}

#[derive(Subcommand)]
enum DbCommand {
    /// Copy every table of a SQLite database into an empty PostgreSQL database (migrated first),
    /// ids, password hashes and sealed secrets included; every row is read back before it commits.
    Copy {
        /// The SQLite database, e.g. sqlite:///var/lib/vmportal/vmportal.db
        #[arg(long)]
        from: String,
        /// The PostgreSQL database, e.g. postgres://vmportal:PASSWORD@db.example/vmportal
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum LdapCommand {
    /// Show what USERNAME resolves to in the directory (DN, groups, role), without a password.
    Test { username: String },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a local account; prints a generated password unless --password-stdin is given.
    Add {
        username: String,
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        email: Option<String>,
        /// Read the password from standard input (first line).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    // Logs go to standard error, so that command output (a generated password) stays alone on stdout.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::load(cli.config.as_deref())?;
    let url = config.database.url.clone();
    match cli.command {
        Command::Migrate => {
            open_store(&url).await?;
            println!("database migrated: {}", redact(&url));
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    admin,
                    email,
                    password_stdin,
                },
        } => {
            let store = open_store(&url).await?;
            let password = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            add_user(&*store, &username, admin, email.as_deref(), password).await
        }
        Command::Template { command } => {
            let names: Vec<String> = config
                .providers
                .iter()
                .map(|p| p.name().to_string())
                .collect();
            ensure_template(&*open_store(&url).await?, &names, command).await
        }
        Command::Serve { listen } => serve(config, open_store(&url).await?, listen).await,
        Command::Db {
            command: DbCommand::Copy { from, to },
        } => {
            let report = vmportal_store::copy::copy(&from, &to).await.map_err(|e| {
                format!(
                    "cannot copy {} to {}: {}",
                    redact(&from),
                    redact(&to),
                    with_causes(&e)
                )
            })?;
            for (table, rows) in &report {
                println!("{table}: {rows} rows");
            }
            let total: u64 = report.iter().map(|(_, n)| n).sum();
            println!("copied {total} rows to {}", redact(&to));
            Ok(())
        }
        // Needs no database, so it creates none.
        Command::Ldap {
            command: LdapCommand::Test { username },
        } => directory::test(config.ldap, &username).await,
    }
}

/// Opens and migrates the database `url` names: `postgres://` for PostgreSQL, otherwise SQLite
/// (whose parent folder is made if missing). Errors name the URL without its password.
async fn open_store(url: &str) -> Result<Arc<dyn Store>, String> {
    if let Some(dir) = url
        .strip_prefix("sqlite://")
        .and_then(|p| std::path::Path::new(p).parent())
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let store = vmportal_store::connect(url)
        .await
        .map_err(|e| format!("cannot open {}: {}", redact(url), with_causes(&e)))?;
    store
        .migrate()
        .await
        .map_err(|e| format!("cannot migrate {}: {}", redact(url), with_causes(&e)))?;
    Ok(store.into_dyn())
}

/// An error and its sources ("database unavailable: ... connection refused"), for the operator.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Many errors already end with their cause's text.
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

fn read_password() -> Result<String, String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(input.lines().next().unwrap_or_default().to_owned())
}

async fn add_user(
    store: &dyn Store,
    username: &str,
    admin: bool,
    email: Option<&str>,
    password: Option<String>,
) -> Result<(), String> {
    let username = Username::parse("username", username).map_err(english)?;
    let email = vmportal_core::names::email("email", email.unwrap_or_default()).map_err(english)?;
    let (password, generated) = match password {
        Some(p) => (Password::parse("password", &p).map_err(english)?, false),
        None => (Password::generate(), true),
    };
    let new = NewUser {
        display_name: username.to_string(),
        username: username.clone(),
        email,
        role: if admin { Role::Admin } else { Role::User },
        source: UserSource::Local,
        password_hash: Some(password.hash()),
        // A generated password was seen by whoever ran the command.
        must_change_password: generated,
    };
    store
        .create_user(new, &Actor::system("command line"))
        .await
        .map_err(store_english)?;
    if generated {
        println!(
            "created {username}; password (shown once): {}",
            password.expose()
        );
    } else {
        println!("created {username}");
    }
    Ok(())
}

fn size(field: &str, raw: &str) -> Result<Resources, String> {
    let n: Vec<i64> = raw
        .split(',')
        .map(|v| v.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{field}: expected CPUS,MEMORY_MIB,DISK_GIB"))?;
    match n[..] {
        [cpus, memory_mib, disk_gib] => Ok(Resources {
            cpus,
            memory_mib,
            disk_gib,
        }),
        _ => Err(format!("{field}: expected CPUS,MEMORY_MIB,DISK_GIB")),
    }
}

async fn ensure_template(
    store: &dyn Store,
    providers: &[String],
    command: TemplateCommand,
) -> Result<(), String> {
    let TemplateCommand::Ensure {
        name,
        source,
        provider,
        kind,
        os,
        description,
        default_size,
        max_size,
        locale,
    } = command;
    let input = TemplateInput {
        name,
        description,
        provider,
        kind,
        os_family: os,
        source,
        defaults: size("default-size", &default_size)?,
        limits: size("max-size", &max_size)?,
        shutdown_timeout_secs: 120,
        locale,
        max_snapshots: DEFAULT_MAX_SNAPSHOTS,
        enabled: true,
        lease: (&vmportal_core::lease::LeasePolicy::default()).into(),
    };
    let mut spec = TemplateSpec::parse(&input, providers).map_err(english)?;
    let by = Actor::system("command line");
    let existing = store
        .templates()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|t| t.name == spec.name);
    let t = match existing {
        Some(t) => {
            // The command line does not set leases: an existing template keeps its own.
            spec.lease = t.lease;
            store.update_template(t.id, spec, &by).await
        }
        None => store.create_template(spec, &by).await,
    }
    .map_err(|e| e.to_string())?;
    println!(
        "template {} ({}): {} on {}",
        t.id, t.name, t.source, t.provider
    );
    Ok(())
}

/// On an empty database, creates `admin` with a random password, to be changed at its first
/// sign-in: there is no default password anywhere. The password never goes to the log (journald
/// keeps logs for long and shows them widely): it is printed to the terminal when there is one,
/// else written to a file only the portal's account reads, whose path is logged.
async fn bootstrap_admin(store: &dyn Store, data_dir: &std::path::Path) -> Result<(), String> {
    if store.count_users().await.map_err(|e| e.to_string())? > 0 {
        return Ok(());
    }
    let password = Password::generate();
    let new = NewUser {
        username: Username::parse("username", "admin").expect("valid"),
        display_name: "Administrator".into(),
        email: None,
        role: Role::Admin,
        source: UserSource::Local,
        password_hash: Some(password.hash()),
        must_change_password: true,
    };
    store
        .create_user(new, &Actor::system("first start"))
        .await
        .map_err(|e| e.to_string())?;
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        println!(
            "first start: created user 'admin' with password {} (shown once; it must be changed at the first sign-in)",
            password.expose()
        );
        tracing::warn!(
            "first start: created user 'admin'; its password was printed on the terminal"
        );
        return Ok(());
    }
    let path = data_dir.join(INITIAL_PASSWORD_FILE);
    write_private(&path, format!("{}\n", password.expose()).as_bytes())?;
    tracing::warn!(
        path = %path.display(),
        "first start: created user 'admin'; its password is in the file (mode 0600), to be changed at the first sign-in; delete the file then"
    );
    Ok(())
}

/// Where the first start leaves the administrator's password when there is no terminal.
const INITIAL_PASSWORD_FILE: &str = "initial-admin-password";

/// Creates `path` (and its directory) readable by this account alone; never overwrites.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut f, bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The key sealing guest passwords: read from `path`, or made (mode 0600) on first start.
fn secret_key(path: &std::path::Path) -> Result<SecretKey, String> {
    match std::fs::read(path) {
        Ok(bytes) => SecretKey::from_bytes(&bytes)
            .ok_or_else(|| format!("{} is not a {}-byte key", path.display(), secret::KEY_LEN)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretKey::generate();
            write_private(path, key.bytes())?;
            tracing::info!(path = %path.display(), "created the key that seals guest passwords; back it up with the database");
            Ok(key)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

fn registry(providers: Vec<ProviderConfig>) -> Result<Registry, String> {
    let mut registry = Registry::default();
    for p in providers {
        match p {
            ProviderConfig::Libvirt(NamedLibvirt { name, libvirt, .. }) => {
                registry.insert(name, Arc::new(LibvirtHypervisor::new(libvirt)))
            }
            ProviderConfig::Proxmox(NamedProxmox { name, proxmox, .. }) => {
                let hv = ProxmoxHypervisor::new(*proxmox)
                    .map_err(|e| format!("provider '{name}': {e}"))?;
                registry.insert(name, Arc::new(hv))
            }
        }
    }
    Ok(registry)
}

async fn serve(
    config: Config,
    store: Arc<dyn Store>,
    listen: Option<SocketAddr>,
) -> Result<(), String> {
    // The data folder: where the key that seals guest passwords lives.
    let data_dir = config
        .secrets
        .key_file
        .parent()
        .unwrap_or(std::path::Path::new(""));
    bootstrap_admin(&*store, data_dir).await?;
    let key = secret_key(&config.secrets.key_file)?;
    let providers = registry(config.providers)?;
    let directory = config.ldap.map(directory::open).transpose()?;
    let sso = config
        .oidc
        .into_iter()
        .map(|p| {
            let p = vmportal_oidc::OidcProvider::new(p, &config.web.public_url)?;
            Ok(Arc::new(p) as Arc<dyn vmportal_core::sso::IdentityProvider>)
        })
        .collect::<Result<Vec<_>, String>>()?;
    let addr = listen.unwrap_or(config.server.listen);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(
        %addr,
        public_url = %config.web.public_url,
        directory = directory.is_some(),
        "vmportal listening"
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let clock: Arc<dyn vmportal_core::clock::Clock> = Arc::new(vmportal_core::clock::SystemClock);
    let engine = Engine::new(
        store.clone(),
        providers.clone(),
        key.clone(),
        config.engine,
        clock.clone(),
    );
    let mut workers = engine.spawn(stopped.clone());
    let mut state =
        vmportal_web::AppState::new(store.clone(), config.web.clone(), providers, key, directory)
            .with_clock(clock)
            .with_sso(sso);
    if let Some(mail) = config.mail {
        let relay = format!("{}:{}", mail.host, mail.port);
        let mailer =
            Mailer::new(store, mail, &config.web.public_url).map_err(|e| format!("[mail]: {e}"))?;
        workers.push(mailer.spawn(stopped));
        state = state.with_mail_relay(relay);
    } else {
        tracing::info!("no [mail] section: notifications stay in the outbox unsent");
    }
    let served = vmportal_web::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| e.to_string());
    // Jobs in flight are left to their leases: the next start takes them up again.
    let _ = stop.send(true);
    for w in workers {
        w.abort();
    }
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// A validation error as the command line says it: in English, each field with its message.
fn english(e: vmportal_core::Invalid) -> String {
    let tr = vmportal_i18n::Tr::new(vmportal_core::Lang::En);
    e.0.iter()
        .map(|f| format!("{}: {}", f.field, tr.msg(&f.message)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn store_english(e: vmportal_core::store::StoreError) -> String {
    match e {
        vmportal_core::store::StoreError::Invalid(i) => english(i),
        e => e.to_string(),
    }
}
