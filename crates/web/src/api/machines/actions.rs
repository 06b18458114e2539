//! Start, shutdown, stop, reboot and delete: each queues a job and answers at once with its id.

use crate::{
    actions::machines::enqueue,
    api::extract::ApiPath,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;
use utoipa::ToSchema;
use vmportal_core::ids::MachineId;
use vmportal_core::{ids::JobId, job::JobKind};

#[derive(Serialize, ToSchema)]
pub struct Queued {
    pub job_id: JobId,
}

async fn queued(
    state: AppState,
    by: Signed,
    id: MachineId,
    kind: JobKind,
) -> AppResult<(StatusCode, Json<Queued>)> {
    let job_id = enqueue(&state, &by.who(), id, kind).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { job_id })))
}

/// Starts a stopped machine.
#[utoipa::path(post, path = "/api/v1/machines/{id}/start", tag = "machines",
    params(("id" = i64, Path, description = "Machine id")),
    responses((status = 202, body = Queued), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not in a state to start, or another action is under way", body = ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<MachineId>,
) -> AppResult<(StatusCode, Json<Queued>)> {
    queued(state, signed, id, JobKind::Start).await
}

/// Asks the guest to power off; stops it hard after the template's timeout.
#[utoipa::path(post, path = "/api/v1/machines/{id}/shutdown", tag = "machines",
    params(("id" = i64, Path, description = "Machine id")),
    responses((status = 202, body = Queued), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn shutdown(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<MachineId>,
) -> AppResult<(StatusCode, Json<Queued>)> {
    queued(state, signed, id, JobKind::Shutdown).await
}

/// Powers the machine off at once.
#[utoipa::path(post, path = "/api/v1/machines/{id}/stop", tag = "machines",
    params(("id" = i64, Path, description = "Machine id")),
    responses((status = 202, body = Queued), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn stop(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<MachineId>,
) -> AppResult<(StatusCode, Json<Queued>)> {
    queued(state, signed, id, JobKind::Stop).await
}

/// Reboots the guest.
#[utoipa::path(post, path = "/api/v1/machines/{id}/reboot", tag = "machines",
    params(("id" = i64, Path, description = "Machine id")),
    responses((status = 202, body = Queued), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reboot(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<MachineId>,
) -> AppResult<(StatusCode, Json<Queued>)> {
    queued(state, signed, id, JobKind::Reboot).await
}

/// Deletes the machine and all its storage on the hypervisor.
#[utoipa::path(delete, path = "/api/v1/machines/{id}", tag = "machines",
    params(("id" = i64, Path, description = "Machine id")),
    responses((status = 202, body = Queued), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<MachineId>,
) -> AppResult<(StatusCode, Json<Queued>)> {
    queued(state, signed, id, JobKind::Delete).await
}
