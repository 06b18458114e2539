use super::StoreResult;
use crate::{
    Timestamp,
    audit::Actor,
    console::{NewConsoleTicket, UsedTicket},
};
use async_trait::async_trait;

#[async_trait]
pub trait ConsoleStore: Send + Sync {
    /// Stores a console ticket with its audit event (and forgets expired tickets).
    async fn create_console_ticket(&self, ticket: NewConsoleTicket, by: &Actor) -> StoreResult<()>;
    /// Marks the ticket used and returns it when it exists, is unused, has not expired and was
    /// minted by the session `session_hash`. Atomic: of two concurrent uses, one at most succeeds.
    /// A ticket presented by another session stays usable by its own.
    async fn consume_console_ticket(
        &self,
        ticket_hash: &str,
        session_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<UsedTicket>>;
}
