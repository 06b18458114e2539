use crate::{
    actions,
    api::extract::ApiJson,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vmportal_core::api_token::ApiToken;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, 1 to 64 characters.
    pub name: String,
    /// 1 to 730; without it the token lives until revoked.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
    /// The caller's password, asked again: a session left open does not mint lasting secrets.
    #[serde(default)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub info: ApiToken,
    /// `Authorization: Bearer <token>`. Shown this once; only its hash is kept.
    #[serde(rename = "token")]
    pub secret: String,
}

/// Makes a personal API token. Needs a password sign-in: an API token cannot make tokens.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "session", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 401, body = ErrorBody),
        (status = 403, description = "Called with an API token", body = ErrorBody),
        (status = 422, description = "Invalid, or `password` is not the caller's", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    ApiJson(body): ApiJson<NewToken>,
) -> AppResult<(StatusCode, Json<CreatedToken>)> {
    let minted = actions::tokens::create(
        &state,
        &signed,
        &body.name,
        body.expires_in_days,
        &body.password,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            info: minted.token,
            secret: minted.secret,
        }),
    ))
}
