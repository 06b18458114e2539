use crate::{
    api::extract::ApiPath,
    auth::Admin,
    error::{AppError, AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;
use vmportal_core::{
    ids::UserId,
    machine::Machine,
    quota::{Quota, Usage},
    request::MachineRequest,
    store::RequestFilter,
    user::User,
};

#[derive(Serialize, ToSchema)]
pub struct UserDetail {
    pub user: User,
    /// The role's default with this user's overrides.
    pub quota: Quota,
    pub usage: Usage,
    pub requests: Vec<MachineRequest>,
    pub machines: Vec<Machine>,
}

/// One account with its quota, requests and machines.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    _admin: Admin,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<UserDetail>> {
    Ok(Json(detail(&state, UserId(id)).await?))
}

pub async fn detail(state: &AppState, id: UserId) -> AppResult<UserDetail> {
    let user = state.store.user(id).await?.ok_or(AppError::NotFound)?;
    let filter = RequestFilter {
        owner: Some(id),
        state: None,
    };
    Ok(UserDetail {
        quota: state.quota_of(&user),
        usage: state.store.usage(id).await?,
        requests: state.store.requests(filter).await?,
        machines: state.store.machines(Some(id)).await?,
        user,
    })
}
