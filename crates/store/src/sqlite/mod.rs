//! The SQLite backend: WAL journal, a busy timeout, foreign keys on, and write transactions begun
//! IMMEDIATE so that a read-then-write (a quota check, an approval) cannot race another writer.

// Column lists are macros so that `concat!` can build the `&'static str` queries sqlx 0.9 wants.
#[macro_use]
mod rows;
mod api_tokens;
mod audit;
mod console;
mod courses;
mod identities;
mod jobs;
mod leases;
mod list;
mod machines;
mod outbox;
mod preferences;
mod requests;
mod sessions;
mod snapshots;
mod templates;
mod totp;
mod users;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;
use vmportal_core::store::{BackendError, Store, StoreError, StoreResult};

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path` or a plain path).
    /// Does not migrate: call [`SqliteStore::migrate`].
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let url = if url.starts_with("sqlite:") {
            url.to_owned()
        } else {
            format!("sqlite://{url}")
        };
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(backend)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(SqliteStore { pool })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Backend(e.into()))
    }

    async fn write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// A stored value that does not parse: the database holds what the portal never writes.
pub(crate) fn corrupt(e: impl Into<BackendError>) -> StoreError {
    StoreError::Backend(e.into())
}

/// A database error: `Unavailable` when the database could not be reached (worth a 503 and a
/// retry), `Backend` for anything else.
pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.into()),
        _ => StoreError::Backend(e.into()),
    }
}

/// Turns a unique-constraint violation into a field error; anything else is a backend error.
pub(crate) fn unique_as(
    field: &'static str,
    message: vmportal_core::Msg,
) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match e.as_database_error() {
        Some(d) if d.is_unique_violation() => vmportal_core::Invalid::field(field, message).into(),
        _ => backend(e),
    }
}
