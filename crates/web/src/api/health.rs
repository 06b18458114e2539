use crate::{
    error::{AppError, AppResult},
    state::AppState,
};
use axum::extract::State;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", security(()), responses((status = 200, body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "health", security(()),
    responses((status = 200, body = String), (status = 500, body = crate::error::ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> AppResult<&'static str> {
    state.store.ping().await.map_err(AppError::internal)?;
    Ok("ok")
}
