use crate::{
    actions::leases::{self, Extended},
    api::extract::{ApiJson, ApiPath},
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use utoipa::ToSchema;
use vmportal_core::{ids::MachineId, lease::ExtensionRequest, machine::Machine};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendBody {
    /// Days to add to the current end (or to now, for a lease already over).
    pub days: i64,
    /// Why, when the extension goes beyond the template's policy and an approver decides.
    #[serde(default)]
    pub reason: String,
}

/// Extends the machine's lease: at once within the template's `extend_days` and
/// `max_lease_days`; beyond that, an extension request for an approver (a reason is required).
#[utoipa::path(post, path = "/api/v1/machines/{id}/extend", tag = "machines", request_body = ExtendBody,
    params(("id" = i64, Path, description = "Machine id")),
    responses(
        (status = 200, description = "Extended: the machine with its new lease", body = Machine),
        (status = 202, description = "Beyond the template's policy: an approver decides", body = ExtensionRequest),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The machine does not expire, or is being deleted", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn extend(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<MachineId>,
    ApiJson(body): ApiJson<ExtendBody>,
) -> AppResult<Response> {
    Ok(
        match leases::extend(&state, &signed, id, body.days, &body.reason).await? {
            Extended::Granted(m) => Json(m).into_response(),
            Extended::Asked(r) => (StatusCode::ACCEPTED, Json(r)).into_response(),
        },
    )
}
