use super::CourseBody;
use crate::{
    actions::{self, courses::CourseChange},
    api::extract::{ApiJson, ApiPath},
    caller::Caller,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use vmportal_core::{course::Course, ids::CourseId};

/// A course its administrators, teachers and students may see.
#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "courses",
    params(("id" = i64, Path, description = "Course id")),
    responses((status = 200, body = Course), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    by: Caller,
    ApiPath(id): ApiPath<CourseId>,
) -> AppResult<Json<Course>> {
    Ok(Json(actions::courses::visible(&state, &by, id).await?.0))
}

/// Changes the given fields. Teachers may change the name and the term end; the rest is for
/// administrators.
#[utoipa::path(patch, path = "/api/v1/courses/{id}", tag = "courses", request_body = CourseBody,
    params(("id" = i64, Path, description = "Course id")),
    responses((status = 200, body = Course), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    by: Caller,
    ApiPath(id): ApiPath<CourseId>,
    ApiJson(body): ApiJson<CourseBody>,
) -> AppResult<Json<Course>> {
    let change = CourseChange {
        name: body.name,
        code: body.code,
        term_end: body.term_end.map(Some),
        template_ids: body.template_ids,
        quota: body.quota,
        teacher_full_console: body.teacher_full_console,
        teacher_may_delete: body.teacher_may_delete,
    };
    Ok(Json(
        actions::courses::update(&state, &by, id, change).await?,
    ))
}

/// Deletes a course that has no machines and no pending requests left (administrators).
#[utoipa::path(delete, path = "/api/v1/courses/{id}", tag = "courses",
    params(("id" = i64, Path, description = "Course id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "The course still has machines or pending requests", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    by: Caller,
    ApiPath(id): ApiPath<CourseId>,
) -> AppResult<StatusCode> {
    actions::courses::delete(&state, &by, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
