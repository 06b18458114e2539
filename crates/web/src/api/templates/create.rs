use super::TemplateBody;
use crate::{
    actions,
    api::extract::ApiJson,
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use vmportal_core::template::Template;

/// Adds a catalogue entry.
#[utoipa::path(post, path = "/api/v1/templates", tag = "templates", request_body = TemplateBody,
    responses(
        (status = 201, body = Template),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "Invalid fields, named", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiJson(body): ApiJson<TemplateBody>,
) -> AppResult<(StatusCode, Json<Template>)> {
    let t = actions::templates::create(&state, &admin, &body.into_input()).await?;
    Ok((StatusCode::CREATED, Json(t)))
}
