//! Progress reported by a hypervisor call, written to the job in order by one task.

use std::sync::Arc;
use tokio::{sync::mpsc, task::JoinHandle};
use vmportal_core::{hypervisor::Progress, ids::JobId, store::Store};

pub struct JobProgress {
    tx: mpsc::UnboundedSender<(i64, String)>,
}

impl Progress for JobProgress {
    fn report(&self, percent: i64, message: &str) {
        let _ = self.tx.send((percent.clamp(0, 100), message.to_owned()));
    }
}

impl JobProgress {
    /// The reporter, and the task writing its reports; the task ends once the reporter is dropped.
    pub fn start(store: Arc<dyn Store>, job: JobId) -> (JobProgress, JoinHandle<()>) {
        let (tx, mut rx) = mpsc::unbounded_channel::<(i64, String)>();
        let writer = tokio::spawn(async move {
            let mut last = (-1, String::new());
            while let Some(report) = rx.recv().await {
                if report != last {
                    if let Err(e) = store.job_progress(job, report.0, &report.1).await {
                        tracing::warn!(job = %job, error = %e, "cannot record progress");
                    }
                    last = report;
                }
            }
        });
        (JobProgress { tx }, writer)
    }
}
