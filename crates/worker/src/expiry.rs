//! The lease sweep: warns owners at the configured points, and queues the expiry actions as
//! durable jobs (a stop at the end of the lease, a delete once the grace period is over). The jobs
//! check again that they are due when they run, so a lease extended meanwhile is left alone.

use crate::{Engine, db};
use tokio::sync::watch;
use vmportal_core::{
    Timestamp,
    hypervisor::HypervisorError,
    job::{JobCause, JobKind},
    lease::{NewNotice, NoticeKind, due_notice},
    machine::{Machine, MachineState},
    store::StoreError,
};

impl Engine {
    pub(crate) async fn sweep_forever(&self, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            if let Err(e) = self.sweep_leases().await {
                tracing::warn!(error = %e, "lease sweep");
            }
            let _ = tokio::time::timeout(
                std::time::Duration::from_secs(self.cfg.lease_sweep_secs.max(1)),
                stop.changed(),
            )
            .await;
        }
    }

    /// One pass over the leases that end within the first warning point. Safe to repeat: notices
    /// are recorded once each, and a machine with a job pending gets no second one.
    pub async fn sweep_leases(&self) -> Result<(), HypervisorError> {
        let now = self.clock.now();
        let horizon = self.cfg.warning_days.iter().copied().max().unwrap_or(0);
        let due = self
            .store
            .expiring(now + time::Duration::days(horizon), None)
            .await
            .map_err(db)?;
        for m in &due {
            self.sweep_one(m, now).await?;
        }
        Ok(())
    }

    async fn sweep_one(&self, m: &Machine, now: Timestamp) -> Result<(), HypervisorError> {
        let (Some(end), action) = (m.expires_at, m.expiry_action.unwrap_or_default()) else {
            return Ok(());
        };
        if m.state == MachineState::Deleting {
            return Ok(());
        }
        if let Some((kind, point)) = due_notice(end, now, &self.cfg.warning_days) {
            self.notice(m, kind, point, now).await?;
        }
        let job = match m.state {
            MachineState::Running if m.expired(now) => JobKind::Shutdown,
            MachineState::Stopped | MachineState::Failed
                if m.delete_after.is_some_and(|d| d <= now) =>
            {
                self.notice(m, NoticeKind::Deleting, "grace".into(), now)
                    .await?;
                JobKind::Delete
            }
            _ => return Ok(()),
        };
        match self
            .store
            .enqueue_lease_job(m.id, job, JobCause::Expiry)
            .await
        {
            Ok(j) => {
                tracing::info!(machine = %m.id, job = %j.id, %action, "lease over: {job} queued")
            }
            // Another job is running on it: the next sweep tries again, after that job.
            Err(StoreError::Busy(why)) => {
                tracing::info!(machine = %m.id, "lease over, but busy ({why}); later")
            }
            Err(e) => return Err(db(e)),
        }
        Ok(())
    }

    pub(crate) async fn notice(
        &self,
        m: &Machine,
        kind: NoticeKind,
        point: String,
        now: Timestamp,
    ) -> Result<(), HypervisorError> {
        let new = NewNotice {
            machine_id: m.id,
            kind,
            point,
            expires_at: m.expires_at,
            action: m.expiry_action.unwrap_or_default(),
            at: now,
        };
        self.store.record_notice(new).await.map_err(db)?;
        Ok(())
    }

    /// For a job the sweep queued: why it must not act now (the lease was extended, the machine
    /// changed meanwhile), or `None` when it is still due.
    pub(crate) fn expiry_not_due(&self, m: &Machine, kind: JobKind) -> Option<String> {
        let now = self.clock.now();
        match kind {
            _ if !m.expired(now) => Some("the lease was extended; nothing done".into()),
            JobKind::Shutdown if m.state != MachineState::Running => {
                Some(format!("the machine is {} already; nothing done", m.state))
            }
            JobKind::Delete if m.delete_after.is_none_or(|d| d > now) => {
                Some("the grace period is not over; nothing done".into())
            }
            JobKind::Delete if m.state == MachineState::Running => {
                Some("the machine is running again; not deleted".into())
            }
            _ => None,
        }
    }
}
