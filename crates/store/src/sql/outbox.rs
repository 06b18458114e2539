//! The notification outbox. The `write_*` helpers run inside the transaction of the event that
//! causes the notification; the sender claims due rows with a lease, like jobs.

use super::{
    Backend, Conn, backend, corrupt,
    rows::{secs, ts},
};
use async_trait::async_trait;
use vmportal_core::{
    Timestamp,
    ids::{JobId, MachineId, RequestId, UserId},
    notification::{About, FailedDelivery, NewNotification, NotificationKind, Pending},
    now,
    request::MachineRequest,
    store::{OutboxStore, StoreResult},
};

/// One notification, inside the caller's transaction.
pub(crate) async fn write(conn: &mut Conn, n: &NewNotification) -> StoreResult<()> {
    let t = secs(now());
    sqlx::query(
        "INSERT INTO outbox (kind, recipient_id, request_id, machine_id, job_id, notice_id, \
         next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(n.kind.as_str())
    .bind(n.recipient.0)
    .bind(n.about.request.map(|r| r.0))
    .bind(n.about.machine.map(|m| m.0))
    .bind(n.about.job.map(|j| j.0))
    .bind(n.about.notice)
    .bind(t)
    .bind(t)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

/// A decision, to the request's owner.
pub(crate) async fn write_decision(conn: &mut Conn, request: &MachineRequest) -> StoreResult<()> {
    let about = About {
        request: Some(request.id),
        machine: None,
        job: None,
        notice: None,
    };
    let n = NewNotification {
        kind: NotificationKind::Decision,
        recipient: request.user_id,
        about,
    };
    write(conn, &n).await
}

/// A new request: one notification per approver (every enabled administrator, and for a course
/// request each teacher of the course).
pub(crate) async fn write_new_request(conn: &mut Conn, request: RequestId) -> StoreResult<()> {
    let t = secs(now());
    sqlx::query(
        "INSERT INTO outbox (kind, recipient_id, request_id, next_attempt_at, created_at) \
         SELECT 'new_request', u.id, $1, $2, $2 FROM users u WHERE NOT u.disabled AND \
         (u.role = 'admin' OR u.id IN (SELECT m.user_id FROM course_members m \
          JOIN requests r ON r.course_id = m.course_id \
          WHERE r.id = $1 AND m.membership = 'teacher'))",
    )
    .bind(request.0)
    .bind(t)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

/// A job's end: its owner hears of a built machine, or of any action that failed.
pub(crate) async fn write_job_end(conn: &mut Conn, job: JobId, failed: bool) -> StoreResult<()> {
    let t = secs(now());
    sqlx::query(
        "INSERT INTO outbox (kind, recipient_id, machine_id, job_id, next_attempt_at, created_at) \
         SELECT CASE WHEN $1 THEN 'job_failed' ELSE 'machine_ready' END, m.owner_id, m.id, j.id, $2, $3 \
         FROM jobs j JOIN machines m ON m.id = j.machine_id \
         WHERE j.id = $4 AND ($5 OR j.kind = 'provision')",
    )
    .bind(failed)
    .bind(t)
    .bind(t)
    .bind(job.0)
    .bind(failed)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

/// A lease notice, to the machine's owner.
pub(crate) async fn write_lease_notice(conn: &mut Conn, notice: i64) -> StoreResult<()> {
    let t = secs(now());
    sqlx::query(
        "INSERT INTO outbox (kind, recipient_id, machine_id, notice_id, next_attempt_at, created_at) \
         SELECT 'lease', m.owner_id, m.id, n.id, $1, $2 \
         FROM lease_notices n JOIN machines m ON m.id = n.machine_id WHERE n.id = $3",
    )
    .bind(t)
    .bind(t)
    .bind(notice)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    id: i64,
    kind: String,
    recipient_id: i64,
    request_id: Option<i64>,
    machine_id: Option<i64>,
    job_id: Option<i64>,
    notice_id: Option<i64>,
    attempts: i64,
    created_at: i64,
}

fn kind(s: &str) -> StoreResult<NotificationKind> {
    s.parse().map_err(corrupt)
}

impl PendingRow {
    fn into_pending(self) -> StoreResult<Pending> {
        Ok(Pending {
            id: self.id,
            kind: kind(&self.kind)?,
            recipient: UserId(self.recipient_id),
            about: About {
                request: self.request_id.map(RequestId),
                machine: self.machine_id.map(MachineId),
                job: self.job_id.map(JobId),
                notice: self.notice_id,
            },
            attempts: self.attempts,
            created_at: ts(self.created_at)?,
        })
    }
}

impl Backend {
    async fn finish_notification(
        &self,
        id: i64,
        state: &str,
        error: Option<&str>,
        message_id: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET state = $1, last_error = COALESCE($2, last_error), message_id = $3, \
             lease_until = NULL, done_at = $4 WHERE id = $5",
        )
        .bind(state)
        .bind(error)
        .bind(message_id)
        .bind(secs(now()))
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl OutboxStore for Backend {
    async fn notify(&self, n: NewNotification) -> StoreResult<()> {
        let mut tx = self.write().await?;
        write(&mut tx, &n).await?;
        tx.commit().await.map_err(backend)
    }

    async fn claim_notifications(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Pending>> {
        let mut tx = self.write().await?;
        let rows: Vec<PendingRow> = sqlx::query_as(
            "UPDATE outbox SET lease_until = $1 WHERE id IN (SELECT id FROM outbox \
             WHERE state = 'pending' AND next_attempt_at <= $2 \
             AND (lease_until IS NULL OR lease_until <= $3) ORDER BY id LIMIT $4) \
             RETURNING id, kind, recipient_id, request_id, machine_id, job_id, notice_id, attempts, \
             created_at",
        )
        .bind(secs(lease_until))
        .bind(secs(now))
        .bind(secs(now))
        .bind(limit)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        let mut pending: Vec<Pending> = rows
            .into_iter()
            .map(PendingRow::into_pending)
            .collect::<StoreResult<_>>()?;
        pending.sort_by_key(|p| p.id);
        Ok(pending)
    }

    async fn notification_sent(&self, id: i64, message_id: &str) -> StoreResult<()> {
        self.finish_notification(id, "sent", None, Some(message_id))
            .await
    }

    async fn notification_dropped(&self, id: i64, why: &str) -> StoreResult<()> {
        self.finish_notification(id, "dropped", Some(why), None)
            .await
    }

    async fn notification_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> StoreResult<()> {
        match retry_at {
            Some(at) => {
                sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $1, \
                     next_attempt_at = $2, lease_until = NULL WHERE id = $3",
                )
                .bind(error)
                .bind(secs(at))
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(backend)?;
                Ok(())
            }
            None => {
                sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(backend)?;
                self.finish_notification(id, "failed", Some(error), None)
                    .await
            }
        }
    }

    async fn queue_digests(&self, since: Timestamp) -> StoreResult<u64> {
        let mut tx = self.write().await?;
        let t = secs(now());
        let done = sqlx::query(
            "INSERT INTO outbox (kind, recipient_id, next_attempt_at, created_at) \
             SELECT 'daily_digest', u.id, $1, $2 FROM users u \
             JOIN user_preferences p ON p.user_id = u.id \
             WHERE u.role = 'admin' AND NOT u.disabled AND p.notify_daily_digest \
             AND EXISTS (SELECT 1 FROM requests WHERE state = 'pending') \
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.recipient_id = u.id \
                 AND o.kind = 'daily_digest' AND o.created_at > $3)",
        )
        .bind(t)
        .bind(t)
        .bind(secs(since))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn failed_deliveries(&self) -> StoreResult<Vec<FailedDelivery>> {
        let rows: Vec<(i64, String, String, i64, Option<String>, i64)> = sqlx::query_as(
            "SELECT o.id, o.kind, u.username, o.attempts, o.last_error, o.created_at \
             FROM outbox o JOIN users u ON u.id = o.recipient_id \
             WHERE o.state = 'failed' ORDER BY o.id DESC LIMIT 200",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.into_iter()
            .map(|(id, k, recipient, attempts, last_error, created_at)| {
                Ok(FailedDelivery {
                    id,
                    kind: kind(&k)?,
                    recipient,
                    attempts,
                    last_error: last_error.unwrap_or_default(),
                    created_at: ts(created_at)?,
                })
            })
            .collect()
    }
}
