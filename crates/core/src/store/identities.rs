use super::StoreResult;
use crate::{
    audit::Actor,
    user::{NewUser, User},
};
use async_trait::async_trait;

/// Accounts' identities at OpenID providers, keyed by (issuer, subject): never by e-mail or name.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// The account this provider identity signs in as, if it has one.
    async fn user_by_identity(&self, issuer: &str, subject: &str) -> StoreResult<Option<User>>;
    /// Creates the account of an identity's first sign-in and links the identity to it, at once;
    /// a name already taken is a field error on `username` and creates nothing.
    async fn create_identity_user(
        &self,
        new: NewUser,
        issuer: &str,
        subject: &str,
        by: &Actor,
    ) -> StoreResult<User>;
}
