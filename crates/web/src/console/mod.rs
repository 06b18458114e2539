//! The browser console: one-use tickets, and the relay in the portal process between the
//! browser's websocket and the guest's VNC server (no per-VM ports, no child processes).

mod novnc;
mod relay;
pub mod ticket;
pub mod view_only;
mod ws;

pub use novnc::module as novnc_module;
pub use ws::websocket;

use std::time::Duration;
use tokio::sync::watch;

/// The open relays: told to close when the portal shuts down, and counted so that shutdown can
/// wait for them to record their end.
#[derive(Clone)]
pub struct Consoles {
    closing: watch::Sender<bool>,
    open: watch::Sender<usize>,
}

impl Default for Consoles {
    fn default() -> Self {
        Consoles {
            closing: watch::Sender::new(false),
            open: watch::Sender::new(0),
        }
    }
}

impl Consoles {
    /// Asks every open relay to close.
    pub fn close_all(&self) {
        self.closing.send_replace(true);
    }

    /// Waits (at most `limit`) until no relay is open.
    pub async fn drained(&self, limit: Duration) {
        let mut open = self.open.subscribe();
        let _ = tokio::time::timeout(limit, open.wait_for(|n| *n == 0)).await;
    }

    fn opened(&self) -> OpenGuard {
        self.open.send_modify(|n| *n += 1);
        metrics::gauge!("vmportal_console_sessions").increment(1.0);
        metrics::counter!("vmportal_console_sessions_total").increment(1);
        OpenGuard(self.open.clone())
    }
}

/// Counts a relay as open while it lives.
struct OpenGuard(watch::Sender<usize>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
        metrics::gauge!("vmportal_console_sessions").decrement(1.0);
    }
}
