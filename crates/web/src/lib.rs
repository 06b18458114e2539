//! vmportal's HTTP face: HTML pages for people and `/api/v1` JSON for programs, with the same rules
//! for both. Knows nothing of SQL or hypervisors: it talks to the `Store` trait.

pub mod actions;
pub mod api;
pub mod auth;
pub mod caller;
pub mod config;
pub mod console;
pub mod error;
pub mod i18n;
mod layers;
pub mod list;
mod observe;
pub mod pages;
mod providers;
pub mod state;

pub use config::WebConfig;
pub use state::AppState;

use axum::{
    Router,
    extract::State,
    http::{Uri, header},
    response::{IntoResponse, Response},
    routing::get,
    serve::ListenerExt,
};
use std::{future::Future, net::SocketAddr, time::Duration};
use tokio::net::TcpListener;

/// The whole application: API, pages, assets, probes, and the protective layers around them.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::routes().split_for_parts();
    let openapi_json = openapi
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    let router = Router::new()
        .merge(api)
        .route(
            "/api/v1/openapi.json",
            get(
                move || async move { ([(header::CONTENT_TYPE, "application/json")], openapi_json) },
            ),
        )
        .route("/console/ws", get(console::websocket))
        .route("/static/novnc/{*path}", get(console::novnc_module))
        .merge(pages::routes())
        .route("/static/{file}", get(asset))
        .route("/metrics", get(observe::metrics))
        .fallback(not_found)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            i18n::localize,
        ));
    layers::wrap(router, &state.config)
}

/// The OpenAPI document of every `/api/v1` route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::routes().split_for_parts().1
}

/// Serves `state` on `listener` until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let housekeeping = tokio::spawn(housekeeping(state.clone()));
    let consoles = state.consoles.clone();
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    // Upgraded connections (consoles) outlive the HTTP server's graceful shutdown: they are told
    // to close, and given a moment to record their end.
    let closing = consoles.clone();
    // Small writes go out at once: a console's keystrokes and screen updates must not wait for
    // the acknowledgement of the previous ones (Nagle's algorithm).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            closing.close_all();
        })
        .await;
    consoles.drained(Duration::from_secs(5)).await;
    housekeeping.abort();
    result
}

/// Drops expired sessions, forgets idle rate-limit keys and reads the courses' directory groups
/// again, every five minutes.
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        state.limiter.forget_idle();
        if let Err(e) = state
            .store
            .delete_expired_sessions(vmportal_core::now())
            .await
        {
            tracing::warn!(error = %e, "could not drop expired sessions");
        }
        if let Err(e) = actions::courses::sync_all(&state).await {
            tracing::warn!(error = %e, "could not read the courses' directory groups again");
        }
    }
}

/// Every asset the pages use, served by the binary itself: no CDN, nothing to install.
const ASSETS: [(&str, &str, &str); 3] = [
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../static/app.css"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/console.js"),
    ),
    (
        "machine.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/machine.js"),
    ),
];

async fn asset(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => error::AppError::NotFound.into_response(),
    }
}

/// JSON for API paths, a page for the rest.
async fn not_found(State(_): State<AppState>, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        error::AppError::NotFound.into_response()
    } else {
        pages::PageError(error::AppError::NotFound).into_response()
    }
}
