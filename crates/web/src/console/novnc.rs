//! Serves noVNC's modules from the directory `scripts/novnc.sh` installs it in: the portal's own
//! origin, so the page needs no CDN and the CSP can keep allowing scripts from 'self' only.

use crate::{error::AppError, state::AppState};
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};

pub async fn module(State(state): State<AppState>, Path(path): Path<String>) -> Response {
    // Plain relative names of JavaScript files only: no "..", nothing hidden, nothing else served.
    let plain = path.ends_with(".js")
        && path.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        });
    if !plain {
        return AppError::NotFound.into_response();
    }
    match tokio::fs::read(state.config.console.novnc_dir.join(&path)).await {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            body,
        )
            .into_response(),
        Err(_) => AppError::NotFound.into_response(),
    }
}
