//! Session tokens: 32 random bytes in an HttpOnly cookie; the database keeps only their SHA-256, so
//! a copy of the database does not let anyone sign in. A new token on every sign-in rules out
//! session fixation.

use crate::{error::AppResult, state::AppState};
use axum::http::{HeaderValue, header, request::Parts};
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::Duration;
use vmportal_core::{now, store::Session, user::User};

pub const SESSION_COOKIE: &str = "vmportal_session";
/// Under https the cookie is `__Host-` prefixed: browsers then accept it only Secure, for `/`, from
/// this very host, so a sibling subdomain cannot plant or shadow it.
const HOST_SESSION_COOKIE: &str = "__Host-vmportal_session";

fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        HOST_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// Extending a session (or noting an API token's use) costs a write; once a minute is precise
/// enough.
pub(super) const TOUCH_EVERY: Duration = Duration::seconds(60);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub(super) fn cookie_token(parts: &Parts, state: &AppState) -> Option<String> {
    let wanted = cookie_name(state);
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// 32 random bytes, hex: a secret for a cookie or a URL (sessions, console tickets).
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Creates a session for `user`; returns the token for the cookie.
pub async fn start_session(state: &AppState, user: &User) -> AppResult<String> {
    let token = new_token();
    let t = now();
    state
        .store
        .create_session(Session {
            token_hash: hash(&token),
            user_id: user.id,
            created_at: t,
            last_seen_at: t,
            expires_at: t + Duration::minutes(state.config.sessions.idle_minutes),
        })
        .await?;
    Ok(token)
}

/// The user of a live session and its token's hash, extending the session's idle deadline.
pub(super) async fn resume(state: &AppState, token: &str) -> AppResult<Option<(User, String)>> {
    let token_hash = hash(token);
    Ok(in_use(state, &token_hash)
        .await?
        .map(|user| (user, token_hash)))
}

/// The user of the live session `token_hash`, which is in use: its idle deadline moves on (at
/// most once a minute, never past the session's maximum age).
pub(crate) async fn in_use(state: &AppState, token_hash: &str) -> AppResult<Option<User>> {
    let t = now();
    let Some((session, user)) = state.store.session(token_hash, t).await? else {
        return Ok(None);
    };
    let cfg = &state.config.sessions;
    let max_end = session.created_at + Duration::hours(cfg.max_hours);
    if t >= max_end {
        state.store.delete_session(token_hash).await?;
        return Ok(None);
    }
    if t - session.last_seen_at >= TOUCH_EVERY {
        let expires = (t + Duration::minutes(cfg.idle_minutes)).min(max_end);
        state.store.touch_session(token_hash, t, expires).await?;
    }
    Ok(Some(user))
}

pub async fn end_session(state: &AppState, token_hash: &str) -> AppResult<()> {
    Ok(state.store.delete_session(token_hash).await?)
}

pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    cookie(state, token, "")
}

pub fn clear_cookie(state: &AppState) -> HeaderValue {
    cookie(state, "", "; Max-Age=0")
}

fn cookie(state: &AppState, value: &str, extra: &str) -> HeaderValue {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let name = cookie_name(state);
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{extra}"
    ))
    .expect("cookie is ASCII")
}
