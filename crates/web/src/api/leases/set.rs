use crate::{
    actions::leases,
    api::extract::{ApiJson, ApiPath},
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::ToSchema;
use vmportal_core::{Timestamp, ids::MachineId, machine::Machine};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MachineChange {
    /// The new end of the lease (RFC 3339); null: the machine does not expire.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
}

/// Sets any machine's lease (administrators).
#[utoipa::path(patch, path = "/api/v1/machines/{id}", tag = "machines", request_body = MachineChange,
    params(("id" = i64, Path, description = "Machine id")),
    responses(
        (status = 200, body = Machine),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn set(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath(id): ApiPath<MachineId>,
    ApiJson(body): ApiJson<MachineChange>,
) -> AppResult<Json<Machine>> {
    Ok(Json(
        leases::set(&state, &admin, id, body.expires_at).await?,
    ))
}
