//! The language of each answer: the signed-in user's preference, else the browser's
//! `Accept-Language`, else the configured default. The [`localize`] middleware negotiates the
//! browser's choice for every request; the sign-in extractor, which knows the user, settles it in
//! the request's [`Chosen`] slot; errors, which are turned into responses far from both, are left
//! unrendered by the handler and rendered here in the language chosen.

use crate::{error::AppError, pages, state::AppState};
use axum::{
    extract::{FromRequestParts, Request, State},
    http::{header::ACCEPT_LANGUAGE, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::{
    convert::Infallible,
    sync::{Arc, OnceLock},
};
use vmportal_core::Lang;
pub use vmportal_i18n::Tr;

/// The language the browser asked for, or the default.
#[derive(Debug, Clone, Copy)]
struct Negotiated(Lang);

/// The language settled on for this request once the user is known.
#[derive(Debug, Clone, Default)]
struct Chosen(Arc<OnceLock<Lang>>);

/// An error whose body waits for the language: the API's JSON or a page.
#[derive(Clone)]
pub(crate) enum Unrendered {
    Api(Arc<AppError>),
    Page(Arc<AppError>),
}

pub async fn localize(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let negotiated = req
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::negotiate)
        .unwrap_or(state.config.default_language);
    let chosen = Chosen::default();
    req.extensions_mut().insert(Negotiated(negotiated));
    req.extensions_mut().insert(chosen.clone());
    let mut res = next.run(req).await;
    let Some(unrendered) = res.extensions_mut().remove::<Unrendered>() else {
        return res;
    };
    let tr = Tr::new(chosen.0.get().copied().unwrap_or(negotiated));
    let (mut parts, _) = res.into_parts();
    let rendered = match unrendered {
        Unrendered::Api(e) => e.json(&tr).into_response(),
        Unrendered::Page(e) => pages::error_page(&e, tr).into_response(),
    };
    // Keep what other layers added (a Set-Cookie, a Location), take the new body's type.
    let (new_parts, body) = rendered.into_parts();
    parts.headers.extend(new_parts.headers);
    Response::from_parts(parts, body)
}

/// The language for a user with `preference`, remembered for this request's error responses.
pub(crate) fn settle(parts: &Parts, preference: Option<Lang>) -> Tr {
    let negotiated = parts
        .extensions
        .get::<Negotiated>()
        .map_or(Lang::default(), |n| n.0);
    let lang = preference.unwrap_or(negotiated);
    if let Some(chosen) = parts.extensions.get::<Chosen>() {
        // A second extractor of the same request settles the same language.
        let _ = chosen.0.set(lang);
    }
    Tr::new(lang)
}

/// For pages anyone can see (sign-in): the browser's language.
pub struct BrowserLang(pub Tr);

impl<S: Send + Sync> FromRequestParts<S> for BrowserLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(BrowserLang(settle(parts, None)))
    }
}
