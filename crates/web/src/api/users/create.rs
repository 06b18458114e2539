use crate::{
    actions::{self, users::NewAccount},
    api::extract::ApiJson,
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vmportal_core::user::{Role, User};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    /// `user` unless given.
    pub role: Option<Role>,
    /// Leave out to have a strong password generated and returned once.
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: User,
    /// Only when the portal generated it; shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
}

/// Creates a local account.
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = NewUserBody,
    responses(
        (status = 201, body = CreatedUser),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiJson(body): ApiJson<NewUserBody>,
) -> AppResult<(StatusCode, Json<CreatedUser>)> {
    let account = NewAccount {
        username: body.username,
        display_name: body.display_name,
        email: body.email,
        role: body.role,
        password: body.password,
    };
    let (user, generated) = actions::users::create(&state, &admin, account).await?;
    let generated_password = generated.map(|p| p.expose().to_owned());
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user,
            generated_password,
        }),
    ))
}
