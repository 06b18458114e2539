use crate::{
    api::extract::ApiPath,
    caller::Caller,
    error::{AppError, AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use vmportal_core::{ids::JobId, job::Job};

/// A job's state, progress, message and error. Jobs not tied to a machine are for administrators.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "machines",
    params(("id" = i64, Path, description = "Job id")),
    responses((status = 200, body = Job), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    by: Caller,
    ApiPath(id): ApiPath<JobId>,
) -> AppResult<Json<Job>> {
    Ok(Json(visible(&state, &by, id).await?))
}

/// The job, if the caller may see its machine (its owner, an administrator, a teacher of its
/// course); jobs of no machine are for administrators.
pub async fn visible(state: &AppState, by: &Caller, id: JobId) -> AppResult<Job> {
    let job = state.store.job(id).await?.ok_or(AppError::NotFound)?;
    match job.machine_id {
        Some(machine) => {
            crate::actions::machines::visible(state, by, machine).await?;
        }
        None if !by.is_admin() => return Err(AppError::NotFound),
        None => {}
    }
    Ok(crate::actions::redact::job(by, job))
}
