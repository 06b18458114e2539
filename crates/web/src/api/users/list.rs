use crate::{
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use vmportal_core::user::User;

/// Every account, by username.
#[utoipa::path(get, path = "/api/v1/users", tag = "admin",
    responses((status = 200, body = Vec<User>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _admin: Admin) -> AppResult<Json<Vec<User>>> {
    Ok(Json(state.store.users().await?))
}
