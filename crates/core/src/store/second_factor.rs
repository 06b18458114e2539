use super::StoreResult;
use crate::{audit::Actor, ids::UserId, second_factor::TotpEnrolment};
use async_trait::async_trait;

/// A local account's second factor: its TOTP secret and recovery codes.
#[async_trait]
pub trait SecondFactorStore: Send + Sync {
    /// The user's TOTP secret, confirmed or not.
    async fn totp(&self, user: UserId) -> StoreResult<Option<TotpEnrolment>>;
    /// Keeps a new, unconfirmed secret (replacing an unconfirmed one); a conflict if one is
    /// confirmed.
    async fn begin_totp(&self, user: UserId, sealed_secret: Vec<u8>) -> StoreResult<()>;
    /// Confirms the pending secret, whose code of `step` was just shown, with its recovery codes'
    /// hashes; `false` when nothing is pending.
    async fn confirm_totp(
        &self,
        user: UserId,
        step: i64,
        recovery_hashes: Vec<String>,
        by: &Actor,
    ) -> StoreResult<bool>;
    /// Marks time step `step` used; `false` if it, or a later one, already was.
    async fn use_totp_step(&self, user: UserId, step: i64) -> StoreResult<bool>;
    /// Uses up a recovery code; `false` if the user has no unused one with this hash.
    async fn use_recovery_code(&self, user: UserId, code_hash: &str) -> StoreResult<bool>;
    /// Removes the user's second factor; `false` if they had none.
    async fn reset_totp(&self, user: UserId, by: &Actor) -> StoreResult<bool>;
}
