use super::StoreResult;
use crate::audit::{Actor, AuditEvent, NewAuditEvent};
use async_trait::async_trait;

/// A page of a long listing, 1-based.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub number: i64,
    pub size: i64,
}

impl Page {
    /// Saturates: a page past the end is empty, however far past.
    pub fn offset(&self) -> i64 {
        (self.number.max(1) - 1).saturating_mul(self.size.max(0))
    }
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Records an event that has no other change to go with (a sign-in, a failed sign-in).
    async fn record(&self, by: &Actor, event: NewAuditEvent) -> StoreResult<()>;
    /// Newest first, with the total count.
    async fn audit(&self, page: Page) -> StoreResult<(Vec<AuditEvent>, i64)>;
}
