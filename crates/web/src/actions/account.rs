//! What signed-in people change about their own account.

use super::hash_password;
use crate::{
    auth::{Signed, start_session},
    error::{AppError, AppResult},
    state::AppState,
};
use vmportal_core::{
    Invalid, msg, names,
    password::{self, Password},
    preferences::Preferences,
    user::{User, UserPatch, UserSource},
};

/// Checks the current password, sets the new one, ends every session of the account (a stolen
/// one included) and starts a fresh one for the caller; gives back its token.
pub async fn change_password(
    state: &AppState,
    by: &Signed,
    current: &str,
    new: &str,
) -> AppResult<String> {
    by.require_session()?;
    // Guessing the current password through a stolen session counts like sign-in attempts.
    if !state.limiter.allow(by.ip, by.user.username.as_str()) {
        return Err(AppError::TooManyAttempts);
    }
    if by.user.source != UserSource::Local {
        return Err(Invalid::field("current_password", msg("err-password-in-directory")).into());
    }
    let (_, hash) = state
        .store
        .user_for_login(by.user.username.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let (candidate, hash) = (
        current.to_owned(),
        hash.unwrap_or_else(|| password::dummy_hash().to_owned()),
    );
    let matches = tokio::task::spawn_blocking(move || password::verify(&candidate, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut invalid = Invalid::default();
    if !matches {
        invalid.push("current_password", msg("err-wrong-current-password"));
    }
    let new = invalid.check(Password::parse("new_password", new));
    let (Some(new), true) = (new, invalid.is_empty()) else {
        return Err(invalid.into());
    };
    let patch = UserPatch {
        password_hash: Some(hash_password(new).await?),
        ..Default::default()
    };
    let user = state
        .store
        .update_user(by.user.id, patch, &by.actor())
        .await?;
    start_session(state, &user).await
}

/// Sets or removes (empty) the SSH public key new machines receive.
pub async fn set_ssh_key(state: &AppState, by: &Signed, key: &str) -> AppResult<User> {
    let key = names::ssh_public_key("ssh_public_key", key)?;
    let patch = UserPatch {
        ssh_public_key: Some(key),
        ..Default::default()
    };
    Ok(state
        .store
        .update_user(by.user.id, patch, &by.actor())
        .await?)
}

/// Saves `by`'s language and mail choices.
pub async fn set_preferences(state: &AppState, by: &Signed, prefs: Preferences) -> AppResult<()> {
    Ok(state
        .store
        .set_preferences(by.user.id, prefs, &by.actor())
        .await?)
}
