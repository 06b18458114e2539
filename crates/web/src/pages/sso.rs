//! Single sign-on pages: `/login/sso/{provider}` sends the browser to the provider, which sends
//! it back to `/login/sso/{provider}/callback` with a code (or an error).

use super::{PageResult, login::LoginPage, login::signed_in};
use crate::{
    actions,
    auth::{
        ClientIp, Signed, local_path,
        sso::{self, SsoLogin},
    },
    error::AppError,
    i18n::{BrowserLang, Tr},
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{AppendHeaders, IntoResponse, Redirect},
};
use serde::Deserialize;
use vmportal_core::sso::{IdentityProvider, SsoError};

#[derive(Deserialize)]
pub struct Start {
    next: Option<String>,
}

pub async fn start(
    State(state): State<AppState>,
    BrowserLang(tr): BrowserLang,
    Path(provider): Path<String>,
    Query(q): Query<Start>,
) -> PageResult {
    let provider = find(&state, &provider)?;
    let next = local_path(q.next.as_deref()).to_owned();
    let begun = match provider.begin().await {
        Ok(begun) => begun,
        Err(e) => return Ok(failed(&state, tr, provider, next, e)),
    };
    let cookie = sso::cookie(&state, &begun.secrets.state, sso::LIFETIME_SECS);
    state.sso_logins.start(SsoLogin {
        provider: provider.id().to_owned(),
        secrets: begun.secrets,
        next,
    });
    Ok((
        AppendHeaders([(header::SET_COOKIE, cookie)]),
        Redirect::to(&begun.url),
    )
        .into_response())
}

/// What the provider sends back: a code and the state, or an error.
#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    BrowserLang(tr): BrowserLang,
    Path(provider): Path<String>,
    previous: Option<Signed>,
    headers: HeaderMap,
    Query(q): Query<Callback>,
) -> PageResult {
    let provider = find(&state, &provider)?;
    let forget = AppendHeaders([(header::SET_COOKIE, sso::cookie(&state, "", 0))]);
    let cookie = sso::cookie_from(&headers);
    let login = q
        .state
        .as_deref()
        .and_then(|s| state.sso_logins.take(s, cookie.as_deref()))
        .filter(|login| login.provider == provider.id());
    let Some(login) = login else {
        let e = SsoError::Rejected("unknown, used or expired state".into());
        actions::sso::answer_refused(&state, ip, provider.id(), &e).await?;
        return Ok((forget, failed(&state, tr, provider, "/".into(), e)).into_response());
    };
    let result = match (q.error, q.code) {
        (Some(error), _) => Err(SsoError::Denied(error)),
        (None, Some(code)) => provider.finish(&code, &login.secrets).await,
        (None, None) => Err(SsoError::Rejected("no code".into())),
    };
    let identity = match result {
        Ok(identity) => identity,
        Err(e) => {
            actions::sso::answer_refused(&state, ip, provider.id(), &e).await?;
            return Ok((forget, failed(&state, tr, provider, login.next, e)).into_response());
        }
    };
    match actions::sso::sign_in(&state, ip, provider.id(), identity).await {
        Ok(user) => Ok((
            forget,
            signed_in(&state, previous, &user, &login.next).await?,
        )
            .into_response()),
        Err(AppError::BadRequest(why)) => {
            let page = LoginPage::failed(&state, tr, login.next, why);
            Ok((StatusCode::FORBIDDEN, forget, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn find<'a>(state: &'a AppState, id: &str) -> Result<&'a dyn IdentityProvider, AppError> {
    state
        .sso
        .iter()
        .find(|p| p.id() == id)
        .map(|p| p.as_ref())
        .ok_or(AppError::NotFound)
}

/// The sign-in page saying the single sign-on failed; the detail goes to the log only.
fn failed(
    state: &AppState,
    tr: Tr,
    provider: &dyn IdentityProvider,
    next: String,
    e: SsoError,
) -> axum::response::Response {
    tracing::warn!(provider = provider.id(), error = %e, "single sign-on failed");
    let (status, message) = match e {
        SsoError::Unavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            tr.t1("sso-unavailable", "provider", provider.label()),
        ),
        SsoError::Denied(_) => (
            StatusCode::UNAUTHORIZED,
            tr.t1("sso-denied", "provider", provider.label()),
        ),
        SsoError::Rejected(_) => (
            StatusCode::UNAUTHORIZED,
            tr.t1("sso-rejected", "provider", provider.label()),
        ),
    };
    (status, LoginPage::failed(state, tr, next, message)).into_response()
}
