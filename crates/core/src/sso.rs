//! The `IdentityProvider` trait: single sign-on at an outside provider (OpenID Connect), which
//! vouches for who someone is and which groups they are in. The portal sends the browser there
//! and gets back a one-use code; the provider's crate turns that code into a checked identity.
//! This crate knows none of the protocol.

use crate::user::Role;
use async_trait::async_trait;

/// The secrets of one sign-in in flight, made by [`IdentityProvider::begin`] and kept by the
/// portal (never shown to the browser, except `state`, which comes back with the code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSecrets {
    /// Binds the provider's answer to this sign-in (the browser brings it back).
    pub state: String,
    /// Binds the ID token to this sign-in (the provider puts it in the token).
    pub nonce: String,
    /// Proves that whoever redeems the code started the sign-in (PKCE).
    pub pkce_verifier: String,
}

/// Where to send the browser, and what to keep until it comes back.
#[derive(Debug, Clone)]
pub struct LoginStart {
    pub url: String,
    pub secrets: LoginSecrets,
}

/// A person as the provider vouches for them, after every check of its ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The provider's issuer URL and its stable, never reassigned subject: what the portal keys
    /// the account by (never an e-mail address).
    pub issuer: String,
    pub subject: String,
    /// From the configured username claim.
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub groups: Vec<String>,
    /// `None` when the person is in none of the groups that map to a role, and so may not sign in.
    pub role: Option<Role>,
}

#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    /// The provider's answer is not for this sign-in or does not hold up (wrong state, a code
    /// already used, a token with a bad signature, issuer, audience, nonce or expiry).
    #[error("the sign-in could not be verified: {0}")]
    Rejected(String),
    /// The provider says the person did not sign in (cancelled, refused consent).
    #[error("the provider did not sign you in: {0}")]
    Denied(String),
    /// The provider could not be asked (discovery, the token endpoint).
    #[error("the sign-in provider cannot be reached: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait IdentityProvider: Send + Sync + 'static {
    /// Short name used in the portal's URLs (`/login/sso/{id}`).
    fn id(&self) -> &str;
    /// What the sign-in page's button says after "Sign in with".
    fn label(&self) -> &str;
    /// The provider's authorization URL for a new sign-in, and its secrets.
    async fn begin(&self) -> Result<LoginStart, SsoError>;
    /// Redeems `code` for the identity, checking the ID token against `secrets`.
    async fn finish(&self, code: &str, secrets: &LoginSecrets) -> Result<Identity, SsoError>;
}
