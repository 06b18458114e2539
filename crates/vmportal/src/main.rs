//! The vmportal binary: `serve`, `migrate`, `user add`, `ldap test`.

mod config;
mod directory;

use clap::{Parser, Subcommand};
use config::Config;
use std::{io::Read, net::SocketAddr, path::PathBuf, process::ExitCode, sync::Arc};
use vmportal_core::{
    audit::Actor,
    names::Username,
    password::Password,
    store::Store,
    user::{NewUser, Role, UserSource},
};
use vmportal_store::SqliteStore;

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
    /// Check the sign-in directory.
    Ldap {
        #[command(subcommand)]
        command: LdapCommand,
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
            println!("database migrated: {url}");
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
            add_user(&store, &username, admin, email.as_deref(), password).await
        }
        Command::Serve { listen } => serve(config, open_store(&url).await?, listen).await,
        // Needs no database, so it creates none.
        Command::Ldap {
            command: LdapCommand::Test { username },
        } => directory::test(config.ldap, &username).await,
    }
}

async fn open_store(url: &str) -> Result<SqliteStore, String> {
    if let Some(dir) = url
        .strip_prefix("sqlite://")
        .and_then(|p| std::path::Path::new(p).parent())
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let store = SqliteStore::connect(url)
        .await
        .map_err(|e| format!("cannot open {url}: {e}"))?;
    store
        .migrate()
        .await
        .map_err(|e| format!("cannot migrate {url}: {e}"))?;
    Ok(store)
}

fn read_password() -> Result<String, String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(input.lines().next().unwrap_or_default().to_owned())
}

async fn add_user(
    store: &SqliteStore,
    username: &str,
    admin: bool,
    email: Option<&str>,
    password: Option<String>,
) -> Result<(), String> {
    let username = Username::parse("username", username).map_err(|e| e.to_string())?;
    let email = vmportal_core::names::email("email", email.unwrap_or_default())
        .map_err(|e| e.to_string())?;
    let (password, generated) = match password {
        Some(p) => (
            Password::parse("password", &p).map_err(|e| e.to_string())?,
            false,
        ),
        None => (Password::generate(), true),
    };
    let new = NewUser {
        display_name: username.to_string(),
        username: username.clone(),
        email,
        role: if admin { Role::Admin } else { Role::User },
        source: UserSource::Local,
        password_hash: Some(password.hash()),
    };
    store
        .create_user(new, &Actor::system("command line"))
        .await
        .map_err(|e| e.to_string())?;
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

/// On an empty database, creates `admin` with a random password and prints it once: there is no
/// default password anywhere.
async fn bootstrap_admin(store: &SqliteStore) -> Result<(), String> {
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
    };
    store
        .create_user(new, &Actor::system("first start"))
        .await
        .map_err(|e| e.to_string())?;
    tracing::warn!(
        "first start: created user 'admin' with password {} (shown once; change it or keep it safe)",
        password.expose()
    );
    Ok(())
}

async fn serve(
    config: Config,
    store: SqliteStore,
    listen: Option<SocketAddr>,
) -> Result<(), String> {
    bootstrap_admin(&store).await?;
    let directory = config.ldap.map(directory::open).transpose()?;
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
    let state = vmportal_web::AppState::new(Arc::new(store), config.web, directory);
    vmportal_web::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| e.to_string())
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
