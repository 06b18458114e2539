use crate::{
    auth::Signed,
    error::{AppError, AppResult},
    state::AppState,
};
use vmportal_core::{ids::MachineId, machine::Machine};

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
