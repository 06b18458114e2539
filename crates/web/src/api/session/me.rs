use crate::{
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;
use vmportal_core::{
    quota::{Quota, Usage},
    user::User,
};

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub quota: Quota,
    /// Pending requests plus machines not deleted.
    pub usage: Usage,
    pub remaining: Quota,
}

/// The signed-in user, their quota and what remains of it.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, signed: Signed) -> AppResult<Json<Me>> {
    let quota = state.quota_of(&signed.user);
    let usage = state.store.usage(signed.user.id).await?;
    Ok(Json(Me {
        remaining: quota.remaining(&usage),
        user: signed.user,
        quota,
        usage,
    }))
}
