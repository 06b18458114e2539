use crate::{
    api::extract::ApiPath,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use vmportal_core::ids::MachineId;
use vmportal_core::machine::Machine;

/// One machine: state, address, node and the current job's progress.
#[utoipa::path(get, path = "/api/v1/machines/{id}", tag = "machines",
    params(("id" = i64, Path, description = "Machine id")),
    responses((status = 200, body = Machine), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<MachineId>,
) -> AppResult<Json<Machine>> {
    let machine = crate::actions::machines::visible(&state, &signed.who(), id).await?;
    Ok(Json(machine))
}
