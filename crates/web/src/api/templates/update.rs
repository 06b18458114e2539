use super::TemplateBody;
use crate::{
    actions,
    api::extract::{ApiJson, ApiPath},
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use vmportal_core::ids::TemplateId;
use vmportal_core::template::Template;

/// Changes the given fields of a catalogue entry; the result must still be consistent.
#[utoipa::path(patch, path = "/api/v1/templates/{id}", tag = "templates", request_body = TemplateBody,
    params(("id" = i64, Path, description = "Template id")),
    responses(
        (status = 200, body = Template),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath(id): ApiPath<TemplateId>,
    ApiJson(body): ApiJson<TemplateBody>,
) -> AppResult<Json<Template>> {
    Ok(Json(
        actions::templates::update(&state, &admin, id, |input| body.apply(input)).await?,
    ))
}
