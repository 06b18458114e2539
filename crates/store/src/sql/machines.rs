use super::{
    Backend, audit, backend,
    rows::{DriftRow, MachineRow, all, secs},
};
use async_trait::async_trait;
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    ids::{MachineId, UserId},
    machine::{Drift, Machine, MachinePatch},
    now,
    store::{MachineStore, StoreError, StoreResult},
};

#[async_trait]
impl MachineStore for Backend {
    async fn machine(&self, id: MachineId) -> StoreResult<Option<Machine>> {
        let row: Option<MachineRow> =
            sqlx::query_as(concat!(machine_select!(), " WHERE m.id = $1"))
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        row.map(MachineRow::into_machine).transpose()
    }

    async fn machines(&self, owner: Option<UserId>) -> StoreResult<Vec<Machine>> {
        let rows: Vec<MachineRow> = sqlx::query_as(concat!(
            machine_select!(),
            " WHERE m.state <> 'deleted' AND ($1 IS NULL OR m.owner_id = $1) ORDER BY m.id DESC"
        ))
        .bind(owner.map(|u| u.0))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        all(rows, MachineRow::into_machine)
    }

    async fn update_machine(&self, id: MachineId, p: MachinePatch) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let before: Option<String> = sqlx::query_scalar("SELECT state FROM machines WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let before = before.ok_or(StoreError::NotFound)?;
        sqlx::query(
            "UPDATE machines SET state = COALESCE($1, state), node = COALESCE($2, node), \
             external_id = COALESCE($3, external_id), address = COALESCE($4, address), \
             access_host = COALESCE($5, access_host), access_port = COALESCE($6, access_port), \
             login_name = COALESCE($7, login_name), secret_enc = COALESCE($8, secret_enc), \
             last_error = CASE WHEN $9 THEN $10 ELSE last_error END, updated_at = $11 WHERE id = $12",
        )
        .bind(p.state.map(|s| s.as_str()))
        .bind(&p.node)
        .bind(&p.external_id)
        .bind(&p.address)
        .bind(&p.host)
        .bind(p.port)
        .bind(&p.login_name)
        .bind(&p.secret)
        .bind(p.last_error.is_some())
        .bind(p.last_error.clone().flatten())
        .bind(secs(now()))
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if let Some(state) = p.state.filter(|s| s.as_str() != before) {
            let event = NewAuditEvent {
                action: action::MACHINE_STATE,
                object_type: "machine",
                object_id: Some(id.0),
                detail: format!("{before} -> {state}"),
            };
            audit::write(&mut tx, &Actor::system("worker"), event).await?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn machine_secret(&self, id: MachineId) -> StoreResult<Option<Vec<u8>>> {
        let row: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT secret_enc FROM machines WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        Ok(row.flatten())
    }

    async fn replace_drift(&self, provider: &str, found: Vec<Drift>) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM drift WHERE provider = $1")
            .bind(provider)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for d in found {
            sqlx::query(
                "INSERT INTO drift (provider, kind, machine_id, external_id, name, detected_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(provider)
            .bind(&d.kind)
            .bind(d.machine_id.map(|m| m.0))
            .bind(&d.external_id)
            .bind(&d.name)
            .bind(secs(d.detected_at))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn drift(&self) -> StoreResult<Vec<Drift>> {
        let rows: Vec<DriftRow> = sqlx::query_as(
            "SELECT provider, kind, machine_id, external_id, name, detected_at FROM drift ORDER BY provider, name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        all(rows, DriftRow::into_drift)
    }
}
