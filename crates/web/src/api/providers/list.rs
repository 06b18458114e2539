use crate::providers::{ProviderStatus, statuses};
use crate::{
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};

/// The configured hypervisors and whether each endpoint answers.
#[utoipa::path(get, path = "/api/v1/providers", tag = "admin",
    responses((status = 200, body = Vec<ProviderStatus>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
) -> AppResult<Json<Vec<ProviderStatus>>> {
    Ok(Json(statuses(&state.providers).await))
}
