//! Mail: the engine sends what the outbox holds, in each recipient's language, through the SMTP
//! relay of `[mail]`. A mail server that is down or refuses only delays mail: each notification
//! is retried with a growing delay and given up (and shown to administrators) only after
//! `max_attempts`. Nothing here runs inside a web request.

mod compose;
mod smtp;

pub use smtp::{MailConfig, Security};

use compose::Composed;
use std::{sync::Arc, time::Duration};
use tokio::{sync::watch, task::JoinHandle};
use vmportal_core::{Timestamp, notification::Pending, now, store::Store};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail settings: {0}")]
    Config(String),
    #[error("the mail server: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the message: {0}")]
    Message(#[from] lettre::error::Error),
    #[error("database: {0}")]
    Store(#[from] vmportal_core::store::StoreError),
}

pub struct Mailer {
    store: Arc<dyn Store>,
    smtp: smtp::Smtp,
    cfg: MailConfig,
    /// Links in mail start here (the portal's public URL).
    public_url: String,
}

const STALE: time::Duration = time::Duration::days(7);

/// The delay before try `attempts + 1`: 30 s, doubling, at most an hour.
fn backoff(attempts: i64) -> time::Duration {
    let secs = 30i64.saturating_mul(1 << attempts.clamp(0, 7));
    time::Duration::seconds(secs.min(3600))
}

impl Mailer {
    pub fn new(
        store: Arc<dyn Store>,
        cfg: MailConfig,
        public_url: &str,
    ) -> Result<Arc<Mailer>, MailError> {
        Ok(Arc::new(Mailer {
            smtp: smtp::Smtp::new(&cfg)?,
            store,
            cfg,
            public_url: public_url.trim_end_matches('/').to_owned(),
        }))
    }

    /// Sends until `stop` turns true.
    pub fn spawn(self: &Arc<Self>, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
        let mailer = self.clone();
        tokio::spawn(async move {
            let every = Duration::from_millis(mailer.cfg.poll_millis);
            while !*stop.borrow() {
                if let Err(e) = mailer.queue_digests(now()).await {
                    tracing::warn!(error = %e, "daily digests not queued");
                }
                match mailer.send_due(now()).await {
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "outbox not read"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = stop.changed() => {}
                }
            }
        })
    }

    /// Once the day's digest hour has come, a digest for each approver who chose it.
    pub async fn queue_digests(&self, t: Timestamp) -> Result<u64, MailError> {
        if t.hour() < self.cfg.digest_hour {
            return Ok(0);
        }
        let midnight = t.replace_time(time::Time::MIDNIGHT);
        Ok(self.store.queue_digests(midnight).await?)
    }

    /// Sends the notifications due at `t`; gives how many were handled (sent, dropped or put off).
    pub async fn send_due(&self, t: Timestamp) -> Result<usize, MailError> {
        let lease = t + time::Duration::seconds(120);
        let due = self.store.claim_notifications(t, lease, 20).await?;
        for n in &due {
            self.send_one(n, t).await?;
        }
        Ok(due.len())
    }

    async fn send_one(&self, n: &Pending, t: Timestamp) -> Result<(), MailError> {
        // Mail turned on after a long time without: old news is not worth a flood.
        if t - n.created_at > STALE {
            self.store
                .notification_dropped(n.id, "older than a week when it could be sent")
                .await?;
            return Ok(());
        }
        let composed = compose::compose(&*self.store, &self.public_url, n).await?;
        let letter = match composed {
            Composed::Letter(letter) => letter,
            Composed::Dropped(why) => {
                self.store.notification_dropped(n.id, why).await?;
                return Ok(());
            }
        };
        let message_id = smtp::message_id(n, &self.cfg.from);
        match self.smtp.send(&self.cfg, &letter, &message_id).await {
            Ok(()) => {
                tracing::info!(id = n.id, kind = n.kind.as_str(), "mail sent");
                self.store.notification_sent(n.id, &message_id).await?;
            }
            Err(e) => {
                let tries = n.attempts + 1;
                let retry = (tries < self.cfg.max_attempts).then(|| t + backoff(n.attempts));
                tracing::warn!(id = n.id, tries, error = %e, "mail not sent");
                self.store
                    .notification_failed(n.id, &e.to_string(), retry)
                    .await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_stops_at_an_hour() {
        let secs: Vec<i64> = (0..10).map(|a| super::backoff(a).whole_seconds()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }
}
