use crate::{
    actions::{self, users::AccountChange},
    api::extract::{ApiJson, ApiPath},
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::ToSchema;
use vmportal_core::ids::UserId;
use vmportal_core::{
    quota::QuotaOverride,
    user::{Role, User},
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangeBody {
    pub display_name: Option<String>,
    /// An empty string clears it.
    pub email: Option<String>,
    pub role: Option<Role>,
    /// Disabling ends the user's sessions at once.
    pub disabled: Option<bool>,
    /// A new password (reset); ends the user's sessions.
    pub password: Option<String>,
    /// Replaces the per-user overrides; a `null` field falls back to the role's default.
    pub quota: Option<QuotaOverride>,
}

/// Changes a role, disables or enables, resets the password, or sets quota overrides.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "admin", request_body = UserChangeBody,
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, body = User),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(body): ApiJson<UserChangeBody>,
) -> AppResult<Json<User>> {
    let change = AccountChange {
        display_name: body.display_name,
        email: body.email,
        role: body.role,
        disabled: body.disabled,
        password: body.password,
        quota: body.quota,
    };
    Ok(Json(
        actions::users::update(&state, &admin, id, change).await?,
    ))
}
