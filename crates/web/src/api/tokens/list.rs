use crate::{
    actions,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use vmportal_core::api_token::ApiToken;

/// The caller's own API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "session",
    responses((status = 200, body = [ApiToken]), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Json<Vec<ApiToken>>> {
    Ok(Json(actions::tokens::list(&state, &signed).await?))
}
