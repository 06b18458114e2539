use crate::{
    actions,
    api::extract::ApiQuery,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::IntoParams;
use vmportal_core::request::MachineRequest;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `pending`, `approved`, `rejected` or `cancelled`.
    pub state: Option<String>,
}

/// The caller's requests; administrators see everyone's. Pending first, then newest first.
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", params(ListQuery),
    responses((status = 200, body = Vec<MachineRequest>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> AppResult<Json<Vec<MachineRequest>>> {
    Ok(Json(
        actions::requests::list(&state, &signed.who(), q.state.as_deref()).await?,
    ))
}
