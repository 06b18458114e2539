use super::StoreResult;
use crate::{
    Timestamp,
    audit::Actor,
    ids::{ExtensionId, MachineId, TemplateId, UserId},
    job::{Job, JobCause, JobKind},
    lease::{ExtensionRequest, NewNotice, Notice},
    machine::Machine,
    request::RequestState,
};
use async_trait::async_trait;

/// An owner's request to extend, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewExtension {
    pub machine_id: MachineId,
    pub user_id: UserId,
    pub days: i64,
    pub expires_at: Timestamp,
    pub reason: String,
}

#[async_trait]
pub trait LeaseStore: Send + Sync {
    /// Sets the end of a machine's lease (an extension, an administrator's change), with its
    /// audit event (`action` names which, `detail` says how).
    async fn set_lease(
        &self,
        id: MachineId,
        expires_at: Option<Timestamp>,
        action: &'static str,
        by: &Actor,
    ) -> StoreResult<Machine>;
    /// Machines not deleted whose lease ends by `until`, soonest first; of one template or all.
    async fn expiring(
        &self,
        until: Timestamp,
        template: Option<TemplateId>,
    ) -> StoreResult<Vec<Machine>>;
    /// Records a notice with its audit event and the owner's mail in the outbox; `None` when the
    /// same one was recorded before.
    async fn record_notice(&self, notice: NewNotice) -> StoreResult<Option<Notice>>;
    /// Notices about the machine's current lease (and its idle stops), newest first.
    async fn notices(&self, machine: MachineId) -> StoreResult<Vec<Notice>>;
    /// Running machines whose template stops them when idle, with that many minutes.
    async fn idle_watched(&self) -> StoreResult<Vec<(Machine, i64)>>;
    /// Whether a console is open on the machine now, or was at some time since `since` (from the
    /// audit events of consoles opened and closed).
    async fn console_used_since(&self, machine: MachineId, since: Timestamp) -> StoreResult<bool>;
    /// Queues a job the portal decided on itself. Refused (busy) while another job is pending on
    /// the machine, so the caller tries again later rather than acting behind it. Unlike a
    /// person's delete it does not mark the machine `deleting`: the job first checks it is due.
    async fn enqueue_lease_job(
        &self,
        machine: MachineId,
        kind: JobKind,
        cause: JobCause,
    ) -> StoreResult<Job>;
    async fn create_extension(
        &self,
        new: NewExtension,
        by: &Actor,
    ) -> StoreResult<ExtensionRequest>;
    async fn extension(&self, id: ExtensionId) -> StoreResult<Option<ExtensionRequest>>;
    /// Pending first, then newest first; of one state or all.
    async fn extensions(&self, state: Option<RequestState>) -> StoreResult<Vec<ExtensionRequest>>;
    /// Approves (setting the lease to what was asked for) or rejects with a reason, in one
    /// transaction; a conflict when it was decided already.
    async fn decide_extension(
        &self,
        id: ExtensionId,
        decision: RequestState,
        reason: Option<String>,
        by: &Actor,
    ) -> StoreResult<ExtensionRequest>;
}
