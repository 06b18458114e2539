//! Idle shutdown: a running machine whose template sets `idle_stop_minutes` is shut down, as a
//! durable job with the cause `idle`, once it has used less than `idle_cpu_percent` of one CPU for
//! that long with no console open. CPU time comes from the hypervisor; the samples live in this
//! process only, so after a restart a machine is watched for a whole period again before it can
//! be found idle (late, never early).

use crate::{Engine, db};
use std::{
    collections::{HashMap, VecDeque},
    time::Duration,
};
use tokio::sync::watch;
use vmportal_core::{
    Timestamp,
    hypervisor::HypervisorError,
    ids::MachineId,
    job::{JobCause, JobKind},
    lease::NoticeKind,
    machine::Machine,
    store::StoreError,
};

/// Each watched machine's CPU time, oldest first, as the sweeps read it.
#[derive(Default)]
pub(crate) struct Samples(HashMap<MachineId, VecDeque<(Timestamp, Duration)>>);

impl Samples {
    /// Adds a reading and gives back the oldest one that still covers `window` (the reading at
    /// the start of the span to judge), once the machine has been watched that long.
    fn add(
        &mut self,
        id: MachineId,
        at: Timestamp,
        cpu: Duration,
        window: time::Duration,
    ) -> Option<(Timestamp, Duration)> {
        let q = self.0.entry(id).or_default();
        // Less CPU time than before: the guest started over.
        if q.back().is_some_and(|(_, before)| cpu < *before) {
            q.clear();
        }
        q.push_back((at, cpu));
        while q.len() > 1 && q[1].0 <= at - window {
            q.pop_front();
        }
        q.front().copied().filter(|(t, _)| at - *t >= window)
    }
}

impl Engine {
    pub(crate) async fn idle_forever(&self, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            if let Err(e) = self.sweep_idle().await {
                tracing::warn!(error = %e, "idle sweep");
            }
            let every = std::time::Duration::from_secs(self.cfg.idle_sweep_secs.max(1));
            let _ = tokio::time::timeout(every, stop.changed()).await;
        }
    }

    /// Reads the CPU time of every watched machine once, and queues a shutdown for each that sat
    /// idle for its template's period.
    pub async fn sweep_idle(&self) -> Result<(), HypervisorError> {
        let now = self.clock.now();
        let watched = self.store.idle_watched().await.map_err(db)?;
        self.idle
            .lock()
            .expect("idle samples")
            .0
            .retain(|id, _| watched.iter().any(|(m, _)| m.id == *id));
        for (m, minutes) in &watched {
            if let Err(e) = self.watch_one(m, *minutes, now).await {
                tracing::debug!(machine = %m.id, error = %e, "idle check");
            }
        }
        Ok(())
    }

    async fn watch_one(
        &self,
        m: &Machine,
        minutes: i64,
        now: Timestamp,
    ) -> Result<(), HypervisorError> {
        let (Some(external_id), Some(hv)) = (&m.external_id, self.providers.get(&m.provider))
        else {
            return Ok(());
        };
        let Some(cpu) = hv.cpu_time(external_id).await? else {
            return Ok(());
        };
        let window = time::Duration::minutes(minutes.max(1));
        let start = self
            .idle
            .lock()
            .expect("idle samples")
            .add(m.id, now, cpu, window);
        let Some((since, cpu_then)) = start else {
            return Ok(());
        };
        let span = (now - since).as_seconds_f64();
        let used = cpu.saturating_sub(cpu_then).as_secs_f64();
        if used > span * self.cfg.idle_cpu_percent / 100.0 {
            return Ok(());
        }
        if self
            .store
            .console_used_since(m.id, since)
            .await
            .map_err(db)?
        {
            return Ok(());
        }
        match self
            .store
            .enqueue_lease_job(m.id, JobKind::Shutdown, JobCause::Idle)
            .await
        {
            Ok(job) => {
                tracing::info!(machine = %m.id, job = %job.id, used, span, "idle: shutdown queued");
                self.idle.lock().expect("idle samples").0.remove(&m.id);
                let point = now.unix_timestamp().to_string();
                self.notice(m, NoticeKind::IdleStop, point, now).await
            }
            // Someone is acting on it: it is not idle.
            Err(StoreError::Busy(_)) => Ok(()),
            Err(e) => Err(db(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + time::Duration::seconds(secs)
    }

    #[test]
    fn a_machine_is_judged_over_a_whole_window_and_a_restart_starts_over() {
        let mut s = Samples::default();
        let (id, w) = (MachineId(1), time::Duration::seconds(60));
        let cpu = Duration::from_secs;
        assert_eq!(s.add(id, at(0), cpu(10), w), None);
        assert_eq!(s.add(id, at(30), cpu(11), w), None);
        assert_eq!(s.add(id, at(60), cpu(12), w), Some((at(0), cpu(10))));
        // The reading at 30 s is the newest one still a window old at 95 s.
        assert_eq!(s.add(id, at(95), cpu(13), w), Some((at(30), cpu(11))));
        // CPU time went down: the guest restarted, and is watched anew.
        assert_eq!(s.add(id, at(100), cpu(1), w), None);
        assert_eq!(s.add(id, at(160), cpu(2), w), Some((at(100), cpu(1))));
    }
}
