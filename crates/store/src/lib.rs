//! Database backends for vmportal's `Store`. SQLite is the default, for a single portal instance;
//! PostgreSQL serves several instances sharing one database.
//!
//! Both backends run the same code: each aggregate's queries live once, in `sql/<aggregate>.rs`,
//! written in the SQL both engines accept (`$N` placeholders, `TRUE`/`FALSE`, `RETURNING`,
//! `ON CONFLICT`), and each backend module compiles them against its own driver types (`Db`,
//! `Conn`, `Backend`). What differs stays in the backend's `mod.rs`: how it connects, how a write
//! transaction begins, and how a job is claimed.

#![allow(
    clippy::duplicate_mod,
    reason = "each backend compiles the shared sql/ modules against its own driver types"
)]

/// The aggregates' code in `sql/`, one module each, compiled once per backend: each backend's
/// `mod.rs` names its driver types (`Backend`, `Db`, `Conn`, ...) and calls this.
macro_rules! shared_sql {
    () => {
        #[macro_use]
        #[path = "../sql/rows.rs"]
        mod rows;
        #[path = "../sql/api_tokens.rs"]
        mod api_tokens;
        #[path = "../sql/audit.rs"]
        mod audit;
        #[path = "../sql/console.rs"]
        mod console;
        #[path = "../sql/courses.rs"]
        mod courses;
        #[path = "../sql/identities.rs"]
        mod identities;
        #[path = "../sql/jobs.rs"]
        mod jobs;
        #[path = "../sql/leases.rs"]
        mod leases;
        #[path = "../sql/list.rs"]
        mod list;
        #[path = "../sql/machines.rs"]
        mod machines;
        #[path = "../sql/outbox.rs"]
        mod outbox;
        #[path = "../sql/preferences.rs"]
        mod preferences;
        #[path = "../sql/requests.rs"]
        mod requests;
        #[path = "../sql/sessions.rs"]
        mod sessions;
        #[path = "../sql/snapshots.rs"]
        mod snapshots;
        #[path = "../sql/templates.rs"]
        mod templates;
        #[path = "../sql/totp.rs"]
        mod totp;
        #[path = "../sql/users.rs"]
        mod users;
    };
}

pub mod copy;
mod postgres;
mod sqlite;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use std::sync::Arc;
use vmportal_core::store::{BackendError, Store, StoreError, StoreResult};

/// Opens the database `url` names (`postgres://` or `postgresql://` for PostgreSQL, anything else
/// SQLite) without migrating it.
pub async fn connect(url: &str) -> StoreResult<AnyStore> {
    Ok(if is_postgres(url) {
        AnyStore::Postgres(PgStore::connect(url).await?)
    } else {
        AnyStore::Sqlite(SqliteStore::connect(url).await?)
    })
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The store a URL selected.
#[derive(Clone)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl AnyStore {
    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            AnyStore::Sqlite(s) => s.migrate().await,
            AnyStore::Postgres(s) => s.migrate().await,
        }
    }

    pub fn into_dyn(self) -> Arc<dyn Store> {
        match self {
            AnyStore::Sqlite(s) => Arc::new(s),
            AnyStore::Postgres(s) => Arc::new(s),
        }
    }
}

/// A URL fit for logs and error messages: its password replaced.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = rest.split_once('/').map_or((rest, ""), |(a, t)| (a, t));
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
    let slash = if rest.contains('/') { "/" } else { "" };
    format!("{scheme}://{user}:***@{host}{slash}{tail}")
}

/// A stored value that does not parse: the database holds what the portal never writes.
pub(crate) fn corrupt(e: impl Into<BackendError>) -> StoreError {
    StoreError::Backend(e.into())
}

/// A database error: `Unavailable` when the database could not be reached (worth a 503 and a
/// retry), `Backend` for anything else. PostgreSQL reports a server going away as SQLSTATE class
/// 08 (connection exception) or 57P (operator intervention, e.g. a shutdown).
pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    let gone = match &e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.len() == 5 && (c.starts_with("08") || c.starts_with("57P"))),
        _ => false,
    };
    if gone {
        StoreError::Unavailable(e.into())
    } else {
        StoreError::Backend(e.into())
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

#[cfg(test)]
mod tests {
    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(
            super::redact("postgres://portal:s3cret@db.example:5432/vmportal"),
            "postgres://portal:***@db.example:5432/vmportal"
        );
        assert_eq!(
            super::redact("postgres://db.example/vmportal"),
            "postgres://db.example/vmportal"
        );
        assert_eq!(
            super::redact("sqlite:///var/lib/p.db"),
            "sqlite:///var/lib/p.db"
        );
    }
}
