//! Extending a lease (at once within the template's policy, or by asking an approver), an
//! administrator's change of a lease, and the decision on extension requests.

use super::machines::visible;
use crate::{
    auth::Signed,
    error::{AppError, AppResult},
    state::AppState,
};
use vmportal_core::{
    Invalid, Timestamp,
    audit::action,
    ids::{ExtensionId, MachineId, TemplateId},
    lease::{self, Extension, ExtensionRefused, ExtensionRequest},
    machine::{Machine, MachineState},
    msg, names,
    request::RequestState,
    store::NewExtension,
};

/// What an extension gave.
pub enum Extended {
    /// Within the template's policy: the machine with its new lease.
    Granted(Box<Machine>),
    /// Beyond it: the request an approver decides on.
    Asked(ExtensionRequest),
}

pub async fn extend(
    state: &AppState,
    by: &Signed,
    id: MachineId,
    days: i64,
    reason: &str,
) -> AppResult<Extended> {
    let machine = visible(state, &by.who(), id).await?;
    if matches!(
        machine.state,
        MachineState::Deleting | MachineState::Deleted
    ) {
        return Err(AppError::Conflict(
            msg("err-machine-is").arg("state", machine.state.label()),
        ));
    }
    let template = state
        .store
        .template(machine.template_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let asked = lease::extend(
        &template.lease,
        machine.created_at,
        machine.expires_at,
        state.clock.now(),
        days,
    );
    match asked {
        Err(ExtensionRefused::NoLease) => Err(AppError::Conflict(msg("err-no-lease"))),
        Err(ExtensionRefused::Days) => Err(Invalid::field(
            "days",
            msg("err-between").arg("min", 1).arg("max", lease::MAX_DAYS),
        )
        .into()),
        Ok(Extension::Granted(end)) => Ok(Extended::Granted(Box::new(
            state
                .store
                .set_lease(id, Some(end), action::LEASE_EXTEND, &by.actor())
                .await?,
        ))),
        Ok(Extension::NeedsApproval(end)) => {
            let reason = names::text("reason", reason, true, 2000)
                .map_err(|_| Invalid::field("reason", msg("err-extension-reason")))?;
            let new = NewExtension {
                machine_id: id,
                user_id: by.caller().id,
                days,
                expires_at: end,
                reason,
            };
            Ok(Extended::Asked(
                state.store.create_extension(new, &by.actor()).await?,
            ))
        }
    }
}

/// An administrator sets any lease, or removes it (`None`: the machine does not expire).
pub async fn set(
    state: &AppState,
    admin: &Signed,
    id: MachineId,
    expires_at: Option<Timestamp>,
) -> AppResult<Machine> {
    admin.caller().require_admin()?;
    Ok(state
        .store
        .set_lease(id, expires_at, action::LEASE_SET, &admin.actor())
        .await?)
}

/// Machines whose lease ends within `days` (or is over): everyone's for administrators, the
/// caller's own otherwise.
pub async fn expiring(
    state: &AppState,
    by: &Signed,
    days: i64,
    template: Option<TemplateId>,
) -> AppResult<Vec<Machine>> {
    if !(0..=3650).contains(&days) {
        return Err(Invalid::field(
            "expiring_within_days",
            msg("err-between").arg("min", 0).arg("max", 3650),
        )
        .into());
    }
    let until = state.clock.now() + time::Duration::days(days);
    let mut all = state.store.expiring(until, template).await?;
    if let Some(owner) = by.caller().listing_scope() {
        all.retain(|m| m.owner_id == owner);
    }
    Ok(all)
}

pub async fn extensions(
    state: &AppState,
    admin: &Signed,
    filter: Option<RequestState>,
) -> AppResult<Vec<ExtensionRequest>> {
    admin.caller().require_admin()?;
    Ok(state.store.extensions(filter).await?)
}

/// Approves (the lease becomes what was asked for) or rejects with a reason.
pub async fn decide(
    state: &AppState,
    admin: &Signed,
    id: ExtensionId,
    decision: RequestState,
    reason: Option<&str>,
) -> AppResult<ExtensionRequest> {
    admin.caller().require_admin()?;
    let reason = match decision {
        RequestState::Rejected => Some(names::text(
            "reason",
            reason.unwrap_or_default(),
            true,
            2000,
        )?),
        _ => None,
    };
    Ok(state
        .store
        .decide_extension(id, decision, reason, &admin.actor())
        .await?)
}
