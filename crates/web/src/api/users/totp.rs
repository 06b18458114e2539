use crate::{
    actions::second_factor,
    api::extract::ApiPath,
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use vmportal_core::ids::UserId;

/// Removes a user's two-factor sign-in (a lost phone); audited. They sign in with their password
/// alone until they set it up again.
#[utoipa::path(delete, path = "/api/v1/users/{id}/totp", tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The user has none", body = ErrorBody)))]
pub async fn reset(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath(id): ApiPath<UserId>,
) -> AppResult<StatusCode> {
    second_factor::reset(&state, &admin, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
