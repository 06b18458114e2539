use crate::{
    actions,
    api::extract::{ApiJson, ApiPath},
    caller::Caller,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::ToSchema;
use vmportal_core::ids::RequestId;
use vmportal_core::request::MachineRequest;

#[derive(Deserialize, ToSchema)]
pub struct RejectBody {
    /// Shown to the user.
    pub reason: String,
}

/// Rejects a pending request with a reason (administrators, or the teachers of its course).
#[utoipa::path(post, path = "/api/v1/requests/{id}/reject", tag = "requests", request_body = RejectBody,
    params(("id" = i64, Path, description = "Request id")),
    responses(
        (status = 200, body = MachineRequest),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
pub async fn reject(
    State(state): State<AppState>,
    by: Caller,
    ApiPath(id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<RejectBody>,
) -> AppResult<Json<MachineRequest>> {
    Ok(Json(
        actions::requests::reject(&state, &by, id, &body.reason).await?,
    ))
}
