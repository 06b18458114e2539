//! Durable units of hypervisor work. The portal core only enqueues them; workers come with the
//! provisioning engine.

use crate::{
    Msg, Timestamp,
    ids::{JobId, MachineId, UserId},
    msg,
    snapshot::SnapshotName,
    user::str_enum,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    Provision,
    Start,
    Shutdown,
    Stop,
    Reboot,
    Delete,
    Reconcile,
    Snapshot,
    RevertSnapshot,
    DeleteSnapshot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

str_enum!(JobKind {
    Provision => "provision" as msg("job-provision"),
    Start => "start" as msg("job-start"),
    Shutdown => "shutdown" as msg("job-shutdown"),
    Stop => "stop" as msg("job-stop"),
    Reboot => "reboot" as msg("job-reboot"),
    Delete => "delete" as msg("job-delete"),
    Reconcile => "reconcile" as msg("job-reconcile"),
    Snapshot => "snapshot" as msg("job-snapshot"),
    RevertSnapshot => "revert_snapshot" as msg("job-revert-snapshot"),
    DeleteSnapshot => "delete_snapshot" as msg("job-delete-snapshot"),
});
/// Why the portal queued a job on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobCause {
    /// The machine's lease ended (a stop), or its grace period did (a delete).
    Expiry,
    /// The machine sat idle.
    Idle,
}

str_enum!(JobCause {
    Expiry => "expiry" as msg("job-cause-expiry"),
    Idle => "idle" as msg("job-cause-idle"),
});
str_enum!(JobState {
    Queued => "queued" as msg("job-state-queued"),
    Running => "running" as msg("job-state-running"),
    Succeeded => "succeeded" as msg("job-state-succeeded"),
    Failed => "failed" as msg("job-state-failed"),
});

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Job {
    pub id: JobId,
    pub kind: JobKind,
    pub machine_id: Option<MachineId>,
    /// The snapshot a snapshot job takes, reverts to or deletes.
    pub snapshot: Option<SnapshotName>,
    /// Owner of the machine the job works on; decides who may see the job.
    #[serde(skip)]
    pub owner_id: Option<UserId>,
    pub state: JobState,
    /// Percent done, 0 to 100.
    pub progress: i64,
    pub message: String,
    pub error: Option<String>,
    pub attempts: i64,
    /// Why the portal itself queued it (`expiry`, `idle`); none for a person's action.
    pub cause: Option<JobCause>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
}

/// The part of a job shown with its machine.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobSummary {
    pub id: JobId,
    pub kind: JobKind,
    pub state: JobState,
    pub progress: i64,
    pub message: String,
}

/// One step of a job's progress, as the machine page streams it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobEvent {
    /// Increasing; a client resumes after the last one it saw.
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub progress: i64,
    pub message: String,
}

/// How a job attempt ended.
#[derive(Debug, Clone)]
pub enum JobOutcome {
    Succeeded(String),
    /// Try again at `run_after` (a transient failure).
    Retry {
        error: String,
        run_after: Timestamp,
    },
    Failed(String),
}

impl JobKind {
    /// Only one job at a time runs on a machine; a delete may queue behind a running job, other
    /// actions are refused while one is pending.
    pub fn queues_behind_others(self) -> bool {
        self == JobKind::Delete
    }

    /// Why other actions must wait while a job of this kind is pending.
    pub fn busy_reason(self) -> Msg {
        match self {
            JobKind::Snapshot => msg("err-busy-snapshot"),
            JobKind::RevertSnapshot => msg("err-busy-revert"),
            _ => msg("err-machine-busy"),
        }
    }
}
