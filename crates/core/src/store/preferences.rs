//! Each person's own choices (language, which mail), kept apart from the account.

use super::StoreResult;
use crate::{audit::Actor, ids::UserId, preferences::Preferences};
use async_trait::async_trait;

#[async_trait]
pub trait PreferenceStore: Send + Sync {
    /// A user's choices; the defaults when they never chose.
    async fn preferences(&self, user: UserId) -> StoreResult<Preferences>;
    async fn set_preferences(
        &self,
        user: UserId,
        prefs: Preferences,
        by: &Actor,
    ) -> StoreResult<()>;
}
