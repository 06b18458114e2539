use super::StoreResult;
use crate::{
    audit::Actor,
    ids::MachineId,
    job::{Job, JobKind},
    snapshot::{NewSnapshot, Snapshot, SnapshotName},
};
use async_trait::async_trait;

#[async_trait]
pub trait SnapshotStore: Send + Sync {
    /// The machine's snapshots, oldest first; none once the machine is deleted (they went with
    /// its storage).
    async fn snapshots(&self, machine: MachineId) -> StoreResult<Vec<Snapshot>>;
    /// Records the snapshot as being made and queues its job. Refused (busy) when the template
    /// disables snapshots, the machine already keeps as many as it may, or the machine cannot
    /// act now; a name already used is a field error.
    async fn take_snapshot(
        &self,
        machine: MachineId,
        new: NewSnapshot,
        by: &Actor,
    ) -> StoreResult<Job>;
    /// Queues a revert to, or the deletion of, a ready snapshot; a deletion marks it `deleting`.
    async fn enqueue_snapshot_job(
        &self,
        machine: MachineId,
        kind: JobKind,
        name: &SnapshotName,
        by: &Actor,
    ) -> StoreResult<Job>;
    /// The snapshot exists on the hypervisor: `ready`, holding the memory or not (`None` keeps
    /// what was recorded, after a failed deletion).
    async fn snapshot_ready(
        &self,
        machine: MachineId,
        name: &SnapshotName,
        with_memory: Option<bool>,
    ) -> StoreResult<()>;
    /// The snapshot is gone from the hypervisor (deleted, or never made).
    async fn forget_snapshot(&self, machine: MachineId, name: &SnapshotName) -> StoreResult<()>;
}
