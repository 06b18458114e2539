//! TOTP secrets and recovery codes of local accounts.

use super::{Backend, audit, backend, rows::secs};
use async_trait::async_trait;
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    ids::UserId,
    now,
    second_factor::TotpEnrolment,
    store::{SecondFactorStore, StoreError, StoreResult},
};

#[async_trait]
impl SecondFactorStore for Backend {
    async fn totp(&self, user: UserId) -> StoreResult<Option<TotpEnrolment>> {
        let row: Option<(Vec<u8>, bool, i64)> =
            sqlx::query_as("SELECT secret, confirmed, last_step FROM totp WHERE user_id = $1")
                .bind(user.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        Ok(
            row.map(|(sealed_secret, confirmed, last_step)| TotpEnrolment {
                sealed_secret,
                confirmed,
                last_step,
            }),
        )
    }

    async fn begin_totp(&self, user: UserId, sealed: Vec<u8>) -> StoreResult<()> {
        let done = sqlx::query(
            "INSERT INTO totp (user_id, secret, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, \
             created_at = excluded.created_at WHERE NOT totp.confirmed",
        )
        .bind(user.0)
        .bind(sealed)
        .bind(secs(now()))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Busy(vmportal_core::msg("err-totp-already")));
        }
        Ok(())
    }

    async fn confirm_totp(
        &self,
        user: UserId,
        step: i64,
        recovery_hashes: Vec<String>,
        by: &Actor,
    ) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        let done = sqlx::query(
            "UPDATE totp SET confirmed = TRUE, last_step = $1 WHERE user_id = $2 AND NOT confirmed",
        )
        .bind(step)
        .bind(user.0)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM totp_recovery_codes WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for hash in &recovery_hashes {
            sqlx::query("INSERT INTO totp_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user.0)
                .bind(hash)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        let event = NewAuditEvent {
            action: action::TOTP_ENABLED,
            object_type: "user",
            object_id: Some(user.0),
            detail: format!("{} recovery codes", recovery_hashes.len()),
        };
        audit::write(&mut tx, by, event).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }

    async fn use_totp_step(&self, user: UserId, step: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE totp SET last_step = $1 WHERE user_id = $2 AND confirmed AND last_step < $3",
        )
        .bind(step)
        .bind(user.0)
        .bind(step)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_recovery_code(&self, user: UserId, hash: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE totp_recovery_codes SET used_at = $1 \
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(secs(now()))
        .bind(user.0)
        .bind(hash)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn reset_totp(&self, user: UserId, by: &Actor) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM totp_recovery_codes WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let done = sqlx::query("DELETE FROM totp WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let event = NewAuditEvent {
            action: action::TOTP_RESET,
            object_type: "user",
            object_id: Some(user.0),
            detail: String::new(),
        };
        audit::write(&mut tx, by, event).await?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }
}
