use super::{
    Backend, audit, backend,
    rows::{secs, ts},
};
use async_trait::async_trait;
use vmportal_core::{
    Timestamp,
    api_token::{ApiToken, NewApiToken, TokenName},
    audit::{Actor, NewAuditEvent, action},
    ids::{ApiTokenId, UserId},
    now,
    store::{StoreResult, TokenStore, UserStore},
    user::User,
};

macro_rules! token_columns {
    () => {
        "id, user_id, name, created_at, last_used_at, expires_at"
    };
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    user_id: i64,
    name: String,
    created_at: i64,
    last_used_at: Option<i64>,
    expires_at: Option<i64>,
}

impl TokenRow {
    fn into_token(self) -> StoreResult<ApiToken> {
        Ok(ApiToken {
            id: ApiTokenId(self.id),
            user_id: UserId(self.user_id),
            name: TokenName::from_trusted(self.name),
            created_at: ts(self.created_at)?,
            last_used_at: self.last_used_at.map(ts).transpose()?,
            expires_at: self.expires_at.map(ts).transpose()?,
        })
    }
}

fn token_event(action: &'static str, id: ApiTokenId, name: &TokenName) -> NewAuditEvent {
    NewAuditEvent {
        action,
        object_type: "api_token",
        object_id: Some(id.0),
        detail: name.to_string(),
    }
}

#[async_trait]
impl TokenStore for Backend {
    async fn create_api_token(&self, t: NewApiToken, by: &Actor) -> StoreResult<ApiToken> {
        let mut tx = self.write().await?;
        let row: TokenRow = sqlx::query_as(concat!(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING ",
            token_columns!()
        ))
        .bind(t.user_id.0)
        .bind(t.name.as_str())
        .bind(&t.token_hash)
        .bind(secs(now()))
        .bind(t.expires_at.map(secs))
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        let token = row.into_token()?;
        audit::write(
            &mut tx,
            by,
            token_event(action::TOKEN_CREATE, token.id, &token.name),
        )
        .await?;
        tx.commit().await.map_err(backend)?;
        Ok(token)
    }

    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        let rows: Vec<TokenRow> = sqlx::query_as(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE user_id = $1 ORDER BY id"
        ))
        .bind(user.0)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.into_iter().map(TokenRow::into_token).collect()
    }

    async fn revoke_api_token(
        &self,
        user: UserId,
        id: ApiTokenId,
        by: &Actor,
    ) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        let name: Option<String> = sqlx::query_scalar(
            "DELETE FROM api_tokens WHERE id = $1 AND user_id = $2 RETURNING name",
        )
        .bind(id.0)
        .bind(user.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(name) = name else { return Ok(false) };
        let event = token_event(action::TOKEN_REVOKE, id, &TokenName::from_trusted(name));
        audit::write(&mut tx, by, event).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    async fn api_token(
        &self,
        token_hash: &str,
        at: Timestamp,
    ) -> StoreResult<Option<(ApiToken, User)>> {
        let row: Option<TokenRow> = sqlx::query_as(
            "SELECT t.id, t.user_id, t.name, t.created_at, t.last_used_at, t.expires_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2) \
             AND NOT u.disabled",
        )
        .bind(token_hash)
        .bind(secs(at))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(token) = row.map(TokenRow::into_token).transpose()? else {
            return Ok(None);
        };
        Ok(self.user(token.user_id).await?.map(|u| (token, u)))
    }

    async fn touch_api_token(&self, id: ApiTokenId, at: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(secs(at))
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
