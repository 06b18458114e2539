use super::{Listed, StoreResult, UserQuery};
use crate::{
    audit::Actor,
    ids::UserId,
    user::{NewUser, User, UserPatch},
};
use async_trait::async_trait;

#[async_trait]
pub trait UserStore: Send + Sync {
    async fn create_user(&self, new: NewUser, by: &Actor) -> StoreResult<User>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// The user and their password hash, for sign-in.
    async fn user_for_login(&self, username: &str) -> StoreResult<Option<(User, Option<String>)>>;
    async fn users(&self, query: &UserQuery) -> StoreResult<Listed<User>>;
    async fn count_users(&self) -> StoreResult<i64>;
    /// Disabling a user or changing their password also ends all their sessions; a new password
    /// ends their API tokens too.
    async fn update_user(&self, id: UserId, patch: UserPatch, by: &Actor) -> StoreResult<User>;
}
