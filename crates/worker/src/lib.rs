//! The provisioning engine. Workers claim jobs from the store with a lease and keep renewing it
//! while they work; a worker that dies (a crash, `kill -9`) stops renewing, and another worker, or
//! the next start, claims the job again. Every step a job takes is idempotent on the hypervisor
//! side, so running a job twice builds one machine.

mod config;
mod expiry;
mod idle;
mod jobs;
pub mod mail;
mod progress;
mod reconcile;
mod snapshots;

pub use config::EngineConfig;
pub use mail::{MailConfig, Mailer};

use std::{sync::Arc, time::Duration};
use tokio::{sync::watch, task::JoinHandle};
use vmportal_core::{
    Timestamp,
    clock::Clock,
    hypervisor::Registry,
    job::{Job, JobOutcome},
    now,
    secret::SecretKey,
    store::Store,
};

/// The store failing is worth a retry, like a hypervisor that does not answer.
fn db(e: vmportal_core::store::StoreError) -> vmportal_core::hypervisor::HypervisorError {
    vmportal_core::hypervisor::HypervisorError::Transient(format!("database: {e}"))
}

pub struct Engine {
    store: Arc<dyn Store>,
    providers: Registry,
    key: SecretKey,
    cfg: EngineConfig,
    /// Decides when leases end; jobs and their leases follow it too.
    clock: Arc<dyn Clock>,
    /// Names this process's leases; unique per start.
    id: String,
    /// CPU time of the machines watched for idleness.
    idle: std::sync::Mutex<idle::Samples>,
}

impl Engine {
    pub fn new(
        store: Arc<dyn Store>,
        providers: Registry,
        key: SecretKey,
        cfg: EngineConfig,
        clock: Arc<dyn Clock>,
    ) -> Arc<Engine> {
        let id = format!("{}-{}", std::process::id(), now().unix_timestamp_nanos());
        Arc::new(Engine {
            store,
            providers,
            key,
            cfg,
            clock,
            id,
            idle: Default::default(),
        })
    }

    /// Starts the workers and the reconciliation loop; they stop when `stop` turns true.
    pub fn spawn(self: &Arc<Self>, stop: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
        let mut tasks: Vec<JoinHandle<()>> = (0..self.cfg.workers.max(1))
            .map(|n| {
                let (engine, stop) = (self.clone(), stop.clone());
                tokio::spawn(async move { engine.work(n, stop).await })
            })
            .collect();
        let (engine, stopped) = (self.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            engine.reconcile_forever(stopped).await
        }));
        let (engine, stopped) = (self.clone(), stop.clone());
        tasks.push(tokio::spawn(
            async move { engine.sweep_forever(stopped).await },
        ));
        let (engine, stop) = (self.clone(), stop);
        tasks.push(tokio::spawn(async move { engine.idle_forever(stop).await }));
        tasks
    }

    async fn work(&self, n: usize, mut stop: watch::Receiver<bool>) {
        let worker = format!("{}/{n}", self.id);
        while !*stop.borrow() {
            match self
                .store
                .claim_job(&worker, self.clock.now(), self.lease_end())
                .await
            {
                Ok(Some(job)) => self.run(&worker, job).await,
                Ok(None) => {
                    let _ = tokio::time::timeout(self.cfg.poll(), stop.changed()).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot claim jobs");
                    let _ = tokio::time::timeout(Duration::from_secs(5), stop.changed()).await;
                }
            }
        }
    }

    fn lease_end(&self) -> Timestamp {
        self.clock.now() + self.cfg.lease()
    }

    /// Runs one attempt of `job`, renewing its lease meanwhile, and records how it ended.
    pub async fn run(&self, worker: &str, job: Job) {
        let heartbeat = {
            let (store, worker, id, every, cfg, clock) = (
                self.store.clone(),
                worker.to_owned(),
                job.id,
                self.cfg.heartbeat(),
                self.cfg.clone(),
                self.clock.clone(),
            );
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    match store
                        .renew_lease(id, &worker, clock.now() + cfg.lease())
                        .await
                    {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(job = %id, "lease lost; another worker owns the job now");
                            return;
                        }
                        Err(e) => tracing::warn!(job = %id, error = %e, "cannot renew the lease"),
                    }
                }
            })
        };
        tracing::info!(job = %job.id, kind = %job.kind, attempt = job.attempts, "job started");
        let outcome = self.execute(&job).await;
        heartbeat.abort();
        match &outcome {
            JobOutcome::Succeeded(m) => tracing::info!(job = %job.id, "job done: {m}"),
            JobOutcome::Retry { error, .. } => {
                tracing::warn!(job = %job.id, "job will retry: {error}")
            }
            JobOutcome::Failed(e) => tracing::warn!(job = %job.id, "job failed: {e}"),
        }
        if let Err(e) = self.store.finish_job(job.id, worker, outcome).await {
            // The lease will expire and the job run again; every step is idempotent.
            tracing::error!(job = %job.id, error = %e, "cannot record the end of a job");
        }
    }
}
