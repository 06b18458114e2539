//! Who is calling: sessions stored in the database (so they survive a restart), the extractors that
//! find the signed-in user, and the client's address.

mod api_token;
pub mod directory_check;
pub mod hashing;
pub mod limiter;
pub mod pending;
mod session;
pub mod sso;

pub use api_token::new_api_token;

pub use session::{SESSION_COOKIE, clear_cookie, end_session, session_cookie, start_session};
pub(crate) use session::{hash as token_hash, in_use as session_in_use, new_token};

pub use crate::caller::Via;
use crate::{
    error::AppError,
    i18n::{self, Tr},
    state::AppState,
};
use axum::{
    extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts},
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
};
use std::net::{IpAddr, SocketAddr};
use vmportal_core::{audit::Actor, authz::Caller, user::User};

/// A signed-in, enabled user.
#[derive(Debug, Clone)]
pub struct Signed {
    pub user: User,
    /// The SHA-256 of the session or API token the request came with.
    pub token_hash: String,
    pub via: Via,
    pub ip: Option<IpAddr>,
    /// Their language: their preference, else their browser's, else the default.
    pub tr: Tr,
}

impl Signed {
    /// For what a stolen API token must not do: make more tokens, change the password, sign out.
    pub fn require_session(&self) -> Result<(), AppError> {
        match self.via {
            Via::Session => Ok(()),
            Via::ApiToken => Err(AppError::SessionOnly),
        }
    }

    pub fn caller(&self) -> Caller {
        Caller::from(&self.user)
    }

    /// The caller as actions see it, without HTTP.
    pub fn who(&self) -> crate::caller::Caller {
        crate::caller::Caller {
            id: self.user.id,
            username: self.user.username.clone(),
            role: self.user.role,
            actor: self.actor(),
            via: self.via,
            tr: self.tr,
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user: Some(self.user.id),
            name: self.user.username.to_string(),
            ip: self.ip.map(|ip| ip.to_string()),
        }
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ip = client_ip(parts, state);
        // A request with a token is judged by it alone, never by a cookie it also carries.
        let (found, via) = match api_token::bearer(parts)? {
            Some(token) => (api_token::resume(state, &token).await?, Via::ApiToken),
            None => {
                let token = session::cookie_token(parts, state).ok_or(AppError::Unauthenticated)?;
                (session::resume(state, &token).await?, Via::Session)
            }
        };
        let (user, token_hash) = found.ok_or(AppError::Unauthenticated)?;
        if !directory_check::still_allowed(state, &user).await? {
            return Err(AppError::Unauthenticated);
        }
        // Settled first, so that the refusals below are said in the user's language.
        let tr = i18n::settle(parts, state.store.preferences(user.id).await?.language);
        let open = OPEN_WHILE_INCOMPLETE.contains(&parts.uri.path());
        if user.must_change_password && !open {
            return Err(AppError::PasswordChangeRequired);
        }
        if !open
            && crate::actions::second_factor::required_for(state, &user)
            && !crate::actions::second_factor::enabled(state, user.id).await?
        {
            return Err(AppError::TotpSetupRequired);
        }
        Ok(Signed {
            user,
            token_hash,
            via,
            ip,
            tr,
        })
    }
}

/// What someone whose password was generated or reset by another may reach until they change it,
/// and someone the settings require a second factor of until they set it up.
const OPEN_WHILE_INCOMPLETE: [&str; 12] = [
    "/api/v1/me/totp",
    "/api/v1/me/totp/confirm",
    "/account/totp",
    "/account/totp/confirm",
    "/api/v1/me",
    "/api/v1/me/password",
    "/api/v1/login",
    "/api/v1/logout",
    "/account",
    "/account/password",
    "/login",
    "/logout",
];

/// `Option<Signed>`: `None` when not signed in; other failures (a database error) still fail.
impl OptionalFromRequestParts<AppState> for Signed {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        match <Signed as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(s) => Ok(Some(s)),
            Err(AppError::Unauthenticated) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The signed-in caller as actions see it.
impl FromRequestParts<AppState> for crate::caller::Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let signed =
            <Signed as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        Ok(signed.who())
    }
}

/// A signed-in administrator; anyone else gets 403 (401 when not signed in).
pub struct Admin(pub Signed);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let signed =
            <Signed as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        signed.caller().require_admin()?;
        Ok(Admin(signed))
    }
}

/// For HTML pages: like [`Signed`], but someone not signed in is sent to the sign-in page and back.
pub struct Viewer(pub Signed);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match <Signed as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(s) => Ok(Viewer(s)),
            Err(AppError::Unauthenticated) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let to = format!("/login?next={}", urlencode(next));
                Err(Redirect::to(&to).into_response())
            }
            Err(AppError::PasswordChangeRequired | AppError::TotpSetupRequired) => {
                Err(Redirect::to("/account").into_response())
            }
            Err(e) => Err(crate::pages::PageError(e).into_response()),
        }
    }
}

/// For administrators' HTML pages: not signed in goes to the sign-in page, a user gets 403. Being
/// a parts extractor, it decides before any form body is read.
pub struct AdminPage(pub Signed);

impl FromRequestParts<AppState> for AdminPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Viewer(signed) = Viewer::from_request_parts(parts, state).await?;
        match signed.caller().require_admin() {
            Ok(()) => Ok(AdminPage(signed)),
            Err(denied) => Err(crate::pages::PageError(denied.into()).into_response()),
        }
    }
}

/// The client's address: the peer, or for a trusted reverse proxy the last address it added to
/// `X-Forwarded-For` (the proxy appends the address it saw; anything before it is client-supplied).
pub fn client_ip(parts: &Parts, state: &AppState) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    if !state.config.trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .next_back();
    Some(forwarded.unwrap_or(peer))
}

pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, state)))
    }
}

/// Percent-encodes everything but unreserved characters, for a query parameter value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A safe place to go back to after signing in: a path of this portal, never another site. One
/// leading `/` and nothing browsers would read otherwise: no control characters or spaces (they
/// strip tabs and line breaks, so `/\t/evil` becomes `//evil`), no backslash (read as `/`), no
/// percent-encoded slash or backslash right after the first `/`.
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(p) if is_local(p) => p,
        _ => "/",
    }
}

fn is_local(p: &str) -> bool {
    let Some(rest) = p.strip_prefix('/') else {
        return false;
    };
    let lower = rest.to_ascii_lowercase();
    let opens_authority = rest.starts_with('/')
        || ["%2f", "%5c", "%09", "%0a", "%0d"]
            .iter()
            .any(|e| lower.starts_with(e));
    let plain = p.len() <= 2048
        && !p
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    plain && !opens_authority
}
