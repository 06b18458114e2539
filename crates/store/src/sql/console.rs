use super::{Backend, audit, backend, rows::secs};
use async_trait::async_trait;
use vmportal_core::{
    Timestamp,
    audit::{Actor, NewAuditEvent, action},
    console::{NewConsoleTicket, UsedTicket},
    ids::{MachineId, UserId},
    now,
    store::{ConsoleStore, StoreResult},
};

#[async_trait]
impl ConsoleStore for Backend {
    async fn create_console_ticket(&self, t: NewConsoleTicket, by: &Actor) -> StoreResult<()> {
        let created = now();
        let mut tx = self.write().await?;
        // Expired tickets are useless; dropping them here keeps the table small without a timer.
        sqlx::query("DELETE FROM console_tickets WHERE expires_at <= $1")
            .bind(secs(created))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query(
            "INSERT INTO console_tickets (ticket_hash, user_id, machine_id, session_hash, created_at, expires_at, view_only) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&t.ticket_hash)
        .bind(t.user_id.0)
        .bind(t.machine_id.0)
        .bind(&t.session_hash)
        .bind(secs(created))
        .bind(secs(t.expires_at))
        .bind(t.view_only)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let event = NewAuditEvent {
            action: action::CONSOLE_TICKET,
            object_type: "machine",
            object_id: Some(t.machine_id.0),
            detail: format!(
                "{}valid until {}",
                if t.view_only { "view-only, " } else { "" },
                t.expires_at
            ),
        };
        audit::write(&mut tx, by, event).await?;
        tx.commit().await.map_err(backend)
    }

    async fn consume_console_ticket(
        &self,
        ticket_hash: &str,
        session_hash: &str,
        at: Timestamp,
    ) -> StoreResult<Option<UsedTicket>> {
        // One statement: the row is claimed by whichever use sets used_at first.
        let row: Option<(i64, i64, bool)> = sqlx::query_as(
            "UPDATE console_tickets SET used_at = $1 \
             WHERE ticket_hash = $2 AND session_hash = $3 AND used_at IS NULL AND expires_at > $4 \
             RETURNING user_id, machine_id, view_only",
        )
        .bind(secs(at))
        .bind(ticket_hash)
        .bind(session_hash)
        .bind(secs(at))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        Ok(row.map(|(user, machine, view_only)| UsedTicket {
            user_id: UserId(user),
            machine_id: MachineId(machine),
            view_only,
        }))
    }
}
