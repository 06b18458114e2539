//! The layers every request passes: tracing and metrics, a body size limit, a timeout, cross-site
//! request forgery protection, and security headers (no caching among them) on every answer.

use crate::{config::WebConfig, observe};
use axum::{
    Json, Router,
    body::Body,
    http::{HeaderName, HeaderValue, Response, StatusCode, header},
    response::IntoResponse,
};
use serde_json::json;
use std::time::Duration;
use tower_http::{
    csrf::{CsrfLayer, ProtectionError},
    limit::RequestBodyLimitLayer,
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// Forms and JSON bodies are small; anything bigger is refused before it is read.
const BODY_LIMIT: usize = 64 * 1024;

const HEADERS: [(HeaderName, &str); 6] = [
    // Pages and answers carry passwords, tokens and credentials: never kept by a browser or proxy.
    // Static assets set their own.
    (header::CACHE_CONTROL, "no-store"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
];

pub fn wrap(router: Router, config: &WebConfig) -> Router {
    let mut router = router;
    for (name, value) in HEADERS {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    // Behind a proxy the browser's Origin is the public URL, which may differ from the Host the
    // portal sees; trusting it explicitly keeps same-site posts working there.
    let csrf = CsrfLayer::new()
        .add_trusted_origin(config.public_url.trim_end_matches('/'))
        .unwrap_or_else(|e| panic!("public_url {} is not an origin: {e:?}", config.public_url))
        .with_rejection_response(cross_site_rejection);
    router
        .layer(csrf)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::from_fn(observe::record))
        .layer(TraceLayer::new_for_http())
}

fn cross_site_rejection(_: ProtectionError) -> Response<Body> {
    cross_site_refused()
}

pub(crate) fn cross_site_refused() -> Response<Body> {
    let body = json!({"error": {"code": "cross_site_request", "message": "cross-site requests that change something are refused"}});
    (StatusCode::FORBIDDEN, Json(body)).into_response()
}
