use super::{
    Args, Backend, Db, audit, backend,
    rows::{TemplateRow, all},
    unique_as,
};
use async_trait::async_trait;
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    ids::TemplateId,
    msg, now,
    store::{StoreError, StoreResult, TemplateStore},
    template::{Template, TemplateSpec},
};

macro_rules! template_select {
    () => {
        "SELECT id, name, description, provider, kind, os_family, source, default_cpus, \
    default_memory_mib, default_disk_gib, max_cpus, max_memory_mib, max_disk_gib, \
    shutdown_timeout_secs, locale, max_snapshots, enabled, created_at, lease_days, max_lease_days, \
    extend_days, expiry_action, grace_days, idle_stop_minutes FROM templates"
    };
}

#[async_trait]
impl TemplateStore for Backend {
    async fn create_template(&self, spec: TemplateSpec, by: &Actor) -> StoreResult<Template> {
        let mut tx = self.write().await?;
        let id: i64 = with_spec(
            sqlx::query_scalar(
            "INSERT INTO templates (name, description, provider, kind, os_family, source, \
             default_cpus, default_memory_mib, default_disk_gib, max_cpus, max_memory_mib, max_disk_gib, \
             shutdown_timeout_secs, locale, max_snapshots, enabled, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
            ),
            &spec,
        )
        .bind(now().unix_timestamp())
        .fetch_one(&mut *tx)
        .await
        .map_err(unique_as("name", msg("err-template-name-taken")))?;
        super::leases::write_policy(&mut tx, TemplateId(id), &spec.lease).await?;
        audit::write(&mut tx, by, event(action::TEMPLATE_CREATE, id, &spec)).await?;
        tx.commit().await.map_err(backend)?;
        self.template(TemplateId(id))
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn update_template(
        &self,
        id: TemplateId,
        spec: TemplateSpec,
        by: &Actor,
    ) -> StoreResult<Template> {
        let mut tx = self.write().await?;
        let updated: Option<i64> = with_spec(
            sqlx::query_scalar(
            "UPDATE templates SET name = $1, description = $2, provider = $3, kind = $4, os_family = $5, \
             source = $6, default_cpus = $7, default_memory_mib = $8, default_disk_gib = $9, max_cpus = $10, \
             max_memory_mib = $11, max_disk_gib = $12, shutdown_timeout_secs = $13, locale = $14, max_snapshots = $15, enabled = $16 WHERE id = $17 RETURNING id",
            ),
            &spec,
        )
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(unique_as("name", msg("err-template-name-taken")))?;
        if updated.is_none() {
            return Err(StoreError::NotFound);
        }
        super::leases::write_policy(&mut tx, id, &spec.lease).await?;
        audit::write(&mut tx, by, event(action::TEMPLATE_UPDATE, id.0, &spec)).await?;
        tx.commit().await.map_err(backend)?;
        self.template(id).await?.ok_or(StoreError::NotFound)
    }

    async fn template(&self, id: TemplateId) -> StoreResult<Option<Template>> {
        let row: Option<TemplateRow> =
            sqlx::query_as(concat!(template_select!(), " WHERE id = $1"))
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        row.map(TemplateRow::into_template).transpose()
    }

    async fn templates(&self) -> StoreResult<Vec<Template>> {
        let rows: Vec<TemplateRow> = sqlx::query_as(concat!(template_select!(), " ORDER BY name"))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        all(rows, TemplateRow::into_template)
    }
}

type IdQuery<'q> = sqlx::query::QueryScalar<'q, Db, i64, Args>;

/// Binds the template's columns, in the order both statements list them.
fn with_spec<'q>(q: IdQuery<'q>, spec: &TemplateSpec) -> IdQuery<'q> {
    q.bind(spec.name.clone())
        .bind(spec.description.clone())
        .bind(spec.provider.clone())
        .bind(spec.kind.as_str())
        .bind(spec.os_family.as_str())
        .bind(spec.source.clone())
        .bind(spec.defaults.cpus)
        .bind(spec.defaults.memory_mib)
        .bind(spec.defaults.disk_gib)
        .bind(spec.limits.cpus)
        .bind(spec.limits.memory_mib)
        .bind(spec.limits.disk_gib)
        .bind(spec.shutdown_timeout_secs)
        .bind(spec.locale.clone())
        .bind(spec.max_snapshots)
        .bind(spec.enabled)
}

fn event(action: &'static str, id: i64, spec: &TemplateSpec) -> NewAuditEvent {
    NewAuditEvent {
        action,
        object_type: "template",
        object_id: Some(id),
        detail: format!(
            "{} ({} {} on {}, source {}, max {} CPU / {} MiB / {} GiB, {} snapshots{})",
            spec.name,
            spec.os_family,
            spec.kind,
            spec.provider,
            spec.source,
            spec.limits.cpus,
            spec.limits.memory_mib,
            spec.limits.disk_gib,
            spec.max_snapshots,
            if spec.enabled { "" } else { ", disabled" }
        ),
    }
}
