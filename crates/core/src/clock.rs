//! What time it is, behind a trait: the engine and the web app ask a [`Clock`] wherever leases
//! are concerned, so tests move time forward by days without sleeping.

use crate::Timestamp;
use std::sync::Mutex;

pub trait Clock: Send + Sync + 'static {
    /// Now, in whole seconds (as the store keeps times).
    fn now(&self) -> Timestamp;
}

/// The real time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        crate::now()
    }
}

/// A clock that stands still until a test moves it.
#[derive(Debug)]
pub struct TestClock(Mutex<Timestamp>);

impl TestClock {
    /// Starts at the real time, so what the store stamps with the real time is not in the future.
    pub fn new() -> Self {
        TestClock(Mutex::new(crate::now()))
    }

    pub fn advance(&self, by: time::Duration) {
        *self.lock() += by;
    }

    pub fn set(&self, to: Timestamp) {
        *self.lock() = to.replace_nanosecond(0).unwrap_or(to);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Timestamp> {
        // A panic elsewhere cannot leave a timestamp half-written.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for TestClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_clock_moves_only_when_told() {
        let c = TestClock::new();
        let t0 = c.now();
        c.advance(time::Duration::days(8));
        assert_eq!(c.now() - t0, time::Duration::days(8));
    }
}
