use crate::{
    api::extract::ApiPath,
    auth::Signed,
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
    signed: Signed,
    ApiPath(id): ApiPath<JobId>,
) -> AppResult<Json<Job>> {
    Ok(Json(visible(&state, &signed, id).await?))
}

/// The job, if the caller may see its machine (its owner, an administrator, a teacher of its
/// course); jobs of no machine are for administrators.
pub async fn visible(state: &AppState, by: &Signed, id: JobId) -> AppResult<Job> {
    let job = state.store.job(id).await?.ok_or(AppError::NotFound)?;
    match job.machine_id {
        Some(machine) => {
            crate::actions::machines::visible(state, &by.who(), machine).await?;
        }
        None if !by.caller().is_admin() => return Err(AppError::NotFound),
        None => {}
    }
    Ok(job)
}
