use crate::{
    api::extract::ApiPath,
    auth::Signed,
    error::{AppError, AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;
use vmportal_core::{machine::Machine, template::OsFamily};

#[derive(Serialize, ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
    /// Where to connect, and how: `ssh` for Linux guests, `rdp` for Windows.
    pub host: Option<String>,
    pub port: Option<i64>,
    pub protocol: &'static str,
}

/// The machine's login, for its owner or an administrator. Every reading is in the audit log.
#[utoipa::path(get, path = "/api/v1/machines/{id}/credentials", tag = "machines",
    params(("id" = i64, Path, description = "Machine id")),
    responses((status = 200, body = Credentials), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not built yet", body = ErrorBody)))]
pub async fn credentials(
    State(state): State<AppState>,
    signed: Signed,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Credentials>> {
    Ok(Json(read(&state, &signed, id).await?.1))
}

/// The machine and its credentials, if the caller may see them.
pub async fn read(state: &AppState, by: &Signed, id: i64) -> AppResult<(Machine, Credentials)> {
    let machine = crate::actions::machines::visible(state, by, id).await?;
    let sealed = state.store.machine_secret(machine.id).await?;
    let (Some(sealed), Some(username)) = (sealed, machine.login_name.clone()) else {
        return Err(AppError::Conflict(
            "the machine's credentials are not ready yet".into(),
        ));
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
    let event = vmportal_core::audit::NewAuditEvent {
        action: vmportal_core::audit::action::CREDENTIALS_READ,
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
