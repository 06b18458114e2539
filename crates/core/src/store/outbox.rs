//! The notification outbox: written in the transaction of each cause, claimed and sent by the
//! mailer.

use super::StoreResult;
use crate::{
    Timestamp,
    notification::{FailedDelivery, NewNotification, Pending},
};
use async_trait::async_trait;

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Writes a notification on its own, for causes with no transaction of their own.
    async fn notify(&self, n: NewNotification) -> StoreResult<()>;
    /// Takes up to `limit` notifications due at `now`, each hidden from other senders until
    /// `lease_until`.
    async fn claim_notifications(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Pending>>;
    /// Delivered to the mail server under `message_id`.
    async fn notification_sent(&self, id: i64, message_id: &str) -> StoreResult<()>;
    /// Not sent: the recipient does not want it or has no address.
    async fn notification_dropped(&self, id: i64, why: &str) -> StoreResult<()>;
    /// Not delivered: tried again at `retry_at`, or given up when `None`.
    async fn notification_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> StoreResult<()>;
    /// A daily digest for every approver who chose it and has had none since `since`, when
    /// requests are pending; gives how many were written.
    async fn queue_digests(&self, since: Timestamp) -> StoreResult<u64>;
    /// Deliveries given up, newest first.
    async fn failed_deliveries(&self) -> StoreResult<Vec<FailedDelivery>>;
}
