use crate::{
    api::extract::ApiQuery,
    auth::Admin,
    error::{AppResult, ErrorBody},
    list::{ListParams, Paged},
    state::AppState,
};
use axum::extract::State;
use vmportal_core::{store::UserQuery, user::User};

/// Accounts, by username unless sorted by `created`, `role` or `name`. `state` is `enabled` or
/// `disabled`; `q` matches the username, display name or email.
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", params(ListParams),
    responses((status = 200, body = Vec<User>, headers(
        ("X-Total-Count" = i64, description = "How many rows match"),
        ("Link" = String, description = "first, prev, next and last pages"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(params): ApiQuery<ListParams>,
) -> AppResult<Paged<User>> {
    let query: UserQuery = params.query(None)?;
    let listed = state.store.users(&query).await?;
    Ok(Paged::new("/api/v1/users", &params, query.page, listed))
}
