//! One page of a list: the rows, filtered and sorted by the database, and their total. Conditions
//! are built from constant SQL text and bound values only, so that no caller's text reaches SQL.

use super::{Db, Pool, Row, backend};
use sqlx::{FromRow, QueryBuilder};
use vmportal_core::store::{Listed, Page, StoreResult};

enum Piece {
    Sql(&'static str),
    Int(i64),
    Text(String),
}

/// A conjunction of conditions.
#[derive(Default)]
pub(crate) struct Where(Vec<Piece>);

impl Where {
    fn and(&mut self) {
        self.0.push(Piece::Sql(if self.0.is_empty() {
            " WHERE "
        } else {
            " AND "
        }));
    }

    /// A condition without a value (`m.state <> 'deleted'`).
    pub(crate) fn sql(mut self, condition: &'static str) -> Self {
        self.and();
        self.0.push(Piece::Sql(condition));
        self
    }

    /// `column = value`, when there is a value.
    pub(crate) fn eq_int(mut self, column: &'static str, value: Option<i64>) -> Self {
        if let Some(v) = value {
            self.and();
            self.0
                .extend([Piece::Sql(column), Piece::Sql(" = "), Piece::Int(v)]);
        }
        self
    }

    /// `condition`'s `?`s all bound to `value`, when there is a value.
    pub(crate) fn each_bound(
        mut self,
        condition: &'static [&'static str],
        value: Option<i64>,
    ) -> Self {
        if let Some(v) = value {
            self.and();
            for (i, part) in condition.iter().enumerate() {
                if i > 0 {
                    self.0.push(Piece::Int(v));
                }
                self.0.push(Piece::Sql(part));
            }
        }
        self
    }

    pub(crate) fn eq_text(mut self, column: &'static str, value: Option<&str>) -> Self {
        if let Some(v) = value {
            self.and();
            self.0.extend([
                Piece::Sql(column),
                Piece::Sql(" = "),
                Piece::Text(v.to_owned()),
            ]);
        }
        self
    }

    /// Any of `columns` contains `q` (ASCII case folded, `%` and `_` taken literally).
    pub(crate) fn contains(mut self, columns: &[&'static str], q: Option<&str>) -> Self {
        let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else {
            return self;
        };
        let pattern = format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        self.and();
        self.0.push(Piece::Sql("("));
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                self.0.push(Piece::Sql(" OR "));
            }
            self.0.extend([
                Piece::Sql(column),
                Piece::Sql(like!()),
                Piece::Text(pattern.clone()),
                Piece::Sql(" ESCAPE '\\'"),
            ]);
        }
        self.0.push(Piece::Sql(")"));
        self
    }

    fn push_to(&self, qb: &mut QueryBuilder<Db>) {
        for piece in &self.0 {
            match piece {
                Piece::Sql(s) => qb.push(s),
                Piece::Int(v) => qb.push_bind(*v),
                Piece::Text(v) => qb.push_bind(v.clone()),
            };
        }
    }
}

/// `ORDER BY` for a whitelisted `expr` (constant text): its natural direction unless reversed,
/// then `id` in the same direction so that pages never overlap.
pub(crate) fn order_by(expr: &'static str, natural_desc: bool, reverse: bool, id: &str) -> String {
    let dir = if natural_desc != reverse {
        "DESC"
    } else {
        "ASC"
    };
    format!(" ORDER BY {expr} {dir}, {id} {dir}")
}

/// Runs `select` (which ends with its FROM clause) and `count` (`SELECT COUNT(*) FROM ...`) with
/// the same conditions.
pub(crate) async fn fetch<R, T>(
    pool: &Pool,
    select: &'static str,
    count: &'static str,
    filter: &Where,
    order: &str,
    page: Page,
    convert: impl Fn(R) -> StoreResult<T>,
) -> StoreResult<Listed<T>>
where
    R: for<'r> FromRow<'r, Row> + Send + Unpin,
{
    let mut rows = QueryBuilder::<Db>::new(select);
    filter.push_to(&mut rows);
    rows.push(order)
        .push(" LIMIT ")
        .push_bind(page.size())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let rows: Vec<R> = rows
        .build_query_as()
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    let mut total = QueryBuilder::<Db>::new(count);
    filter.push_to(&mut total);
    let total: i64 = total
        .build_query_scalar()
        .fetch_one(pool)
        .await
        .map_err(backend)?;
    Ok(Listed {
        items: rows.into_iter().map(convert).collect::<StoreResult<_>>()?,
        total,
    })
}

sqlite_only! {
/// SQLite's plan for a page of `select`, one step a line, for tests that check an index is used.
#[cfg(test)]
pub(crate) async fn plan(pool: &Pool, select: &str, filter: &Where, order: &str) -> String {
    use sqlx::Row;
    let mut qb = QueryBuilder::<Db>::new("EXPLAIN QUERY PLAN ");
    qb.push(select);
    filter.push_to(&mut qb);
    qb.push(order).push(" LIMIT 50");
    let rows = qb.build().fetch_all(pool).await.unwrap();
    rows.iter()
        .map(|r| r.get::<String, _>("detail"))
        .collect::<Vec<_>>()
        .join("\n")
}
}
