//! Each user's language and mail choices: one row, written on their first change.

use super::{Backend, audit, backend, corrupt};
use async_trait::async_trait;
use vmportal_core::{
    Lang,
    audit::{Actor, NewAuditEvent, action},
    ids::UserId,
    preferences::{Notifications, Preferences},
    store::{PreferenceStore, StoreResult},
};

#[derive(sqlx::FromRow)]
struct PrefRow {
    language: Option<String>,
    notify_new_request: bool,
    notify_daily_digest: bool,
    notify_decision: bool,
    notify_machine_ready: bool,
    notify_job_failed: bool,
    notify_lease: bool,
}

impl PrefRow {
    fn into_prefs(self) -> StoreResult<Preferences> {
        Ok(Preferences {
            language: self
                .language
                .map(|l| l.parse::<Lang>().map_err(corrupt))
                .transpose()?,
            notifications: Notifications {
                new_request: self.notify_new_request,
                daily_digest: self.notify_daily_digest,
                decision: self.notify_decision,
                machine_ready: self.notify_machine_ready,
                job_failed: self.notify_job_failed,
                lease: self.notify_lease,
            },
        })
    }
}

#[async_trait]
impl PreferenceStore for Backend {
    async fn preferences(&self, user: UserId) -> StoreResult<Preferences> {
        let row: Option<PrefRow> = sqlx::query_as(
            "SELECT language, notify_new_request, notify_daily_digest, notify_decision, \
             notify_machine_ready, notify_job_failed, notify_lease FROM user_preferences WHERE user_id = $1",
        )
        .bind(user.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.map_or(Ok(Preferences::default()), PrefRow::into_prefs)
    }

    async fn set_preferences(
        &self,
        user: UserId,
        prefs: Preferences,
        by: &Actor,
    ) -> StoreResult<()> {
        let n = prefs.notifications;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO user_preferences (user_id, language, notify_new_request, \
             notify_daily_digest, notify_decision, notify_machine_ready, notify_job_failed, \
             notify_lease) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, \
             notify_new_request = excluded.notify_new_request, \
             notify_daily_digest = excluded.notify_daily_digest, \
             notify_decision = excluded.notify_decision, \
             notify_machine_ready = excluded.notify_machine_ready, \
             notify_job_failed = excluded.notify_job_failed, \
             notify_lease = excluded.notify_lease",
        )
        .bind(user.0)
        .bind(prefs.language.map(Lang::code))
        .bind(n.new_request)
        .bind(n.daily_digest)
        .bind(n.decision)
        .bind(n.machine_ready)
        .bind(n.job_failed)
        .bind(n.lease)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        audit::write(
            &mut tx,
            by,
            NewAuditEvent {
                action: action::PREFERENCES_UPDATE,
                object_type: "user",
                object_id: Some(user.0),
                detail: prefs
                    .language
                    .map_or("language: browser", Lang::code)
                    .to_owned(),
            },
        )
        .await?;
        tx.commit().await.map_err(backend)?;
        Ok(())
    }
}
