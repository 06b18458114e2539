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

/// The owner withdraws a request that is still pending.
#[utoipa::path(post, path = "/api/v1/requests/{id}/cancel", tag = "requests",
    params(("id" = i64, Path, description = "Request id")),
    responses(
        (status = 200, body = MachineRequest),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<RequestId>,
) -> AppResult<Json<MachineRequest>> {
    Ok(Json(
        actions::requests::cancel(&state, &signed.who(), id).await?,
    ))
}
