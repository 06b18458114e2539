use crate::{
    actions,
    api::extract::ApiJson,
    auth::{ClientIp, Signed, end_session, session_cookie, start_session},
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{
    Json,
    extract::State,
    http::header::SET_COOKIE,
    response::{AppendHeaders, IntoResponse},
};
use serde::Deserialize;
use utoipa::ToSchema;
use vmportal_core::user::User;

#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
    /// For accounts with two-factor sign-in: the authenticator's current code, or a recovery code.
    #[serde(default)]
    pub totp: Option<String>,
}

/// Signs in and sets the session cookie. Any session presented with the request is ended first.
#[utoipa::path(post, path = "/api/v1/login", tag = "session", security(()), request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in", body = User),
        (status = 401, description = "Wrong username or password (`bad_credentials`), or `totp_required`: the password was right, `totp` is missing", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
        (status = 503, description = "The sign-in directory cannot be reached (`directory_unavailable`); local accounts still sign in", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    previous: Option<Signed>,
    ApiJson(body): ApiJson<LoginBody>,
) -> AppResult<impl IntoResponse> {
    let user = actions::session::sign_in(
        &state,
        ip,
        &body.username,
        &body.password,
        body.totp.as_deref(),
    )
    .await?;
    if let Some(old) = previous {
        end_session(&state, &old.token_hash).await?;
    }
    let token = start_session(&state, &user).await?;
    Ok((
        AppendHeaders([(SET_COOKIE, session_cookie(&state, &token))]),
        Json(user),
    ))
}
