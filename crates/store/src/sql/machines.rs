use super::{
    Backend, audit, backend,
    list::{self, Where, order_by},
    rows::{DriftRow, MachineRow, all, secs},
};
use async_trait::async_trait;
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    ids::MachineId,
    machine::{Drift, Machine, MachinePatch},
    now,
    store::{
        DriftQuery, DriftSort, Listed, MachineQuery, MachineSort, MachineStore, StoreError,
        StoreResult,
    },
};

/// The conditions and order of a machine list. Each condition is written only when asked for:
/// `(? IS NULL OR m.owner_id = ?)` would keep SQLite from using the owner index.
fn listing(query: &MachineQuery) -> (Where, String) {
    let filter = match query.state {
        Some(state) => Where::default().eq_text("m.state", Some(state.as_str())),
        None => Where::default().sql("m.state <> 'deleted'"),
    }
    .eq_int("m.owner_id", query.scope.map(|u| u.0))
    .eq_text("u.username", query.owner.as_deref())
    .contains(&["m.name", "u.username"], query.q.as_deref());
    let (expr, desc) = match query.sort.key {
        MachineSort::Newest => ("m.id", true),
        MachineSort::Created => ("m.id", false),
        MachineSort::Name => ("m.name", false),
        MachineSort::State => ("m.state", false),
        MachineSort::Owner => ("u.username", false),
    };
    (filter, order_by(expr, desc, query.sort.descending, "m.id"))
}

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

    async fn machines(&self, query: &MachineQuery) -> StoreResult<Listed<Machine>> {
        let (filter, order) = listing(query);
        list::fetch(
            &self.pool,
            machine_select!(),
            "SELECT COUNT(*) FROM machines m JOIN users u ON u.id = m.owner_id",
            &filter,
            &order,
            query.page,
            MachineRow::into_machine,
        )
        .await
    }

    async fn machines_on(&self, provider: &str) -> StoreResult<Vec<Machine>> {
        let rows: Vec<MachineRow> = sqlx::query_as(concat!(
            machine_select!(),
            " WHERE m.provider = $1 AND m.state <> 'deleted' ORDER BY m.id"
        ))
        .bind(provider)
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

    async fn drift(&self, query: &DriftQuery) -> StoreResult<Listed<Drift>> {
        let filter = Where::default()
            .eq_text("kind", query.state.map(|k| k.as_str()))
            .contains(&["name", "provider", "external_id"], query.q.as_deref());
        let (expr, desc) = match query.sort.key {
            DriftSort::Provider => ("provider, name", false),
            DriftSort::Name => ("name", false),
            DriftSort::Kind => ("kind", false),
            DriftSort::Detected => ("detected_at", true),
        };
        list::fetch(
            &self.pool,
            "SELECT provider, kind, machine_id, external_id, name, detected_at FROM drift",
            "SELECT COUNT(*) FROM drift",
            &filter,
            &order_by(expr, desc, query.sort.descending, "id"),
            query.page,
            DriftRow::into_drift,
        )
        .await
    }
}

sqlite_only! {
#[cfg(test)]
mod tests {
    use super::*;
    use vmportal_core::{ids::UserId, store::ListQuery};

    async fn plan(query: &MachineQuery) -> String {
        let dir = tempfile::tempdir().unwrap();
        let store = Backend::connect(dir.path().join("t.db").to_str().unwrap())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let (filter, order) = listing(query);
        list::plan(&store.pool, machine_select!(), &filter, &order).await
    }

    #[tokio::test]
    async fn a_users_machines_are_found_through_the_owner_index() {
        let plan = plan(&ListQuery::of(UserId(7))).await;
        assert!(plan.contains("USING INDEX machines_by_owner"), "{plan}");
    }

    #[tokio::test]
    async fn everyones_newest_machines_need_no_sort() {
        let plan = plan(&MachineQuery::default()).await;
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}
}
