//! Accounts' identities at OpenID providers.

use super::{SqliteStore, audit, backend, unique_as, users};
use async_trait::async_trait;
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    ids::UserId,
    now,
    store::{IdentityStore, StoreResult, UserStore},
    user::{NewUser, User},
};

#[async_trait]
impl IdentityStore for SqliteStore {
    async fn user_by_identity(&self, issuer: &str, subject: &str) -> StoreResult<Option<User>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT user_id FROM oidc_identities WHERE issuer = ? AND subject = ?",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        match id {
            Some(id) => self.user(UserId(id)).await,
            None => Ok(None),
        }
    }

    async fn create_identity_user(
        &self,
        new: NewUser,
        issuer: &str,
        subject: &str,
        by: &Actor,
    ) -> StoreResult<User> {
        let mut tx = self.write().await?;
        let user = users::insert(&mut tx, new, by).await?;
        link(&mut tx, user.id, issuer, subject, by).await?;
        tx.commit().await.map_err(backend)?;
        Ok(user)
    }
}

async fn link(
    tx: &mut sqlx::SqliteConnection,
    user: UserId,
    issuer: &str,
    subject: &str,
    by: &Actor,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO oidc_identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(issuer)
    .bind(subject)
    .bind(user.0)
    .bind(now().unix_timestamp())
    .execute(&mut *tx)
    .await
    .map_err(unique_as("identity", "is already linked to an account"))?;
    audit::write(
        tx,
        by,
        NewAuditEvent {
            action: action::IDENTITY_LINK,
            object_type: "user",
            object_id: Some(user.0),
            detail: format!("{issuer} {subject}"),
        },
    )
    .await
}
