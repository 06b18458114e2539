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

/// Checks a username and password. Unknown user, wrong password, disabled account and directory
/// accounts all answer the same, after the same amount of work, so the answer reveals nothing.
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
    let found = if username.is_empty() || username.len() > 64 {
        None
    } else {
        state.store.user_for_login(username).await?
    };
    let hash = found
        .as_ref()
        .and_then(|(_, h)| h.clone())
        .unwrap_or_else(|| password::dummy_hash().to_owned());
    let candidate = secret.to_owned();
    let matches = tokio::task::spawn_blocking(move || password::verify(&candidate, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let actor = Actor {
        user: found.as_ref().map(|(u, _)| u.id),
        name: username.chars().take(64).collect(),
        ip: ip.map(|i| i.to_string()),
    };
    match found {
        Some((user, _)) if matches && !user.disabled && user.source == UserSource::Local => {
            record(state, &actor, action::LOGIN, &user, String::new()).await?;
            Ok(user)
        }
        Some((user, _)) => {
            let why = if user.disabled {
                "account disabled"
            } else {
                "wrong password"
            };
            record(state, &actor, action::LOGIN_FAILED, &user, why.into()).await?;
            Err(AppError::BadCredentials)
        }
        None => {
            let event = NewAuditEvent {
                action: action::LOGIN_FAILED,
                object_type: "session",
                object_id: None,
                detail: "unknown user".into(),
            };
            state.store.record(&actor, event).await?;
            Err(AppError::BadCredentials)
        }
    }
}

pub async fn signed_out(state: &AppState, actor: &Actor, user: &User) -> AppResult<()> {
    record(state, actor, action::LOGOUT, user, String::new()).await
}

async fn record(
    state: &AppState,
    actor: &Actor,
    action: &'static str,
    user: &User,
    detail: String,
) -> AppResult<()> {
    let event = NewAuditEvent {
        action,
        object_type: "user",
        object_id: Some(user.id.0),
        detail,
    };
    Ok(state.store.record(actor, event).await?)
}
