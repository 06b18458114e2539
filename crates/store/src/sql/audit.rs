use super::{
    Backend, Conn, Pool, backend,
    rows::{AuditRow, all},
};
use async_trait::async_trait;

use vmportal_core::{
    audit::{Actor, AuditEvent, NewAuditEvent},
    now,
    store::{AuditStore, Page, StoreResult},
};

/// Writes `event` on `conn`, inside the caller's transaction.
pub(crate) async fn write(conn: &mut Conn, by: &Actor, event: NewAuditEvent) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (at, actor_id, actor, ip, action, object_type, object_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(now().unix_timestamp())
    .bind(by.user.map(|u| u.0))
    .bind(&by.name)
    .bind(&by.ip)
    .bind(event.action)
    .bind(event.object_type)
    .bind(event.object_id)
    .bind(event.detail)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

async fn list(pool: &Pool, page: Page) -> StoreResult<(Vec<AuditEvent>, i64)> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT id, at, actor_id, actor, ip, action, object_type, object_id, detail \
         FROM audit_events ORDER BY id DESC LIMIT $1 OFFSET $2",
    )
    .bind(page.size)
    .bind(page.offset())
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(pool)
        .await
        .map_err(backend)?;
    Ok((all(rows, AuditRow::into_event)?, total))
}

#[async_trait]
impl AuditStore for Backend {
    async fn record(&self, by: &Actor, event: NewAuditEvent) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        write(&mut conn, by, event).await
    }

    async fn audit(&self, page: Page) -> StoreResult<(Vec<AuditEvent>, i64)> {
        list(&self.pool, page).await
    }
}
