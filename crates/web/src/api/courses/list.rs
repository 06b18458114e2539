use super::CourseBody;
use crate::{
    actions,
    api::extract::ApiJson,
    caller::Caller,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use vmportal_core::course::{Course, CourseInput, CourseSettings};

/// Every course for administrators; for others the courses they teach or attend.
#[utoipa::path(get, path = "/api/v1/courses", tag = "courses",
    responses((status = 200, body = Vec<Course>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, by: Caller) -> AppResult<Json<Vec<Course>>> {
    Ok(Json(actions::courses::list(&state, &by).await?))
}

/// Creates a course (administrators).
#[utoipa::path(post, path = "/api/v1/courses", tag = "courses", request_body = CourseBody,
    responses((status = 201, body = Course), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    by: Caller,
    ApiJson(body): ApiJson<CourseBody>,
) -> AppResult<(StatusCode, Json<Course>)> {
    let input = CourseInput {
        name: body.name.unwrap_or_default(),
        code: body.code.unwrap_or_default(),
        term_end: body.term_end,
        template_ids: body.template_ids.unwrap_or_default(),
        quota: body.quota.unwrap_or_default(),
        settings: CourseSettings {
            teacher_full_console: body.teacher_full_console.unwrap_or(false),
            teacher_may_delete: body.teacher_may_delete.unwrap_or(false),
        },
    };
    let course = actions::courses::create(&state, &by, &input).await?;
    Ok((StatusCode::CREATED, Json(course)))
}
