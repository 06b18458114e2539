use crate::{
    actions,
    api::extract::ApiPath,
    caller::Caller,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use vmportal_core::{ids::CourseId, machine::Machine};

/// The course's machines, with their states and progress (administrators and its teachers).
#[utoipa::path(get, path = "/api/v1/courses/{id}/machines", tag = "courses",
    params(("id" = i64, Path, description = "Course id")),
    responses((status = 200, body = Vec<Machine>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    by: Caller,
    ApiPath(id): ApiPath<CourseId>,
) -> AppResult<Json<Vec<Machine>>> {
    actions::courses::managed(&state, &by, id).await?;
    Ok(Json(state.store.course_machines(id).await?))
}
