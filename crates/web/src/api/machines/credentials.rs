use crate::{
    actions::machines::{Credentials, read_credentials},
    api::extract::ApiPath,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use vmportal_core::ids::MachineId;

/// The machine's login, for its owner or an administrator. Every reading is in the audit log.
#[utoipa::path(get, path = "/api/v1/machines/{id}/credentials", tag = "machines",
    params(("id" = i64, Path, description = "Machine id")),
    responses((status = 200, body = Credentials), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not built yet", body = ErrorBody)))]
pub async fn credentials(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<MachineId>,
) -> AppResult<Json<Credentials>> {
    Ok(Json(read_credentials(&state, &signed.who(), id).await?.1))
}
