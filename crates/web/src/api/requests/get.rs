use crate::{
    actions,
    api::extract::ApiPath,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use vmportal_core::ids::RequestId;
use vmportal_core::request::MachineRequest;

/// One request, for its owner or an administrator.
#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "requests",
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = MachineRequest), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<RequestId>,
) -> AppResult<Json<MachineRequest>> {
    Ok(Json(
        actions::requests::visible(&state, &signed.who(), id).await?,
    ))
}
