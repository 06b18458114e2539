//! Password hashing as a bounded resource: argon2 takes one core for tens of milliseconds, so
//! anonymous callers must not be able to queue unlimited amounts of it. A few hashes run at once;
//! a short queue waits; beyond it callers are told the portal is busy, at no cost.

use crate::error::{AppError, AppResult};
use tokio::sync::Semaphore;
use vmportal_core::password::{self, Password};

pub struct HashGate {
    running: Semaphore,
    /// Slots for the running and the waiting together.
    admitted: Semaphore,
}

impl HashGate {
    pub fn new(concurrent: usize, queued: usize) -> Self {
        HashGate {
            running: Semaphore::new(concurrent.max(1)),
            admitted: Semaphore::new(concurrent.max(1).saturating_add(queued)),
        }
    }

    /// Whether `candidate` matches `hash`.
    pub async fn verify(&self, candidate: &str, hash: String) -> AppResult<bool> {
        let candidate = candidate.to_owned();
        self.run(move || password::verify(&candidate, &hash)).await
    }

    pub async fn hash(&self, p: Password) -> AppResult<String> {
        self.run(move || p.hash()).await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let _admitted = self.admitted.try_acquire().map_err(|_| AppError::Busy)?;
        let _running = self.running.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(AppError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn beyond_the_queue_callers_are_told_to_come_back() {
        type Waiter = Arc<std::sync::Mutex<std::sync::mpsc::Receiver<()>>>;
        let gate = Arc::new(HashGate::new(1, 1));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx: Waiter = Arc::new(std::sync::Mutex::new(rx));
        let blocked = |gate: Arc<HashGate>, rx: Waiter| {
            tokio::spawn(async move { gate.run(move || rx.lock().unwrap().recv().unwrap()).await })
        };
        let first = blocked(gate.clone(), rx.clone());
        let second = blocked(gate.clone(), rx.clone());
        while gate.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(gate.run(|| ()).await, Err(AppError::Busy)));
        tx.send(()).unwrap();
        tx.send(()).unwrap();
        first.await.unwrap().unwrap();
        second.await.unwrap().unwrap();
        assert!(gate.run(|| ()).await.is_ok());
    }
}
