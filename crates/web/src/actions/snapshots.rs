//! A machine's snapshots: listing, for whoever may see the machine; taking, reverting, deleting,
//! for its owner or an administrator (a course's teachers only look). Each change is a job; the
//! store audits it.

use crate::{
    actions::machines::{reach, visible},
    caller::Caller,
    error::{AppError, AppResult},
    state::AppState,
};
use vmportal_core::{
    ids::{JobId, MachineId},
    job::JobKind,
    snapshot::{NewSnapshot, Snapshot, SnapshotName},
};

pub async fn list(state: &AppState, by: &Caller, id: MachineId) -> AppResult<Vec<Snapshot>> {
    let machine = visible(state, by, id).await?;
    Ok(state.store.snapshots(machine.id).await?)
}

pub async fn take(
    state: &AppState,
    by: &Caller,
    id: MachineId,
    name: &str,
    description: &str,
) -> AppResult<JobId> {
    let (machine, reach) = reach(state, by, id).await?;
    reach.may_run(JobKind::Snapshot)?;
    let new = NewSnapshot::parse(name, description)?;
    Ok(state
        .store
        .take_snapshot(machine.id, new, &by.actor)
        .await?
        .id)
}

/// Queues a revert to, or the deletion of, the snapshot `name`; a name that cannot exist is
/// "not found" like any other missing snapshot.
pub async fn act(
    state: &AppState,
    by: &Caller,
    id: MachineId,
    kind: JobKind,
    name: &str,
) -> AppResult<JobId> {
    let (machine, reach) = reach(state, by, id).await?;
    reach.may_run(kind)?;
    let name = SnapshotName::parse(name).map_err(|_| AppError::NotFound)?;
    Ok(state
        .store
        .enqueue_snapshot_job(machine.id, kind, &name, &by.actor)
        .await?
        .id)
}
