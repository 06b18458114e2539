use super::directory;
use crate::{
    error::{AppError, AppResult},
    state::AppState,
};
use std::net::IpAddr;
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    password,
    user::{User, UserSource},
};

/// Checks a username and password. Local accounts are checked here; every other name goes to the
/// directory when one is configured. Unknown user, wrong password, disabled account and directory
/// members of no allowed group all answer the same; only an unreachable directory says so.
pub async fn sign_in(
    state: &AppState,
    ip: Option<IpAddr>,
    username: &str,
    secret: &str,
) -> AppResult<User> {
    if !state.limiter.allow(ip, username) {
        return Err(AppError::TooManyAttempts);
    }
    let username = username.trim();
    let plausible = !username.is_empty() && username.len() <= 64;
    let found = if plausible {
        state.store.user_for_login(username).await?
    } else {
        None
    };
    let actor = Actor {
        user: found.as_ref().map(|(u, _)| u.id),
        name: username.chars().take(64).collect(),
        ip: ip.map(|i| i.to_string()),
    };
    let local = found
        .as_ref()
        .is_some_and(|(u, _)| u.source == UserSource::Local);
    match &state.directory {
        // A local account is never checked against the directory, so an outage cannot lock out
        // local administrators and the directory cannot take a local name over.
        Some(dir) if plausible && !local => {
            let known = found.map(|(u, _)| u);
            directory::sign_in(
                state,
                dir.as_ref(),
                &actor,
                known.as_ref(),
                username,
                secret,
            )
            .await
        }
        _ => local_sign_in(state, &actor, found, secret).await,
    }
}

/// Unknown users are checked against a dummy hash, so they take as long as a wrong password.
async fn local_sign_in(
    state: &AppState,
    actor: &Actor,
    found: Option<(User, Option<String>)>,
    secret: &str,
) -> AppResult<User> {
    let hash = found
        .as_ref()
        .and_then(|(_, h)| h.clone())
        .unwrap_or_else(|| password::dummy_hash().to_owned());
    let candidate = secret.to_owned();
    let matches = tokio::task::spawn_blocking(move || password::verify(&candidate, &hash))
        .await
        .map_err(AppError::internal)?;
    match found {
        Some((user, _)) if matches && !user.disabled && user.source == UserSource::Local => {
            record(state, actor, action::LOGIN, Some(&user), String::new()).await?;
            Ok(user)
        }
        Some((user, _)) => {
            let why = if user.disabled {
                "account disabled"
            } else {
                "wrong password"
            };
            record(state, actor, action::LOGIN_FAILED, Some(&user), why.into()).await?;
            Err(AppError::BadCredentials)
        }
        None => {
            record(
                state,
                actor,
                action::LOGIN_FAILED,
                None,
                "unknown user".into(),
            )
            .await?;
            Err(AppError::BadCredentials)
        }
    }
}

pub async fn signed_out(state: &AppState, actor: &Actor, user: &User) -> AppResult<()> {
    record(state, actor, action::LOGOUT, Some(user), String::new()).await
}

/// A session event about `user`, or about the session alone when no account is known.
pub(super) async fn record(
    state: &AppState,
    actor: &Actor,
    action: &'static str,
    user: Option<&User>,
    detail: String,
) -> AppResult<()> {
    let event = NewAuditEvent {
        action,
        object_type: if user.is_some() { "user" } else { "session" },
        object_id: user.map(|u| u.id.0),
        detail,
    };
    Ok(state.store.record(actor, event).await?)
}
