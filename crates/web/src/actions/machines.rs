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
    machine::Machine,
    template::OsFamily,
};

/// The machine, if the caller may see it (its owner, an administrator, a teacher of its course);
/// otherwise "not found", whether it exists or not.
pub async fn visible(state: &AppState, by: &Caller, id: MachineId) -> AppResult<Machine> {
    Ok(reach(state, by, id).await?.0)
}

/// The machine and how the caller reaches it.
pub async fn reach(state: &AppState, by: &Caller, id: MachineId) -> AppResult<(Machine, Reach)> {
    let machine = state.store.machine(id).await?.ok_or(AppError::NotFound)?;
    let teaching = match machine.course_id {
        Some(course) if machine.owner_id != by.id && !by.is_admin() => {
            state.store.teaching(by.id, course).await?
        }
        _ => None,
    };
    let reach = by.authz().reach(machine.owner_id, teaching)?;
    Ok((machine, reach))
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

/// The machine and its credentials, if the caller may see them.
pub async fn read_credentials(
    state: &AppState,
    by: &Caller,
    id: MachineId,
) -> AppResult<(Machine, Credentials)> {
    let (machine, reach) = reach(state, by, id).await?;
    reach.may_read_credentials()?;
    let sealed = state.store.machine_secret(machine.id).await?;
    let (Some(sealed), Some(username)) = (sealed, machine.login_name.clone()) else {
        return Err(AppError::Conflict(
            "the machine's credentials are not ready yet".into(),
        ));
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
