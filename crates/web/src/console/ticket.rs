//! `POST /api/v1/machines/{id}/console`: mints a one-use ticket for the console of a running
//! machine, bound to the caller, the machine and the caller's session.

use crate::{
    api::extract::ApiPath,
    auth::{Signed, new_token, token_hash},
    error::{AppError, AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;
use vmportal_core::ids::MachineId;
use vmportal_core::{console::NewConsoleTicket, machine::MachineState, msg, now};

#[derive(Serialize, ToSchema)]
pub struct ConsoleTicket {
    /// The console page; the ticket is in the fragment, so it never reaches logs as a page URL.
    pub url: String,
    /// The websocket to open from the same session (subprotocol `binary`, RFB inside).
    pub websocket: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: vmportal_core::Timestamp,
}

/// A one-use console ticket, valid for a short time and only from the session that asked for it.
#[utoipa::path(post, path = "/api/v1/machines/{id}/console", tag = "machines",
    params(("id" = i64, Path, description = "Machine id")),
    responses((status = 200, body = ConsoleTicket), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The machine is not running", body = ErrorBody)))]
pub async fn console_ticket(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<MachineId>,
) -> AppResult<Json<ConsoleTicket>> {
    let machine = crate::actions::machines::visible(&state, &signed, id).await?;
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
    }))
}

/// A ticket as minted: 64 hex digits. Anything else is refused without a database lookup.
pub(super) fn well_formed(ticket: &str) -> bool {
    ticket.len() == 64 && ticket.bytes().all(|b| b.is_ascii_hexdigit())
}
