use crate::{
    actions,
    api::extract::ApiPath,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use vmportal_core::ids::ApiTokenId;

/// Revokes one of the caller's API tokens at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "session",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<ApiTokenId>,
) -> AppResult<StatusCode> {
    actions::tokens::revoke(&state, &signed, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
