//! Database backends for vmportal's `Store`. SQLite is the default, for a single portal instance.

mod sqlite;

pub use sqlite::SqliteStore;
