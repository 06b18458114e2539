use super::{AuditQuery, Listed, StoreResult};
use crate::audit::{Actor, AuditEvent, NewAuditEvent};
use async_trait::async_trait;

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Records an event that has no other change to go with (a sign-in, a failed sign-in).
    async fn record(&self, by: &Actor, event: NewAuditEvent) -> StoreResult<()>;
    async fn audit(&self, query: &AuditQuery) -> StoreResult<Listed<AuditEvent>>;
}
