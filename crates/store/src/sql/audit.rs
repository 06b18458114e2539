use super::{
    Backend, Conn, backend,
    list::{self, Where, order_by},
    rows::AuditRow,
};
use async_trait::async_trait;
use vmportal_core::{
    audit::{Actor, AuditEvent, NewAuditEvent},
    now,
    store::{AuditQuery, AuditSort, AuditStore, Listed, StoreResult},
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

#[async_trait]
impl AuditStore for Backend {
    async fn record(&self, by: &Actor, event: NewAuditEvent) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        write(&mut conn, by, event).await
    }

    async fn audit(&self, query: &AuditQuery) -> StoreResult<Listed<AuditEvent>> {
        let filter = Where::default()
            .eq_int("actor_id", query.scope.map(|u| u.0))
            .eq_text("actor", query.owner.as_deref())
            .contains(&["actor", "action", "detail"], query.q.as_deref());
        let (expr, desc) = match query.sort.key {
            AuditSort::Newest => ("id", true),
            AuditSort::At => ("id", false),
            AuditSort::Actor => ("actor", false),
            AuditSort::Action => ("action", false),
        };
        list::fetch(
            &self.pool,
            "SELECT id, at, actor_id, actor, ip, action, object_type, object_id, detail \
             FROM audit_events",
            "SELECT COUNT(*) FROM audit_events",
            &filter,
            &order_by(expr, desc, query.sort.descending, "id"),
            query.page,
            AuditRow::into_event,
        )
        .await
    }
}
