use crate::{
    caller::Caller,
    error::{AppError, AppResult},
    state::AppState,
};
use serde::Serialize;
use utoipa::ToSchema;
use vmportal_core::{
    audit::{NewAuditEvent, action},
    authz::Reach,
    ids::{JobId, MachineId},
    job::JobKind,
    machine::{Machine, MachineState},
    msg,
    template::OsFamily,
};

/// The machine, if the caller may see it (its owner, an administrator, a teacher of its course);
/// otherwise "not found", whether it exists or not.
pub async fn visible(state: &AppState, by: &Caller, id: MachineId) -> AppResult<Machine> {
    Ok(reach(state, by, id).await?.0)
}

/// The machine as the caller may see it, and how the caller reaches it.
pub async fn reach(state: &AppState, by: &Caller, id: MachineId) -> AppResult<(Machine, Reach)> {
    let machine = state.store.machine(id).await?.ok_or(AppError::NotFound)?;
    let teaching = match machine.course_id {
        Some(course) if machine.owner_id != by.id && !by.is_admin() => {
            state.store.teaching(by.id, course).await?
        }
        _ => None,
    };
    let reach = by.authz().reach(machine.owner_id, teaching)?;
    Ok((super::redact::machine(by, machine), reach))
}

/// Queues `kind` on a machine the caller may act on.
pub async fn enqueue(
    state: &AppState,
    by: &Caller,
    id: MachineId,
    kind: JobKind,
) -> AppResult<JobId> {
    let (machine, reach) = reach(state, by, id).await?;
    reach.may_run(kind)?;
    if kind == JobKind::Start
        && let Some(end) = machine
            .expires_at
            .filter(|_| machine.expired(state.clock.now()))
    {
        return Err(AppError::Conflict(
            msg("err-lease-ended").arg("date", end.date().to_string()),
        ));
    }
    Ok(state
        .store
        .enqueue_job(machine.id, kind, &by.actor)
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

/// The machine and its credentials, if the caller may see them; each read is audited. A machine
/// being deleted or deleted has none any more.
pub async fn read_credentials(
    state: &AppState,
    by: &Caller,
    id: MachineId,
) -> AppResult<(Machine, Credentials)> {
    let (machine, reach) = reach(state, by, id).await?;
    reach.may_read_credentials()?;
    if matches!(
        machine.state,
        MachineState::Deleting | MachineState::Deleted
    ) {
        return Err(AppError::NotFound);
    }
    let sealed = state.store.machine_secret(machine.id).await?;
    let (Some(sealed), Some(username)) = (sealed, machine.login_name.clone()) else {
        return Err(AppError::Conflict(msg("err-credentials-not-ready")));
    };
    let password = state.secrets.open(&sealed).map_err(AppError::internal)?;
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
    state.store.record(&by.actor, event).await?;
    let creds = Credentials {
        username,
        password,
        host: machine.host.clone(),
        port: machine.port,
        protocol,
    };
    Ok((machine, creds))
}
