use crate::{
    auth::Signed,
    error::{AppError, AppResult},
    state::AppState,
};
use serde::Serialize;
use utoipa::ToSchema;
use vmportal_core::{
    audit::{NewAuditEvent, action},
    ids::{JobId, MachineId},
    job::JobKind,
    machine::Machine,
    msg,
    template::OsFamily,
};

/// The machine, if the caller may see it (its owner, an administrator); otherwise "not found",
/// whether it exists or not.
pub async fn visible(state: &AppState, by: &Signed, id: i64) -> AppResult<Machine> {
    let machine = state
        .store
        .machine(MachineId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    by.caller().may_see_owned_by(machine.owner_id)?;
    Ok(machine)
}

/// Queues `kind` on a machine the caller may act on.
pub async fn enqueue(state: &AppState, by: &Signed, id: i64, kind: JobKind) -> AppResult<JobId> {
    let machine = visible(state, by, id).await?;
    Ok(state
        .store
        .enqueue_job(machine.id, kind, &by.actor())
        .await?
        .id)
}

#[derive(Serialize, ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
    /// Where to connect, and how: `ssh` for Linux guests, `rdp` for Windows.
    pub host: Option<String>,
    pub port: Option<i64>,
    pub protocol: &'static str,
}

/// The machine and its credentials, if the caller may see them.
pub async fn read_credentials(
    state: &AppState,
    by: &Signed,
    id: i64,
) -> AppResult<(Machine, Credentials)> {
    let machine = visible(state, by, id).await?;
    let sealed = state.store.machine_secret(machine.id).await?;
    let (Some(sealed), Some(username)) = (sealed, machine.login_name.clone()) else {
        return Err(AppError::Conflict(msg("err-credentials-not-ready")));
    };
    let password = state
        .secrets
        .open(&sealed)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let template = state.store.template(machine.template_id).await?;
    let protocol = match template.map(|t| t.os_family) {
        Some(OsFamily::Windows) => "rdp",
        _ => "ssh",
    };
    let event = NewAuditEvent {
        action: action::CREDENTIALS_READ,
        object_type: "machine",
        object_id: Some(machine.id.0),
        detail: machine.name.to_string(),
    };
    state.store.record(&by.actor(), event).await?;
    let creds = Credentials {
        username,
        password,
        host: machine.host.clone(),
        port: machine.port,
        protocol,
    };
    Ok((machine, creds))
}
