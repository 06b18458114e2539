//! A person's own API tokens. Making one needs a password sign-in and the password again: a token
//! cannot beget tokens, so a leaked one stays one revocable secret, and a session left open does
//! not mint lasting ones.

use crate::{
    auth::{Signed, new_api_token, token_hash},
    error::{AppError, AppResult},
    state::AppState,
};
use vmportal_core::{
    Invalid,
    api_token::{ApiToken, NewApiToken, TokenName, lifetime_days},
    ids::ApiTokenId,
    msg, now,
};

/// A new token and its secret, which is shown this once.
pub struct Minted {
    pub token: ApiToken,
    pub secret: String,
}

pub async fn create(
    state: &AppState,
    by: &Signed,
    name: &str,
    expires_in_days: Option<i64>,
    password: &str,
) -> AppResult<Minted> {
    by.require_session()?;
    let mut invalid = Invalid::default();
    if !super::session::confirm_password(state, by, password).await? {
        invalid.push("password", msg("err-not-your-password"));
    }
    let name = invalid.check(TokenName::parse("name", name));
    let lifetime = invalid.check(lifetime_days("expires_in_days", expires_in_days));
    let (Some(name), Some(lifetime), true) = (name, lifetime, invalid.is_empty()) else {
        return Err(invalid.into());
    };
    let secret = new_api_token();
    let new = NewApiToken {
        user_id: by.user.id,
        name,
        token_hash: token_hash(&secret),
        expires_at: lifetime.map(|l| now() + l),
    };
    let token = state.store.create_api_token(new, &by.actor()).await?;
    Ok(Minted { token, secret })
}

pub async fn list(state: &AppState, by: &Signed) -> AppResult<Vec<ApiToken>> {
    Ok(state.store.api_tokens(by.user.id).await?)
}

/// Revokes one of the caller's tokens (a token may revoke itself); someone else's is "not found".
pub async fn revoke(state: &AppState, by: &Signed, id: ApiTokenId) -> AppResult<()> {
    match state
        .store
        .revoke_api_token(by.user.id, id, &by.actor())
        .await?
    {
        true => Ok(()),
        false => Err(AppError::NotFound),
    }
}
