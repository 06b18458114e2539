use crate::{
    actions,
    api::extract::ApiPath,
    caller::Caller,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;
use utoipa::ToSchema;
use vmportal_core::ids::RequestId;
use vmportal_core::{
    ids::{JobId, MachineId},
    request::MachineRequest,
};

#[derive(Serialize, ToSchema)]
pub struct Approved {
    pub request: MachineRequest,
    pub machine_id: MachineId,
    pub job_id: JobId,
}

/// Approves a pending request (administrators, or the teachers of its course): records the decision, creates the machine and queues its
/// provisioning, all at once, and answers without waiting for the hypervisor.
#[utoipa::path(post, path = "/api/v1/requests/{id}/approve", tag = "requests",
    params(("id" = i64, Path, description = "Request id")),
    responses(
        (status = 202, body = Approved),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not pending any more", body = ErrorBody),
    ))]
pub async fn approve(
    State(state): State<AppState>,
    by: Caller,
    ApiPath(id): ApiPath<RequestId>,
) -> AppResult<(StatusCode, Json<Approved>)> {
    let a = actions::requests::approve(&state, &by, id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Approved {
            request: a.request,
            machine_id: a.machine.id,
            job_id: a.job.id,
        }),
    ))
}
