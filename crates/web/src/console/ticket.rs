//! `POST /api/v1/machines/{id}/console`: mints a one-use ticket for the console of a running
//! machine, bound to the caller, the machine and the caller's session.

use crate::{
    api::extract::ApiPath,
    auth::{Signed, new_token, token_hash},
    error::{AppError, AppResult, ErrorBody},
    state::AppState,
};
use axum::body::Bytes;
use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vmportal_core::ids::MachineId;
use vmportal_core::{console::NewConsoleTicket, machine::MachineState, msg, now};

/// The body is optional.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ConsoleOptions {
    /// The portal drops the keyboard, the mouse and the clipboard. Always so for a teacher
    /// looking at a student's machine unless the course gives teachers full control.
    #[serde(default)]
    pub view_only: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ConsoleTicket {
    /// The console page; the ticket is in the fragment, so it never reaches logs as a page URL.
    pub url: String,
    /// The websocket to open from the same session (subprotocol `binary`, RFB inside).
    pub websocket: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: vmportal_core::Timestamp,
    pub view_only: bool,
}

/// A one-use console ticket, valid for a short time and only from the session that asked for it.
#[utoipa::path(post, path = "/api/v1/machines/{id}/console", tag = "machines",
    request_body(content = Option<ConsoleOptions>, description = "Optional"),
    params(("id" = i64, Path, description = "Machine id")),
    responses((status = 200, body = ConsoleTicket), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The machine is not running", body = ErrorBody),
        (status = 400, description = "A body that is not the options", body = ErrorBody)))]
pub async fn console_ticket(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<MachineId>,
    body: Bytes,
) -> AppResult<Json<ConsoleTicket>> {
    let options: ConsoleOptions = if body.iter().all(u8::is_ascii_whitespace) {
        ConsoleOptions::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest(e.to_string()))?
    };
    let (machine, reach) = crate::actions::machines::reach(&state, &signed.who(), id).await?;
    let view_only = reach.view_only(options.view_only);
    if machine.state != MachineState::Running {
        return Err(AppError::Conflict(
            msg("err-console-not-running").arg("state", machine.state.label()),
        ));
    }
    let ticket = new_token();
    let expires_at = now() + time::Duration::seconds(state.config.console.ticket_secs);
    let new = NewConsoleTicket {
        ticket_hash: token_hash(&ticket),
        user_id: signed.user.id,
        machine_id: machine.id,
        session_hash: signed.token_hash.clone(),
        expires_at,
        view_only,
    };
    state
        .store
        .create_console_ticket(new, &signed.actor())
        .await?;
    let base = state.config.public_url.trim_end_matches('/');
    let ws_base = base.replacen("http", "ws", 1);
    Ok(Json(ConsoleTicket {
        url: format!("{base}/machines/{id}/console#{ticket}"),
        websocket: format!("{ws_base}/console/ws?ticket={ticket}"),
        expires_at,
        view_only,
    }))
}

/// A ticket as minted: 64 hex digits. Anything else is refused without a database lookup.
pub(super) fn well_formed(ticket: &str) -> bool {
    ticket.len() == 64 && ticket.bytes().all(|b| b.is_ascii_hexdigit())
}
