use super::{directory, second_factor};
use crate::{
    auth::{
        Signed,
        limiter::{Attempt, Wait},
    },
    error::{AppError, AppResult},
    state::AppState,
};
use std::net::IpAddr;
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    directory::DirectoryError,
    ids::UserId,
    password,
    user::{User, UserSource},
};

/// The longest username the portal keeps; longer ones are refused before any work.
const MAX_USERNAME: usize = 64;

/// Checks a username and password. Local accounts are checked here; every other name goes to the
/// directory when one is configured. Unknown user, wrong password, disabled account and directory
/// members of no allowed group all answer the same; only an unreachable directory says so.
pub async fn sign_in(
    state: &AppState,
    ip: Option<IpAddr>,
    username: &str,
    secret: &str,
    totp: Option<&str>,
) -> AppResult<User> {
    let username = username.trim();
    // No account has such a name: refused before the limiter, the database or a hash is asked.
    if username.is_empty() || username.len() > MAX_USERNAME {
        return Err(AppError::BadCredentials);
    }
    let attempt = Attempt::new(ip, username);
    state
        .limiter
        .admit(&attempt)
        .await
        .map_err(|Wait(d)| AppError::TooManyAttempts(d.as_secs().max(1)))?;
    let result = check(state, ip, username, secret, totp).await;
    match &result {
        Ok(_) => state.limiter.succeeded(&attempt).await,
        Err(AppError::BadCredentials) => state.limiter.failed(&attempt).await,
        Err(_) => {}
    }
    result
}

async fn check(
    state: &AppState,
    ip: Option<IpAddr>,
    username: &str,
    secret: &str,
    totp: Option<&str>,
) -> AppResult<User> {
    let found = state.store.user_for_login(username).await?;
    let actor = Actor {
        user: found.as_ref().map(|(u, _)| u.id),
        name: username.to_owned(),
        ip: ip.map(|i| i.to_string()),
    };
    let local = found
        .as_ref()
        .is_some_and(|(u, _)| u.source == UserSource::Local);
    match &state.directory {
        // A local account is never checked against the directory, so an outage cannot lock out
        // local administrators and the directory cannot take a local name over.
        Some(dir) if !local => {
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
        _ => local_sign_in(state, &actor, found, secret, totp).await,
    }
}

/// Whether `password` is the signed-in caller's own (the directory's, for its members); wrong
/// guesses count like failed sign-ins, so a stolen session cannot guess the password at leisure.
pub async fn confirm_password(state: &AppState, by: &Signed, password: &str) -> AppResult<bool> {
    let username = by.user.username.as_str();
    let attempt = Attempt::new(by.ip, username);
    state
        .limiter
        .admit(&attempt)
        .await
        .map_err(|Wait(d)| AppError::TooManyAttempts(d.as_secs().max(1)))?;
    let matches = match (&state.directory, by.user.source) {
        (Some(dir), UserSource::Ldap) => match dir.authenticate(username, password).await {
            Ok(_) => true,
            Err(DirectoryError::BadCredentials | DirectoryError::NotAllowed) => false,
            Err(e) => {
                tracing::warn!(error = %e, "directory password check impossible");
                return Err(AppError::DirectoryUnavailable(None));
            }
        },
        _ => {
            let hash = state
                .store
                .user_for_login(username)
                .await?
                .and_then(|(_, hash)| hash)
                .unwrap_or_else(|| password::dummy_hash().to_owned());
            state.hashing.verify(password, hash).await?
        }
    };
    if !matches {
        state.limiter.failed(&attempt).await;
    }
    Ok(matches)
}

/// Unknown users are checked against a dummy hash, so they take as long as a wrong password.
async fn local_sign_in(
    state: &AppState,
    actor: &Actor,
    found: Option<(User, Option<String>)>,
    secret: &str,
    totp: Option<&str>,
) -> AppResult<User> {
    let hash = found
        .as_ref()
        .and_then(|(_, h)| h.clone())
        .unwrap_or_else(|| password::dummy_hash().to_owned());
    let matches = state.hashing.verify(secret, hash).await?;
    match found {
        Some((user, _)) if matches && !user.disabled && user.source == UserSource::Local => {
            if second_factor::enabled(state, user.id).await? {
                match totp {
                    None => return Err(AppError::TotpRequired),
                    Some(code) if second_factor::check(state, user.id, code).await? => {}
                    Some(_) => {
                        let why = "wrong second factor".to_owned();
                        record(state, actor, action::LOGIN_FAILED, Some(&user), why).await?;
                        return Err(AppError::BadCredentials);
                    }
                }
            }
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

/// The second step of a page sign-in whose password was right: the code of `user`'s
/// authenticator, or a recovery code. Wrong codes count as failed sign-ins.
pub async fn second_step(
    state: &AppState,
    ip: Option<IpAddr>,
    user: UserId,
    username: &str,
    code: &str,
) -> AppResult<User> {
    let attempt = Attempt::new(ip, username);
    state
        .limiter
        .admit(&attempt)
        .await
        .map_err(|Wait(d)| AppError::TooManyAttempts(d.as_secs().max(1)))?;
    let found = state.store.user(user).await?.filter(|u| !u.disabled);
    let actor = Actor {
        user: Some(user),
        name: username.to_owned(),
        ip: ip.map(|i| i.to_string()),
    };
    match found {
        Some(u) if second_factor::check(state, u.id, code).await? => {
            state.limiter.succeeded(&attempt).await;
            record(state, &actor, action::LOGIN, Some(&u), String::new()).await?;
            Ok(u)
        }
        other => {
            state.limiter.failed(&attempt).await;
            let why = "wrong second factor".to_owned();
            record(state, &actor, action::LOGIN_FAILED, other.as_ref(), why).await?;
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
