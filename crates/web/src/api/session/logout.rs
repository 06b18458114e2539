use crate::{
    actions,
    auth::{Signed, clear_cookie, end_session},
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{
    extract::State,
    http::{StatusCode, header::SET_COOKIE},
    response::{AppendHeaders, IntoResponse},
};

/// Ends the session (an API token is revoked instead, with `DELETE /api/v1/tokens/{id}`).
#[utoipa::path(post, path = "/api/v1/logout", tag = "session",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody),
        (status = 403, description = "Called with an API token", body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, signed: Signed) -> AppResult<impl IntoResponse> {
    signed.require_session()?;
    end_session(&state, &signed.token_hash).await?;
    actions::session::signed_out(&state, &signed.actor(), &signed.user).await?;
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(SET_COOKIE, clear_cookie(&state))]),
    ))
}
