//! What signed-in people change about their own account.

use crate::{
    auth::{Signed, start_session},
    error::AppResult,
    state::AppState,
};
use vmportal_core::{
    Invalid, msg, names,
    password::Password,
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
    if by.user.source != UserSource::Local {
        return Err(Invalid::field("current_password", msg("err-password-in-directory")).into());
    }
    let matches = super::session::confirm_password(state, by, current).await?;
    let mut invalid = Invalid::default();
    if !matches {
        invalid.push("current_password", msg("err-wrong-current-password"));
    }
    let new = invalid.check(Password::parse("new_password", new));
    let (Some(new), true) = (new, invalid.is_empty()) else {
        return Err(invalid.into());
    };
    let patch = UserPatch {
        password_hash: Some(state.hashing.hash(new).await?),
        must_change_password: Some(false),
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
