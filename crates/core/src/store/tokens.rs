use super::StoreResult;
use crate::{
    Timestamp,
    api_token::{ApiToken, NewApiToken},
    audit::Actor,
    ids::{ApiTokenId, UserId},
    user::User,
};
use async_trait::async_trait;

#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores a new API token with its audit event.
    async fn create_api_token(&self, token: NewApiToken, by: &Actor) -> StoreResult<ApiToken>;
    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>>;
    /// Removes one of `user`'s tokens; `false` if they have none with that id.
    async fn revoke_api_token(&self, user: UserId, id: ApiTokenId, by: &Actor)
    -> StoreResult<bool>;
    /// The unexpired token with this hash and its user, if the user is enabled.
    async fn api_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(ApiToken, User)>>;
    async fn touch_api_token(&self, id: ApiTokenId, now: Timestamp) -> StoreResult<()>;
}
