//! Telling people what happened, by mail. A notification is written to the outbox in the same
//! transaction as the event that causes it (a request filed, decided, a machine built, a job that
//! failed), so it is never lost and never sent for something that did not happen; the engine sends
//! it later, in the recipient's language, and retries while the mail server is away.
//!
//! New causes add a [`NotificationKind`] and write a [`NewNotification`] in their own
//! transaction, or through [`OutboxStore::notify`](crate::store::OutboxStore::notify).

use crate::{
    Timestamp,
    ids::{JobId, MachineId, RequestId, UserId},
    preferences::Notifications,
    user::str_enum,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    /// To approvers: a request waits for a decision.
    NewRequest,
    /// To approvers who chose it: the requests still pending, once a day.
    DailyDigest,
    /// To the owner: the request was approved or rejected (with the reason).
    Decision,
    /// To the owner: the machine is built; a link to its page, never the password.
    MachineReady,
    /// To the owner: an action on the machine failed, and what to do next.
    JobFailed,
    /// To the owner: a lease notice (the lease ends soon, has ended, the machine will be deleted,
    /// it was stopped for sitting idle).
    Lease,
}

str_enum!(NotificationKind {
    NewRequest => "new_request" as msg("notify-new-request"),
    DailyDigest => "daily_digest" as msg("notify-daily-digest"),
    Decision => "decision" as msg("notify-decision"),
    MachineReady => "machine_ready" as msg("notify-machine-ready"),
    JobFailed => "job_failed" as msg("notify-job-failed"),
    Lease => "lease" as msg("notify-lease"),
});

impl NotificationKind {
    /// Whether someone with these choices wants this mail. A per-request mail to an approver
    /// who asked for the daily digest instead is not wanted.
    pub fn wanted(self, n: &Notifications) -> bool {
        match self {
            NotificationKind::NewRequest => n.new_request && !n.daily_digest,
            NotificationKind::DailyDigest => n.daily_digest,
            NotificationKind::Decision => n.decision,
            NotificationKind::MachineReady => n.machine_ready,
            NotificationKind::JobFailed => n.job_failed,
            NotificationKind::Lease => n.lease,
        }
    }
}

/// What a notification is about; the sender reads its current state when it writes the mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct About {
    pub request: Option<RequestId>,
    pub machine: Option<MachineId>,
    pub job: Option<JobId>,
    /// The lease notice, for [`NotificationKind::Lease`].
    pub notice: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub kind: NotificationKind,
    pub recipient: UserId,
    pub about: About,
}

/// A notification waiting to be sent (or being retried).
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: i64,
    pub kind: NotificationKind,
    pub recipient: UserId,
    pub about: About,
    /// Failed tries so far.
    pub attempts: i64,
    pub created_at: Timestamp,
}

/// A delivery that was given up, for administrators.
#[derive(Debug, Clone)]
pub struct FailedDelivery {
    pub id: i64,
    pub kind: NotificationKind,
    pub recipient: String,
    pub attempts: i64,
    pub last_error: String,
    pub created_at: Timestamp,
}
