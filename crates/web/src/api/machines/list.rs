use crate::{
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use vmportal_core::machine::Machine;

/// The caller's machines (administrators: everyone's), with the current job's progress.
#[utoipa::path(get, path = "/api/v1/machines", tag = "machines",
    responses((status = 200, body = Vec<Machine>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Json<Vec<Machine>>> {
    let machines = state
        .store
        .machines(signed.caller().listing_scope())
        .await?;
    Ok(Json(crate::actions::redact::machines(&signed, machines)))
}
