use super::{JobQuery, Listed, StoreResult};
use crate::{
    Timestamp,
    audit::Actor,
    ids::{JobId, MachineId},
    job::{Job, JobEvent, JobKind, JobOutcome},
};
use async_trait::async_trait;

#[async_trait]
pub trait JobStore: Send + Sync {
    async fn job(&self, id: JobId) -> StoreResult<Option<Job>>;
    /// Jobs of machines (`q` and `owner` match the machine's name and owner).
    async fn jobs(&self, query: &JobQuery) -> StoreResult<Listed<Job>>;
    /// Queues an owner's action on a machine. Refused (conflict) when the machine's state does not
    /// allow it or another job is pending on it (a delete queues behind). A delete marks the
    /// machine `deleting` at once.
    async fn enqueue_job(&self, machine: MachineId, kind: JobKind, by: &Actor) -> StoreResult<Job>;
    /// Takes the oldest runnable job (queued and due, or running with an expired lease: its worker
    /// died) that has no older pending job on the same machine, and leases it to `worker`.
    async fn claim_job(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<Job>>;
    /// Extends the lease; `false` when `worker` no longer holds the job.
    async fn renew_lease(
        &self,
        job: JobId,
        worker: &str,
        lease_until: Timestamp,
    ) -> StoreResult<bool>;
    /// Records progress and appends it to the job's events.
    async fn job_progress(&self, job: JobId, progress: i64, message: &str) -> StoreResult<()>;
    /// Ends an attempt, if `worker` still holds the job.
    async fn finish_job(&self, job: JobId, worker: &str, outcome: JobOutcome) -> StoreResult<()>;
    /// Events after `after`, oldest first.
    async fn job_events(&self, job: JobId, after: i64) -> StoreResult<Vec<JobEvent>>;
}
