//! The PostgreSQL backend, for several portal instances on one database. The aggregates' code is
//! shared with SQLite (see the crate's documentation); what differs is here:
//! - a write transaction first takes one transaction-scoped advisory lock, so writers queue as
//!   they do on SQLite (BEGIN IMMEDIATE) and a read-then-write (a quota check, an approval) cannot
//!   race a writer on another instance;
//! - a job claim does not take that lock: it locks the job's row `FOR UPDATE SKIP LOCKED`, so
//!   instances claiming at once each get a different job.

/// Instances claiming at once skip each other's job rather than wait for it.
macro_rules! claim_lock {
    () => {
        " FOR UPDATE SKIP LOCKED"
    };
}

/// An id given, or a new one from the table's identity sequence (NULL is no id in PostgreSQL).
macro_rules! id_or_new {
    ($param:literal, $table:literal) => {
        concat!(
            "COALESCE(",
            $param,
            ", nextval(pg_get_serial_sequence('",
            $table,
            "', 'id')))"
        )
    };
}

/// Case-insensitive matching for searches (PostgreSQL's LIKE is case-sensitive).
macro_rules! like {
    () => {
        " ILIKE "
    };
}

/// What only SQLite has (its query plans, checked by tests): nothing here.
macro_rules! sqlite_only {
    ($($item:item)*) => {};
}

shared_sql!();

pub(crate) use crate::{backend, corrupt, unique_as};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;
use vmportal_core::store::{Store, StoreError, StoreResult};

/// The driver types the shared aggregate code is compiled against.
type Backend = PgStore;
type Db = Postgres;
type Conn = PgConnection;
type Pool = PgPool;
type Args = sqlx::postgres::PgArguments;
type Row = sqlx::postgres::PgRow;

/// The advisory lock key every write transaction takes (any constant: it names the portal's
/// writer queue within its database).
const WRITE_LOCK: i64 = 0x766d_706f_7274;

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`, or `?host=/socket/dir`).
    /// Does not migrate: call [`PgStore::migrate`].
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url).map_err(backend)?;
        // One connection first: a pool only says it timed out, this says why (refused, password).
        PgConnection::connect_with(&options)
            .await
            .map_err(backend)?
            .close()
            .await
            .map_err(backend)?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(backend)?;
        Ok(PgStore { pool })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations/postgres")
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Backend(e.into()))
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn write(&self) -> StoreResult<Transaction<'static, Postgres>> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        Ok(tx)
    }

    async fn claim_tx(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(backend)
    }
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
