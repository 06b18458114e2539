//! vmportal's `IdentityProvider` on OpenID Connect, with the `openidconnect` crate: the
//! authorization code flow with PKCE, `state` and `nonce`; the ID token's signature (keys from the
//! provider's JWKS, fetched again when a token names a key not seen yet), issuer, audience,
//! expiry and nonce are checked by the crate. Discovery from the issuer URL.

mod config;
mod http;
mod provider;

pub use config::OidcConfig;
pub use provider::OidcProvider;
