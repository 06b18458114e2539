use crate::{
    actions,
    api::extract::{ApiJson, ApiPath},
    caller::Caller,
    error::{AppError, AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vmportal_core::{
    course::DeploymentStatus,
    ids::{CourseId, DeploymentId, JobId, MachineId, TemplateId},
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploymentBody {
    pub template_id: TemplateId,
    pub cpus: i64,
    pub memory_mib: i64,
    pub disk_gib: i64,
}

#[derive(Serialize, ToSchema)]
pub struct DeploymentQueued {
    pub deployment_id: DeploymentId,
    /// One per student who had no machine in the course; students who have one are skipped.
    pub machines: Vec<MachineId>,
    /// The provisioning jobs, in the order of `machines`.
    pub jobs: Vec<JobId>,
}

/// A machine for every student of the course who has none in it, named after the course code and
/// the student, owned by the student. Refused up front, with the numbers, when the course quota
/// would not hold them all.
#[utoipa::path(post, path = "/api/v1/courses/{id}/deployments", tag = "courses", request_body = DeploymentBody,
    params(("id" = i64, Path, description = "Course id")),
    responses((status = 202, body = DeploymentQueued), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, description = "Invalid size or template, or over the course quota", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    by: Caller,
    ApiPath(id): ApiPath<CourseId>,
    ApiJson(body): ApiJson<DeploymentBody>,
) -> AppResult<(StatusCode, Json<DeploymentQueued>)> {
    let size = (body.cpus, body.memory_mib, body.disk_gib);
    let done = actions::courses::deploy(&state, &by, id, body.template_id, size).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(DeploymentQueued {
            deployment_id: done.deployment.id,
            machines: done.machines,
            jobs: done.jobs,
        }),
    ))
}

/// A deployment's progress: how many machines are done, which failed and why, how many are under
/// way.
#[utoipa::path(get, path = "/api/v1/courses/{id}/deployments/{deployment}", tag = "courses",
    params(("id" = i64, Path, description = "Course id"), ("deployment" = i64, Path, description = "Deployment id")),
    responses((status = 200, body = DeploymentStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    by: Caller,
    ApiPath((id, deployment)): ApiPath<(CourseId, DeploymentId)>,
) -> AppResult<Json<DeploymentStatus>> {
    actions::courses::managed(&state, &by, id).await?;
    let status = state
        .store
        .deployment(id, deployment)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(status))
}
