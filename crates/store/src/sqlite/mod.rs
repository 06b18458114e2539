//! The SQLite backend: WAL journal, a busy timeout, foreign keys on, and write transactions begun
//! IMMEDIATE so that a read-then-write (a quota check, an approval) cannot race another writer.
//! The aggregates' code is shared with PostgreSQL (see the crate's documentation).

// Column lists are macros so that `concat!` can build the `&'static str` queries sqlx 0.9 wants.
/// SQLite has one writer at a time: a claim needs no row lock.
macro_rules! claim_lock {
    () => {
        ""
    };
}

/// An id given, or a new one: SQLite numbers a row whose INTEGER PRIMARY KEY is NULL.
macro_rules! id_or_new {
    ($param:literal, $table:literal) => {
        $param
    };
}

/// Case-insensitive matching for searches: SQLite's LIKE folds ASCII case.
macro_rules! like {
    () => {
        " LIKE "
    };
}

/// What only SQLite has (its query plans, checked by tests).
macro_rules! sqlite_only {
    ($($item:item)*) => {
        $($item)*
    };
}

shared_sql!();

pub(crate) use crate::{backend, corrupt, unique_as};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;
use vmportal_core::store::{Store, StoreError, StoreResult};

/// The driver types the shared aggregate code is compiled against.
type Backend = SqliteStore;
type Db = Sqlite;
type Conn = sqlx::SqliteConnection;
type Pool = SqlitePool;
type Args = sqlx::sqlite::SqliteArguments;
type Row = sqlx::sqlite::SqliteRow;

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

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)
    }

    /// A job claim is a write like any other.
    async fn claim_tx(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.write().await
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
