use super::StoreResult;
use crate::{Timestamp, audit::Actor, ids::UserId, user::User};
use async_trait::async_trait;

/// A signed-in session. The token itself is never stored, only its SHA-256.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: Session) -> StoreResult<()>;
    /// The live session with this token hash and its user, if neither expired nor disabled.
    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Session, User)>>;
    async fn touch_session(
        &self,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64>;
    /// Ends all of `user`'s sessions and API tokens, with an audit event saying why.
    async fn end_sign_ins(&self, user: UserId, why: &str, by: &Actor) -> StoreResult<()>;
}
