use crate::{
    actions,
    api::extract::ApiJson,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::ToSchema;
use vmportal_core::user::User;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SshKey {
    /// One OpenSSH public key line; empty removes it.
    pub ssh_public_key: String,
}

/// Sets the SSH public key that machines built for the caller from now on receive.
#[utoipa::path(put, path = "/api/v1/me/ssh-key", tag = "session", request_body = SshKey,
    responses((status = 200, body = User), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set(
    State(state): State<AppState>,
    signed: Signed,
    ApiJson(body): ApiJson<SshKey>,
) -> AppResult<Json<User>> {
    Ok(Json(
        actions::account::set_ssh_key(&state, &signed, &body.ssh_public_key).await?,
    ))
}
