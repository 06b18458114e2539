use crate::{
    actions,
    api::extract::ApiJson,
    auth::{Signed, session_cookie},
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{
    extract::State,
    http::{StatusCode, header::SET_COOKIE},
    response::{AppendHeaders, IntoResponse},
};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the caller's own password. Every session of the account ends; the answer carries a
/// new session cookie for the caller.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; a new session cookie is set"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Called with an API token", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
    ))]
pub async fn change(
    State(state): State<AppState>,
    signed: Signed,
    ApiJson(body): ApiJson<PasswordChange>,
) -> AppResult<impl IntoResponse> {
    let token = actions::account::change_password(
        &state,
        &signed,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(SET_COOKIE, session_cookie(&state, &token))]),
    ))
}
