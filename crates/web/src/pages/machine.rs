use super::{Nav, PageResult};
use crate::{auth::Viewer, error::AppError, state::AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use vmportal_core::{ids::MachineId, machine::Machine};

#[derive(Template, WebTemplate)]
#[template(path = "machine.html")]
pub struct MachinePage {
    nav: Nav,
    machine: Machine,
}

/// A machine's state and its current job, for its owner or an administrator.
pub async fn show(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<i64>,
) -> PageResult<MachinePage> {
    let machine = state
        .store
        .machine(MachineId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    me.caller().may_see_owned_by(machine.owner_id)?;
    Ok(MachinePage {
        nav: Nav::from(&me),
        machine,
    })
}
