//! A machine's snapshots: list, take, revert to, delete. Changes queue a job and answer at once.

use super::actions::Queued;
use crate::{
    actions::snapshots,
    api::extract::{ApiJson, ApiPath},
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa::ToSchema;
use vmportal_core::{ids::MachineId, job::JobKind, snapshot::Snapshot};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSnapshotBody {
    /// A lowercase letter, then lowercase letters, digits or underscores; 2 to 40 in all.
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// The machine's snapshots, oldest first.
#[utoipa::path(get, path = "/api/v1/machines/{id}/snapshots", tag = "machines", operation_id = "list_snapshots",
    params(("id" = i64, Path, description = "Machine id")),
    responses((status = 200, body = [Snapshot]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<MachineId>,
) -> AppResult<Json<Vec<Snapshot>>> {
    Ok(Json(snapshots::list(&state, &signed.who(), id).await?))
}

/// Takes a snapshot: of a running machine with its memory, of a stopped one its disks.
#[utoipa::path(post, path = "/api/v1/machines/{id}/snapshots", tag = "machines", operation_id = "take_snapshot",
    params(("id" = i64, Path, description = "Machine id")),
    request_body = NewSnapshotBody,
    responses((status = 202, body = Queued), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Snapshots disabled or at the template's limit, or the machine busy: the message says which", body = ErrorBody),
        (status = 422, description = "A bad or already used name", body = ErrorBody)))]
pub async fn take(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<MachineId>,
    ApiJson(body): ApiJson<NewSnapshotBody>,
) -> AppResult<(StatusCode, Json<Queued>)> {
    let job_id = snapshots::take(&state, &signed.who(), id, &body.name, &body.description).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { job_id })))
}

/// Brings the machine back to the snapshot: running if it was taken running, else stopped.
/// What changed since is lost.
#[utoipa::path(post, path = "/api/v1/machines/{id}/snapshots/{name}/revert", tag = "machines", operation_id = "revert_snapshot",
    params(("id" = i64, Path, description = "Machine id"), ("name" = String, Path, description = "Snapshot name")),
    responses((status = 202, body = Queued), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The machine or the snapshot is busy", body = ErrorBody)))]
pub async fn revert(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath((id, name)): ApiPath<(MachineId, String)>,
) -> AppResult<(StatusCode, Json<Queued>)> {
    let job_id = snapshots::act(&state, &signed.who(), id, JobKind::RevertSnapshot, &name).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { job_id })))
}

/// Deletes the snapshot; the machine is left as it is.
#[utoipa::path(delete, path = "/api/v1/machines/{id}/snapshots/{name}", tag = "machines", operation_id = "delete_snapshot",
    params(("id" = i64, Path, description = "Machine id"), ("name" = String, Path, description = "Snapshot name")),
    responses((status = 202, body = Queued), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The machine or the snapshot is busy", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath((id, name)): ApiPath<(MachineId, String)>,
) -> AppResult<(StatusCode, Json<Queued>)> {
    let job_id = snapshots::act(&state, &signed.who(), id, JobKind::DeleteSnapshot, &name).await?;
    Ok((StatusCode::ACCEPTED, Json(Queued { job_id })))
}
