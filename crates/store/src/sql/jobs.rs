//! The durable job queue. A job is leased to one worker at a time; a worker that dies stops
//! renewing its lease and the job is claimed again once the lease expires.

use super::{
    Backend, Conn, audit, backend, corrupt,
    list::{self, Where, order_by},
    outbox,
    rows::{JobEventRow, JobRow, all, secs},
};
use async_trait::async_trait;
use vmportal_core::{
    Timestamp,
    audit::{Actor, NewAuditEvent, action},
    ids::{JobId, MachineId},
    job::{Job, JobEvent, JobKind, JobOutcome},
    machine::MachineState,
    now,
    snapshot::SnapshotName,
    store::{JobQuery, JobSort, JobStore, Listed, StoreError, StoreResult},
};

#[async_trait]
impl JobStore for Backend {
    async fn job(&self, id: JobId) -> StoreResult<Option<Job>> {
        let row: Option<JobRow> = sqlx::query_as(concat!(job_select!(), " WHERE j.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(JobRow::into_job).transpose()
    }

    async fn jobs(&self, query: &JobQuery) -> StoreResult<Listed<Job>> {
        let filter = Where::default()
            .eq_int("m.owner_id", query.scope.map(|u| u.0))
            .eq_text("j.state", query.state.map(|s| s.as_str()))
            .eq_text("u.username", query.owner.as_deref())
            .contains(&["m.name", "u.username"], query.q.as_deref());
        let (expr, desc) = match query.sort.key {
            JobSort::Newest => ("j.id", true),
            JobSort::Created => ("j.id", false),
            JobSort::Updated => ("j.updated_at", true),
            JobSort::State => ("j.state", false),
        };
        list::fetch(
            &self.pool,
            concat!(job_select!(), " LEFT JOIN users u ON u.id = m.owner_id"),
            "SELECT COUNT(*) FROM jobs j LEFT JOIN machines m ON m.id = j.machine_id \
             LEFT JOIN users u ON u.id = m.owner_id",
            &filter,
            &order_by(expr, desc, query.sort.descending, "j.id"),
            query.page,
            JobRow::into_job,
        )
        .await
    }

    async fn enqueue_job(&self, machine: MachineId, kind: JobKind, by: &Actor) -> StoreResult<Job> {
        let mut tx = self.write().await?;
        let id = enqueue(&mut tx, machine, kind, None, by).await?;
        tx.commit().await.map_err(backend)?;
        self.job(id).await?.ok_or(StoreError::NotFound)
    }

    async fn claim_job(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<Job>> {
        let mut tx = self.claim_tx().await?;
        let id: Option<i64> = sqlx::query_scalar(concat!(
            "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3 \
             WHERE id = (SELECT j.id FROM jobs j \
                WHERE ((j.state = 'queued' AND j.run_after <= $3) OR (j.state = 'running' AND j.lease_until < $3)) \
                  AND NOT EXISTS (SELECT 1 FROM jobs o WHERE o.machine_id = j.machine_id AND o.id < j.id \
                                  AND o.state IN ('queued', 'running')) \
                ORDER BY j.id LIMIT 1",
            claim_lock!(),
            ") RETURNING id"
        ))
        .bind(worker)
        .bind(secs(lease_until))
        .bind(secs(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        match id {
            Some(id) => self.job(JobId(id)).await,
            None => Ok(None),
        }
    }

    async fn renew_lease(
        &self,
        job: JobId,
        worker: &str,
        lease_until: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND state = 'running'")
            .bind(secs(lease_until))
            .bind(job.0)
            .bind(worker)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn job_progress(&self, job: JobId, progress: i64, message: &str) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let t = secs(now());
        sqlx::query("UPDATE jobs SET progress = $1, message = $2, updated_at = $3 WHERE id = $4")
            .bind(progress)
            .bind(message)
            .bind(t)
            .bind(job.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        insert_event(&mut tx, job, t, progress, message).await?;
        tx.commit().await.map_err(backend)
    }

    async fn finish_job(&self, job: JobId, worker: &str, outcome: JobOutcome) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let t = secs(now());
        let (state, progress, message, error, run_after) = match &outcome {
            JobOutcome::Succeeded(m) => ("succeeded", Some(100), m.clone(), None, None),
            JobOutcome::Retry { error, run_after } => (
                "queued",
                None,
                format!("will retry: {error}"),
                Some(error.clone()),
                Some(secs(*run_after)),
            ),
            JobOutcome::Failed(e) => (
                "failed",
                None,
                format!("failed: {e}"),
                Some(e.clone()),
                None,
            ),
        };
        let done = sqlx::query(
            "UPDATE jobs SET state = $1, progress = COALESCE($2, progress), message = $3, error = $4, \
             run_after = COALESCE($5, run_after), lease_owner = NULL, lease_until = NULL, updated_at = $6 \
             WHERE id = $7 AND lease_owner = $8 AND state = 'running'",
        )
        .bind(state)
        .bind(progress)
        .bind(&message)
        .bind(&error)
        .bind(run_after)
        .bind(t)
        .bind(job.0)
        .bind(worker)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            // The lease was lost (this worker stalled and another took the job over): the other
            // worker's result is the one that counts, so this one is dropped.
            return Ok(());
        }
        let current: i64 = sqlx::query_scalar("SELECT progress FROM jobs WHERE id = $1")
            .bind(job.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        insert_event(&mut tx, job, t, current, &message).await?;
        if !matches!(outcome, JobOutcome::Retry { .. }) {
            let failed = matches!(outcome, JobOutcome::Failed(_));
            outbox::write_job_end(&mut tx, job, failed).await?;
            let event = NewAuditEvent {
                action: action::JOB_FINISHED,
                object_type: "job",
                object_id: Some(job.0),
                detail: message,
            };
            audit::write(&mut tx, &Actor::system("worker"), event).await?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn job_events(&self, job: JobId, after: i64) -> StoreResult<Vec<JobEvent>> {
        let rows: Vec<JobEventRow> =
            sqlx::query_as("SELECT id, at, progress, message FROM job_events WHERE job_id = $1 AND id > $2 ORDER BY id")
                .bind(job.0)
                .bind(after)
                .fetch_all(&self.pool)
                .await
                .map_err(backend)?;
        all(rows, JobEventRow::into_event)
    }
}

/// Queues `kind` on `machine` inside `tx`, with its audit event. Refused (busy) when the machine's
/// state does not allow it or another job is pending on it (a delete queues behind); a delete
/// marks the machine `deleting` at once.
pub(super) async fn enqueue(
    tx: &mut Conn,
    machine: MachineId,
    kind: JobKind,
    snapshot: Option<&SnapshotName>,
    by: &Actor,
) -> StoreResult<JobId> {
    let (state, name): (String, String) =
        sqlx::query_as("SELECT state, name FROM machines WHERE id = $1")
            .bind(machine.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?
            .ok_or(StoreError::NotFound)?;
    let state: MachineState = state.parse().map_err(corrupt)?;
    state.accepts(kind).map_err(StoreError::Busy)?;
    if !kind.queues_behind_others()
        && let Some(pending) = pending_on(tx, machine).await?
    {
        return Err(StoreError::Busy(pending.busy_reason()));
    }
    let t = secs(now());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO jobs (kind, machine_id, snapshot, state, message, run_after, created_at, updated_at) \
         VALUES ($1, $2, $3, 'queued', 'waiting for a worker', $4, $5, $6) RETURNING id",
    )
    .bind(kind.as_str())
    .bind(machine.0)
    .bind(snapshot.map(SnapshotName::as_str))
    .bind(t)
    .bind(t)
    .bind(t)
    .fetch_one(&mut *tx)
    .await
    .map_err(backend)?;
    if kind == JobKind::Delete {
        sqlx::query("UPDATE machines SET state = 'deleting', updated_at = $1 WHERE id = $2")
            .bind(t)
            .bind(machine.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    let (action, detail) = match snapshot {
        None => (action::MACHINE_ACTION, format!("{kind} {name} (job {id})")),
        Some(snap) => {
            let action = match kind {
                JobKind::RevertSnapshot => action::SNAPSHOT_REVERT,
                JobKind::DeleteSnapshot => action::SNAPSHOT_DELETE,
                _ => action::SNAPSHOT_TAKE,
            };
            (action, format!("{kind} '{snap}' of {name} (job {id})"))
        }
    };
    let event = NewAuditEvent {
        action,
        object_type: "machine",
        object_id: Some(machine.0),
        detail,
    };
    audit::write(tx, by, event).await?;
    Ok(JobId(id))
}

/// The kind of the job pending on `machine`, if any.
async fn pending_on(conn: &mut Conn, machine: MachineId) -> StoreResult<Option<JobKind>> {
    let kind: Option<String> = sqlx::query_scalar(
        "SELECT kind FROM jobs WHERE machine_id = $1 AND state IN ('queued', 'running') ORDER BY id LIMIT 1",
    )
    .bind(machine.0)
    .fetch_optional(conn)
    .await
    .map_err(backend)?;
    kind.map(|k| k.parse().map_err(corrupt)).transpose()
}

async fn insert_event(
    conn: &mut Conn,
    job: JobId,
    at: i64,
    progress: i64,
    message: &str,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO job_events (job_id, at, progress, message) VALUES ($1, $2, $3, $4)")
        .bind(job.0)
        .bind(at)
        .bind(progress)
        .bind(message)
        .execute(conn)
        .await
        .map_err(backend)?;
    Ok(())
}
