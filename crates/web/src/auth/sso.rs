//! Single sign-on in flight: between sending the browser to the provider and its return, the
//! portal keeps the sign-in's secrets (state, nonce, PKCE verifier) here, keyed by the state, and
//! the browser holds the state in a short-lived cookie too. The provider's answer counts only if
//! its `state` is live here *and* is the cookie of the browser that brings it (a link with
//! someone else's answer signs nobody in), and only once. Kept in this instance's memory, like
//! the second sign-in step: behind several instances, sticky sessions.

use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue, header};
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};
use vmportal_core::sso::LoginSecrets;

/// Time to sign in at the provider.
const LIFETIME: Duration = Duration::from_secs(600);
/// At most this many sign-ins in flight; the oldest make room (nothing grows without bound).
const MOST: usize = 10_000;
const COOKIE: &str = "vmportal_sso";

pub struct SsoLogin {
    pub provider: String,
    pub secrets: LoginSecrets,
    /// Where to go after signing in (already checked to be a portal path).
    pub next: String,
}

#[derive(Default)]
pub struct SsoLogins(Mutex<HashMap<String, (SsoLogin, Instant)>>);

impl SsoLogins {
    pub fn start(&self, login: SsoLogin) {
        let mut live = self.0.lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|_, (_, at)| at.elapsed() < LIFETIME);
        if live.len() >= MOST
            && let Some(oldest) = live
                .iter()
                .min_by_key(|(_, (_, at))| *at)
                .map(|(k, _)| k.clone())
        {
            live.remove(&oldest);
        }
        live.insert(login.secrets.state.clone(), (login, Instant::now()));
    }

    /// The sign-in `state` belongs to, used up, if it is live and `cookie` is its state.
    pub fn take(&self, state: &str, cookie: Option<&str>) -> Option<SsoLogin> {
        if cookie != Some(state) {
            return None;
        }
        let mut live = self.0.lock().unwrap_or_else(|p| p.into_inner());
        live.remove(state)
            .filter(|(_, at)| at.elapsed() < LIFETIME)
            .map(|(login, _)| login)
    }
}

/// The cookie that ties the provider's answer to this browser, sent only to `/login/sso/`.
pub fn cookie(state: &AppState, value: &str, max_age: u64) -> HeaderValue {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/login/sso/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .expect("the state is URL-safe ASCII")
}

pub fn cookie_from(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

pub const LIFETIME_SECS: u64 = LIFETIME.as_secs();
