//! `vmportal db copy`: moves an installation from SQLite to PostgreSQL, every table and every
//! row, ids included. The target is migrated first and must be empty; the source must be at the
//! same migration as this build (run `vmportal migrate` on it first). Values are read from SQLite
//! by the type their PostgreSQL column has (both schemas come from the same migrations), written
//! in one PostgreSQL transaction, and each identity sequence then starts after the highest id.

use crate::{PgStore, SqliteStore};
use sqlx::{AssertSqlSafe, PgPool, Postgres, QueryBuilder, Row, SqlitePool, sqlite::SqliteRow};
use std::collections::BTreeSet;
use vmportal_core::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("copy goes from a sqlite:// database to a postgres:// one")]
    Direction,
    #[error("the target database is not empty: table {0} has rows")]
    NotEmpty(String),
    #[error(
        "the source is not at this build's migrations (source {source_versions:?}, target \
         {target:?}): run `vmportal migrate` on it first"
    )]
    Migrations {
        source_versions: Vec<i64>,
        target: Vec<i64>,
    },
    #[error("table {table}: the source's columns {source_columns:?} differ from {target:?}")]
    Columns {
        table: String,
        source_columns: Vec<String>,
        target: Vec<String>,
    },
    #[error("column {table}.{column} has type {kind}, which the copy does not know")]
    Type {
        table: String,
        column: String,
        kind: String,
    },
    #[error("table {0}: the rows read back differ from the source's; nothing was committed")]
    Differs(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error")]
    Database(#[from] sqlx::Error),
}

/// How many rows each table received.
pub type CopyReport = Vec<(String, u64)>;

/// A column's value, by the target column's type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
}

#[derive(Clone, Copy)]
enum Kind {
    Int,
    Text,
    Bool,
    Bytes,
}

struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
}

pub async fn copy(from: &str, to: &str) -> Result<CopyReport, CopyError> {
    if crate::is_postgres(from) || !crate::is_postgres(to) {
        return Err(CopyError::Direction);
    }
    let source = SqliteStore::connect(from).await?;
    let target = PgStore::connect(to).await?;
    target.migrate().await?;
    let (src, dst) = (source.pool(), target.pool());
    let (source_versions, target_versions) = (
        versions_in_sqlite(src).await?,
        versions_in_postgres(dst).await?,
    );
    if source_versions != target_versions {
        return Err(CopyError::Migrations {
            source_versions,
            target: target_versions,
        });
    }
    let tables = tables(dst).await?;
    for t in &tables {
        let names: Vec<String> = t.columns.iter().map(|(n, _)| n.clone()).collect();
        let mut theirs: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY name")
                .bind(&t.name)
                .fetch_all(src)
                .await?;
        theirs.sort();
        let mut ours = names.clone();
        ours.sort();
        if theirs != ours {
            return Err(CopyError::Columns {
                table: t.name.clone(),
                source_columns: theirs,
                target: ours,
            });
        }
        let rows: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}",
            ident(&t.name)
        )))
        .fetch_one(dst)
        .await?;
        if rows > 0 {
            return Err(CopyError::NotEmpty(t.name.clone()));
        }
    }
    let mut tx = dst.begin().await?;
    let mut report = Vec::new();
    for t in &tables {
        let rows = sqlite_rows(src, t).await?;
        // Bind parameters are at most 65535 per statement.
        for chunk in rows.chunks((60_000 / t.columns.len()).max(1)) {
            let mut insert: QueryBuilder<Postgres> = QueryBuilder::new(format!(
                "INSERT INTO {} ({}) ",
                ident(&t.name),
                t.column_list()
            ));
            insert.push_values(chunk, |mut b, row| {
                for value in row {
                    match value.clone() {
                        Value::Int(v) => b.push_bind(v),
                        Value::Text(v) => b.push_bind(v),
                        Value::Bool(v) => b.push_bind(v),
                        Value::Bytes(v) => b.push_bind(v),
                    };
                }
            });
            insert.build().execute(&mut *tx).await?;
        }
        if t.columns.iter().any(|(n, _)| n == "id") {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT setval(s, COALESCE((SELECT MAX(id) FROM {}), 0) + 1, false) \
                 FROM pg_get_serial_sequence($1, 'id') AS s WHERE s IS NOT NULL",
                ident(&t.name)
            )))
            .bind(&t.name)
            .execute(&mut *tx)
            .await?;
        }
        // Read back inside the transaction: the copy commits only if every row arrived whole.
        let mut copied = pg_rows(&mut tx, t).await?;
        let mut expected = rows;
        copied.sort();
        expected.sort();
        if copied != expected {
            return Err(CopyError::Differs(t.name.clone()));
        }
        report.push((t.name.clone(), expected.len() as u64));
    }
    tx.commit().await?;
    Ok(report)
}

impl Table {
    fn column_list(&self) -> String {
        let names: Vec<String> = self.columns.iter().map(|(n, _)| ident(n)).collect();
        names.join(", ")
    }
}

async fn versions_in_sqlite(pool: &SqlitePool) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(pool)
        .await
}

async fn versions_in_postgres(pool: &PgPool) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(pool)
        .await
}

/// The portal's tables in PostgreSQL, each after the tables it references, with their columns.
async fn tables(pool: &PgPool) -> Result<Vec<Table>, CopyError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
           AND table_name <> '_sqlx_migrations' ORDER BY table_name",
    )
    .fetch_all(pool)
    .await?;
    let references: Vec<(String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint \
         WHERE contype = 'f' AND conrelid <> confrelid",
    )
    .fetch_all(pool)
    .await?;
    let mut ordered: Vec<String> = Vec::new();
    let mut placed = BTreeSet::new();
    while ordered.len() < names.len() {
        let ready: Vec<String> = names
            .iter()
            .filter(|n| !placed.contains(*n))
            .filter(|n| {
                references
                    .iter()
                    .all(|(from, to)| from != *n || placed.contains(to) || !names.contains(to))
            })
            .cloned()
            .collect();
        assert!(!ready.is_empty(), "the schema's foreign keys form a cycle");
        for n in ready {
            placed.insert(n.clone());
            ordered.push(n);
        }
    }
    let mut tables = Vec::new();
    for name in ordered {
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(pool)
        .await?;
        let columns = columns
            .into_iter()
            .map(|(column, kind)| {
                let k = match kind.as_str() {
                    "bigint" | "integer" | "smallint" => Kind::Int,
                    "text" | "character varying" => Kind::Text,
                    "boolean" => Kind::Bool,
                    "bytea" => Kind::Bytes,
                    _ => {
                        return Err(CopyError::Type {
                            table: name.clone(),
                            column,
                            kind,
                        });
                    }
                };
                Ok((column, k))
            })
            .collect::<Result<_, _>>()?;
        tables.push(Table { name, columns });
    }
    Ok(tables)
}

/// A quoted identifier. Table and column names come from the target's catalogue (the portal's own
/// migrations), never from input; quoting keeps any name whole all the same.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn value(row: &SqliteRow, i: usize, kind: Kind) -> Result<Value, sqlx::Error> {
    Ok(match kind {
        Kind::Int => Value::Int(row.try_get(i)?),
        Kind::Text => Value::Text(row.try_get(i)?),
        Kind::Bool => Value::Bool(row.try_get(i)?),
        Kind::Bytes => Value::Bytes(row.try_get(i)?),
    })
}

fn pg_value(row: &sqlx::postgres::PgRow, i: usize, kind: Kind) -> Result<Value, sqlx::Error> {
    Ok(match kind {
        Kind::Int => Value::Int(row.try_get(i)?),
        Kind::Text => Value::Text(row.try_get(i)?),
        Kind::Bool => Value::Bool(row.try_get(i)?),
        Kind::Bytes => Value::Bytes(row.try_get(i)?),
    })
}

async fn sqlite_rows(pool: &SqlitePool, t: &Table) -> Result<Vec<Vec<Value>>, sqlx::Error> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {} FROM {}",
        t.column_list(),
        ident(&t.name)
    )))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            (t.columns.iter().enumerate())
                .map(|(i, (_, k))| value(row, i, *k))
                .collect()
        })
        .collect()
}

async fn pg_rows(conn: &mut sqlx::PgConnection, t: &Table) -> Result<Vec<Vec<Value>>, sqlx::Error> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {} FROM {}",
        t.column_list(),
        ident(&t.name)
    )))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            (t.columns.iter().enumerate())
                .map(|(i, (_, k))| pg_value(row, i, *k))
                .collect()
        })
        .collect()
}
