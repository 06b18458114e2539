//! Personal API tokens: `vmp_` and 64 hex digits (the prefix lets secret scanners spot a leaked
//! one), sent as `Authorization: Bearer`. Like sessions, only their SHA-256 is stored.

use super::session::{TOUCH_EVERY, hash, new_token};
use crate::{
    error::{AppError, AppResult},
    state::AppState,
};
use axum::http::{header, request::Parts};
use vmportal_core::{now, user::User};

const PREFIX: &str = "vmp_";

pub fn new_api_token() -> String {
    format!("{PREFIX}{}", new_token())
}

/// The bearer token, if the request has an `Authorization` header; a header that is not a
/// well-formed token is refused rather than ignored.
pub(super) fn bearer(parts: &Parts) -> AppResult<Option<String>> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| {
            t.strip_prefix(PREFIX)
                .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .ok_or(AppError::Unauthenticated)?;
    Ok(Some(token.to_owned()))
}

/// The user of a live token, noting its use.
pub(super) async fn resume(state: &AppState, token: &str) -> AppResult<Option<(User, String)>> {
    let token_hash = hash(token);
    let t = now();
    let Some((token, user)) = state.store.api_token(&token_hash, t).await? else {
        return Ok(None);
    };
    if token
        .last_used_at
        .is_none_or(|last| t - last >= TOUCH_EVERY)
    {
        state.store.touch_api_token(token.id, t).await?;
    }
    Ok(Some((user, token_hash)))
}
