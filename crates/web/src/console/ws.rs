//! `GET /console/ws?ticket=`: checks that the portal's own page opens it, the ticket against the
//! caller's session, then the machine, and only then asks the hypervisor for the console.

use super::{relay, ticket::well_formed};
use crate::{
    api::extract::ApiQuery,
    auth::{Signed, token_hash},
    error::{AppError, AppResult},
    state::AppState,
};
use axum::{
    extract::{State, ws::WebSocketUpgrade},
    http::{HeaderMap, header},
    response::Response,
};
use serde::Deserialize;
use std::time::Duration;
use vmportal_core::{
    audit::{NewAuditEvent, action},
    authz::Reach,
    machine::MachineState,
    msg, now,
};

#[derive(Deserialize)]
pub struct TicketQuery {
    ticket: String,
}

/// The hypervisor and the guest's VNC server must answer within this (Proxmox VE: vncproxy, the
/// websocket and the VNC authentication together).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// noVNC sends small messages (keys, pointer, update requests); the largest is a pasted clipboard.
/// The bound keeps one console's memory small whatever a client sends.
const MAX_MESSAGE: usize = 1024 * 1024;

pub async fn websocket(
    State(state): State<AppState>,
    signed: Signed,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<TicketQuery>,
    upgrade: WebSocketUpgrade,
) -> AppResult<Response> {
    if cross_site(&headers, &state.config.public_url) {
        return Ok(crate::layers::cross_site_refused());
    }
    // Unknown, expired, used, or minted by another session: all alike, and all before anything
    // else is looked at.
    if !well_formed(&query.ticket) {
        return Err(AppError::NotFound);
    }
    let used = state
        .store
        .consume_console_ticket(&token_hash(&query.ticket), &signed.token_hash, now())
        .await?
        .ok_or(AppError::NotFound)?;
    let (machine, reach) =
        crate::actions::machines::reach(&state, &signed.who(), used.machine_id).await?;
    // Judged again now: the course may have taken full control away since the ticket.
    let view_only = reach.view_only(used.view_only);
    let (MachineState::Running, Some(external_id)) = (machine.state, &machine.external_id) else {
        return Err(AppError::Conflict(
            msg("err-console-not-running").arg("state", machine.state.label()),
        ));
    };
    let hv = state
        .providers
        .get(&machine.provider)
        .ok_or_else(|| AppError::internal(format!("no provider {}", machine.provider)))?;
    let unavailable = |e: String| {
        tracing::warn!(machine = machine.id.0, error = %e, "console unavailable");
        AppError::Conflict(msg("err-console-unreachable"))
    };
    let guest = tokio::time::timeout(CONNECT_TIMEOUT, hv.console(external_id))
        .await
        .map_err(|_| unavailable("the hypervisor or the VNC server did not answer".into()))?
        .map_err(|e| unavailable(e.to_string()))?;
    let open = NewAuditEvent {
        action: action::CONSOLE_OPEN,
        object_type: "machine",
        object_id: Some(machine.id.0),
        detail: if view_only {
            format!("{} (view-only)", machine.name)
        } else {
            machine.name.to_string()
        },
    };
    state.store.record(&signed.actor(), open).await?;
    if matches!(reach, Reach::Teacher(_)) && !view_only {
        let full = NewAuditEvent {
            action: action::CONSOLE_FULL_CONTROL,
            object_type: "machine",
            object_id: Some(machine.id.0),
            detail: format!("{} of {}", machine.name, machine.owner),
        };
        state.store.record(&signed.actor(), full).await?;
    }
    let session = relay::Session {
        state: state.clone(),
        actor: signed.actor(),
        token_hash: signed.token_hash,
        via: signed.via,
        machine: machine.id,
        view_only,
    };
    Ok(upgrade
        .protocols(["binary"])
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .on_upgrade(move |socket| session.run(socket, guest)))
}

/// Browsers let any page open a websocket to any host, with the cookies: a console opens only
/// from the portal's own pages (the rule the CSRF layer applies to changes).
fn cross_site(headers: &HeaderMap, public_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site != "same-origin";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return false; // not a browser
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    origin != public_url.trim_end_matches('/') && origin.split_once("://").map(|(_, h)| h) != host
}
