//! Ending everything a user signed in with at once: sessions and API tokens.

use super::{SqliteStore, audit, backend};
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    ids::UserId,
    store::StoreResult,
};

impl SqliteStore {
    pub(crate) async fn remove_sign_ins(
        &self,
        user: UserId,
        why: &str,
        by: &Actor,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        for table in [
            "DELETE FROM sessions WHERE user_id = ?",
            "DELETE FROM api_tokens WHERE user_id = ?",
        ] {
            sqlx::query(table)
                .bind(user.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        let event = NewAuditEvent {
            action: action::SIGN_INS_ENDED,
            object_type: "user",
            object_id: Some(user.0),
            detail: why.to_owned(),
        };
        audit::write(&mut tx, by, event).await?;
        tx.commit().await.map_err(backend)
    }
}
