//! Test support: the store on either backend for one test body ([`TestStore`],
//! [`on_both_backends!`]), and for PostgreSQL a private cluster, made with `initdb` in a temporary directory and
//! run by `postgres` on a free loopback port (as the unprivileged `postgres` account when the
//! tests run as root), never the system's service. One cluster serves a whole test binary; each
//! test takes its own database from [`Cluster::database`].
//!
//! The cluster lives as long as the test process: it is started under a small shell that waits
//! for its standard input to close, which happens when the test process exits however it exits,
//! then stops the server (its own pid) and removes the directory.
//!
//! Needs Debian's `postgresql-15` (initdb, postgres) and `postgresql-client` (createdb,
//! pg_isready); `scripts/test` installs them.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::PathBuf,
    process::{Child, ChildStdin, Command, Stdio},
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicU32, Ordering},
    },
    thread::sleep,
    time::{Duration, Instant},
};
use vmportal_core::store::Store;

pub struct Cluster {
    port: u16,
    /// Kept open for the life of the process: closing it stops the cluster.
    _keep: Mutex<(Child, ChildStdin)>,
}

/// The script run as the cluster's owner: make, start, announce, wait for EOF, stop, clean.
/// Durability settings are off: a test cluster is thrown away.
const LIFECYCLE: &str = r#"set -e
dir=$(mktemp -d /tmp/vmportal-pg.XXXXXX)
"$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1
"$PGBIN/postgres" -D "$dir/data" -p "$PGPORT" -k "$dir" -c listen_addresses=127.0.0.1 \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
  >"$dir/server.log" 2>&1 &
pid=$!
echo "$dir"
cat >/dev/null || true
kill -INT "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
rm -rf "$dir"
"#;

impl Cluster {
    /// The cluster of this test process, started on first use.
    pub fn shared() -> &'static Cluster {
        static CLUSTER: OnceLock<Cluster> = OnceLock::new();
        CLUSTER.get_or_init(Cluster::start)
    }

    fn start() -> Cluster {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
        let mut command = if root {
            let mut c = Command::new("su");
            c.args(["postgres", "-s", "/bin/sh", "-c", LIFECYCLE]);
            c
        } else {
            let mut c = Command::new("sh");
            c.args(["-c", LIFECYCLE]);
            c
        };
        // `su` keeps the environment it is given (no `-`/`-l`).
        let mut child = command
            .env("PGBIN", bin_dir())
            .env("PGPORT", port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run initdb/postgres (Debian's postgresql-15)");
        let stdin = child.stdin.take().unwrap();
        let mut dir = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut dir)
            .unwrap();
        assert!(
            !dir.is_empty(),
            "initdb failed (see /tmp/vmportal-pg.*/initdb.log)"
        );
        let cluster = Cluster {
            port,
            _keep: Mutex::new((child, stdin)),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !cluster.ready() {
            assert!(
                Instant::now() < deadline,
                "postgres did not start: see {}/server.log",
                dir.trim()
            );
            sleep(Duration::from_millis(100));
        }
        cluster
    }

    fn ready(&self) -> bool {
        Command::new("pg_isready")
            .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
            .status()
            .is_ok_and(|s| s.success())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A new, empty database; its URL.
    pub fn database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let status = Command::new("createdb")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                &name,
            ])
            .status()
            .expect("run createdb");
        assert!(status.success(), "createdb {name} failed");
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

/// Debian's versioned directory of the server programs.
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("VMPORTAL_PG_BIN") {
        return dir.into();
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed (/usr/lib/postgresql)")
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|p| p.join("postgres").exists())
        .collect();
    found.sort();
    found.pop().expect("no /usr/lib/postgresql/*/bin/postgres")
}

/// Which backend a test body runs on; see [`on_both_backends!`].
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, migrated store: a new SQLite file, or a new database of the [`Cluster::shared`].
pub struct TestStore {
    pub store: Arc<dyn Store>,
    /// The URL it was opened with (for a `vmportal` process to open the same database).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestStore {
    pub async fn open(backend: Backend) -> TestStore {
        let (url, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("t.db");
                (format!("sqlite://{}", path.display()), Some(dir))
            }
            Backend::Postgres => {
                let url = tokio::task::spawn_blocking(|| Cluster::shared().database())
                    .await
                    .unwrap();
                (url, None)
            }
        };
        let store = vmportal_store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        TestStore {
            store: store.into_dyn(),
            url,
            _dir: dir,
        }
    }
}

/// One test body per name, run once per backend as `name::sqlite` and `name::postgres`: each
/// `async fn name(backend: Backend)` in the calling module.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                super::$name($crate::Backend::Postgres).await
            }
        }
    )*};
}
