use crate::{
    actions::second_factor::{self, Enrolment},
    api::extract::ApiJson,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Starts setting up two-factor sign-in (TOTP) for a local account: a new secret, as text, as an
/// `otpauth://` URL and as a QR code (SVG). Until confirmed, starting again replaces it.
#[utoipa::path(post, path = "/api/v1/me/totp", tag = "session",
    responses((status = 200, body = Enrolment), (status = 401, body = ErrorBody),
        (status = 403, description = "Called with an API token", body = ErrorBody),
        (status = 409, description = "Already set up", body = ErrorBody),
        (status = 422, description = "A directory account", body = ErrorBody)))]
pub async fn begin(State(state): State<AppState>, signed: Signed) -> AppResult<Json<Enrolment>> {
    Ok(Json(second_factor::begin(&state, &signed).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    /// The current 6-digit code of the authenticator.
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten one-use codes for when the authenticator is lost. Shown this once.
    pub recovery_codes: Vec<String>,
}

/// Confirms two-factor sign-in with a code from the authenticator; from now on sign-in asks for a
/// code after the password.
#[utoipa::path(post, path = "/api/v1/me/totp/confirm", tag = "session", request_body = TotpCode,
    responses((status = 200, body = RecoveryCodes), (status = 401, body = ErrorBody),
        (status = 403, description = "Called with an API token", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    signed: Signed,
    ApiJson(body): ApiJson<TotpCode>,
) -> AppResult<Json<RecoveryCodes>> {
    let recovery_codes = second_factor::confirm(&state, &signed, &body.code).await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}
