use super::{
    Backend, audit, backend,
    rows::{SessionRow, secs},
};
use async_trait::async_trait;
use vmportal_core::{
    Timestamp,
    audit::{Actor, NewAuditEvent, action},
    ids::UserId,
    store::{Session, SessionStore, StoreResult, UserStore},
    user::User,
};

#[async_trait]
impl SessionStore for Backend {
    async fn create_session(&self, s: Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.token_hash)
        .bind(s.user_id.0)
        .bind(secs(s.created_at))
        .bind(secs(s.last_seen_at))
        .bind(secs(s.expires_at))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Session, User)>> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled",
        )
        .bind(token_hash)
        .bind(secs(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let session = row.into_session()?;
        Ok(self.user(session.user_id).await?.map(|u| (session, u)))
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
            .bind(secs(now))
            .bind(secs(expires_at))
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(secs(now))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }

    /// Sessions and API tokens together: whatever signed the user in.
    async fn end_sign_ins(&self, user: UserId, why: &str, by: &Actor) -> StoreResult<()> {
        let mut tx = self.write().await?;
        for table in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM api_tokens WHERE user_id = $1",
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
