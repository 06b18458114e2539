use crate::{
    actions,
    api::extract::ApiJson,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa::ToSchema;
use vmportal_core::{
    ids::CourseId,
    request::{MachineRequest, RequestInput},
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequestBody {
    pub template_id: i64,
    /// Becomes the machine's host name: letters, digits and '-'.
    pub name: String,
    /// Defaults to the template's default.
    pub cpus: Option<i64>,
    pub memory_mib: Option<i64>,
    pub disk_gib: Option<i64>,
    pub purpose: String,
    /// Asks as a student of this course: the course's teachers decide, and the machine counts
    /// against the course's quota.
    pub course_id: Option<CourseId>,
}

/// Asks for a machine. Checked against the template's limits and the caller's quota, which counts
/// pending requests too.
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", request_body = NewRequestBody,
    responses(
        (status = 201, body = MachineRequest),
        (status = 401, body = ErrorBody),
        (status = 422, description = "Invalid fields or quota exceeded, named", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    ApiJson(body): ApiJson<NewRequestBody>,
) -> AppResult<(StatusCode, Json<MachineRequest>)> {
    let defaults = state
        .store
        .template(vmportal_core::ids::TemplateId(body.template_id))
        .await?
        .map(|t| t.defaults)
        .unwrap_or_default();
    let input = RequestInput {
        name: body.name,
        cpus: body.cpus.unwrap_or(defaults.cpus),
        memory_mib: body.memory_mib.unwrap_or(defaults.memory_mib),
        disk_gib: body.disk_gib.unwrap_or(defaults.disk_gib),
        purpose: body.purpose,
    };
    let request = actions::requests::create(
        &state,
        &signed.who(),
        body.template_id,
        body.course_id,
        &input,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(request)))
}
