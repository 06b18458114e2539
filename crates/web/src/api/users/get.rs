use crate::{
    actions::users::{UserDetail, detail},
    api::extract::ApiPath,
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use vmportal_core::ids::UserId;

/// One account with its quota, requests and machines.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _admin: Admin,
    ApiPath(id): ApiPath<UserId>,
) -> AppResult<Json<UserDetail>> {
    Ok(Json(detail(&state, id).await?))
}
