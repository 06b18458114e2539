use crate::{
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use vmportal_core::machine::Drift;

/// What the last reconciliation found: machines gone from their hypervisor behind the portal's
/// back, and guests the portal does not know.
#[utoipa::path(get, path = "/api/v1/drift", tag = "admin",
    responses((status = 200, body = Vec<Drift>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _admin: Admin) -> AppResult<Json<Vec<Drift>>> {
    Ok(Json(state.store.drift().await?))
}
