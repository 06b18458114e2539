//! Leases: each template's lease settings, each machine's lease, the notices to owners (recorded
//! once each) and the requests to extend beyond a template's policy.

use super::{
    Backend, Conn, audit, backend, corrupt,
    rows::{all, parse, secs, ts},
};
use async_trait::async_trait;
use sqlx::FromRow;
use vmportal_core::{
    Timestamp,
    audit::{Actor, NewAuditEvent, action},
    ids::{ExtensionId, JobId, MachineId, TemplateId, UserId},
    job::{Job, JobCause, JobKind},
    lease::{ExpiryAction, ExtensionRequest, LeasePolicy, NewNotice, Notice, delete_after},
    machine::Machine,
    names::Username,
    request::RequestState,
    store::{JobStore, LeaseStore, MachineStore, NewExtension, StoreError, StoreResult},
};

#[derive(FromRow)]
pub(crate) struct TemplateLeaseRow {
    lease_days: Option<i64>,
    max_lease_days: Option<i64>,
    extend_days: i64,
    expiry_action: String,
    grace_days: Option<i64>,
    idle_stop_minutes: Option<i64>,
}

impl TemplateLeaseRow {
    pub(crate) fn into_policy(self) -> StoreResult<LeasePolicy> {
        Ok(LeasePolicy {
            lease_days: self.lease_days,
            max_lease_days: self.max_lease_days,
            extend_days: self.extend_days,
            expiry_action: parse(&self.expiry_action)?,
            grace_days: self.grace_days,
            idle_stop_minutes: self.idle_stop_minutes,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct MachineLeaseRow {
    expires_at: Option<i64>,
    expiry_action: Option<String>,
    lease_grace_days: Option<i64>,
}

type Lease = (Option<Timestamp>, Option<ExpiryAction>, Option<Timestamp>);

impl MachineLeaseRow {
    pub(crate) fn into_lease(self) -> StoreResult<Lease> {
        let expires_at = self.expires_at.map(ts).transpose()?;
        Ok((
            expires_at,
            self.expiry_action.as_deref().map(parse).transpose()?,
            delete_after(expires_at, self.lease_grace_days),
        ))
    }
}

/// Saves a template's lease settings, inside the caller's transaction.
pub(crate) async fn write_policy(
    conn: &mut Conn,
    id: TemplateId,
    p: &LeasePolicy,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE templates SET lease_days = $1, max_lease_days = $2, extend_days = $3, expiry_action = $4, \
         grace_days = $5, idle_stop_minutes = $6 WHERE id = $7",
    )
    .bind(p.lease_days)
    .bind(p.max_lease_days)
    .bind(p.extend_days)
    .bind(p.expiry_action.as_str())
    .bind(p.grace_days)
    .bind(p.idle_stop_minutes)
    .bind(id.0)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

/// Gives a newly approved machine its lease from its template, inside the approval's transaction.
pub(crate) async fn start_lease(
    conn: &mut Conn,
    machine: i64,
    template: TemplateId,
    now: Timestamp,
) -> StoreResult<()> {
    let row: TemplateLeaseRow = sqlx::query_as(
        "SELECT lease_days, max_lease_days, extend_days, expiry_action, grace_days, idle_stop_minutes \
         FROM templates WHERE id = $1",
    )
    .bind(template.0)
    .fetch_one(&mut *conn)
    .await
    .map_err(backend)?;
    let policy = row.into_policy()?;
    let term_end: Option<String> = sqlx::query_scalar(
        "SELECT c.term_end FROM machines m JOIN courses c ON c.id = m.course_id WHERE m.id = $1",
    )
    .bind(machine)
    .fetch_optional(&mut *conn)
    .await
    .map_err(backend)?
    .flatten();
    let term_end = term_end
        .map(|d| time::Date::parse(&d, super::courses::DATE))
        .transpose()
        .map_err(corrupt)?
        .map(vmportal_core::course::term_over);
    let Some(end) = policy.first_end(now, term_end) else {
        return Ok(());
    };
    sqlx::query(
        "UPDATE machines SET expires_at = $1, expiry_action = $2, lease_grace_days = $3 WHERE id = $4",
    )
    .bind(secs(end))
    .bind(policy.expiry_action.as_str())
    .bind(policy.grace_days)
    .bind(machine)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

fn lease_text(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "none".to_owned(), |t| t.to_string())
}

#[derive(FromRow)]
struct NoticeRow {
    id: i64,
    machine_id: i64,
    owner_id: i64,
    kind: String,
    point: String,
    expires_at: i64,
    action: String,
    created_at: i64,
}

impl NoticeRow {
    fn into_notice(self) -> StoreResult<Notice> {
        Ok(Notice {
            id: self.id,
            machine_id: MachineId(self.machine_id),
            owner_id: UserId(self.owner_id),
            kind: parse(&self.kind)?,
            point: self.point,
            expires_at: (self.expires_at != 0)
                .then(|| ts(self.expires_at))
                .transpose()?,
            action: parse(&self.action)?,
            created_at: ts(self.created_at)?,
        })
    }
}

macro_rules! notice_select {
    () => {
        "SELECT n.id, n.machine_id, m.owner_id, n.kind, n.point, n.expires_at, n.action, n.created_at \
         FROM lease_notices n JOIN machines m ON m.id = n.machine_id"
    };
}

#[derive(FromRow)]
struct ExtensionRow {
    id: i64,
    machine_id: i64,
    machine_name: String,
    user_id: i64,
    username: String,
    days: i64,
    expires_at: i64,
    reason: String,
    state: String,
    decision_reason: Option<String>,
    decided_by: Option<String>,
    created_at: i64,
}

impl ExtensionRow {
    fn into_extension(self) -> StoreResult<ExtensionRequest> {
        Ok(ExtensionRequest {
            id: ExtensionId(self.id),
            machine_id: MachineId(self.machine_id),
            machine_name: self.machine_name,
            user_id: UserId(self.user_id),
            username: Username::from_trusted(self.username),
            days: self.days,
            expires_at: ts(self.expires_at)?,
            reason: self.reason,
            state: parse(&self.state)?,
            decision_reason: self.decision_reason,
            decided_by: self.decided_by.map(Username::from_trusted),
            created_at: ts(self.created_at)?,
        })
    }
}

macro_rules! extension_select {
    () => {
        "SELECT e.id, e.machine_id, m.name AS machine_name, e.user_id, u.username, e.days, \
         e.expires_at, e.reason, e.state, e.decision_reason, d.username AS decided_by, e.created_at \
         FROM lease_extensions e JOIN machines m ON m.id = e.machine_id \
         JOIN users u ON u.id = e.user_id LEFT JOIN users d ON d.id = e.decided_by"
    };
}

async fn fetch_extension(
    conn: &mut Conn,
    id: ExtensionId,
) -> StoreResult<Option<ExtensionRequest>> {
    let row: Option<ExtensionRow> =
        sqlx::query_as(concat!(extension_select!(), " WHERE e.id = $1"))
            .bind(id.0)
            .fetch_optional(conn)
            .await
            .map_err(backend)?;
    row.map(ExtensionRow::into_extension).transpose()
}

/// Moves a machine's lease end inside the caller's transaction, with its audit event.
async fn move_lease(
    conn: &mut Conn,
    id: MachineId,
    expires_at: Option<Timestamp>,
    action: &'static str,
    by: &Actor,
) -> StoreResult<()> {
    let (name, before): (String, Option<i64>) = sqlx::query_as(
        "SELECT name, expires_at FROM machines WHERE id = $1 AND state <> 'deleted'",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(backend)?
    .ok_or(StoreError::NotFound)?;
    // A machine given a lease for the first time takes its template's expiry settings.
    sqlx::query(
        "UPDATE machines SET expires_at = $1, \
         expiry_action = COALESCE(expiry_action, (SELECT expiry_action FROM templates t WHERE t.id = template_id)), \
         lease_grace_days = CASE WHEN expiry_action IS NULL \
            THEN (SELECT grace_days FROM templates t WHERE t.id = template_id) ELSE lease_grace_days END, \
         updated_at = $2 WHERE id = $3",
    )
    .bind(expires_at.map(secs))
    .bind(secs(vmportal_core::now()))
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    let before = before.map(ts).transpose()?;
    let event = NewAuditEvent {
        action,
        object_type: "machine",
        object_id: Some(id.0),
        detail: format!(
            "lease of {name}: {} -> {}",
            lease_text(before),
            lease_text(expires_at)
        ),
    };
    audit::write(conn, by, event).await
}

#[async_trait]
impl LeaseStore for Backend {
    async fn set_lease(
        &self,
        id: MachineId,
        expires_at: Option<Timestamp>,
        action: &'static str,
        by: &Actor,
    ) -> StoreResult<Machine> {
        let mut tx = self.write().await?;
        move_lease(&mut tx, id, expires_at, action, by).await?;
        tx.commit().await.map_err(backend)?;
        self.machine(id).await?.ok_or(StoreError::NotFound)
    }

    async fn expiring(
        &self,
        until: Timestamp,
        template: Option<TemplateId>,
    ) -> StoreResult<Vec<Machine>> {
        let rows: Vec<super::rows::MachineRow> = sqlx::query_as(concat!(
            machine_select!(),
            " WHERE m.state <> 'deleted' AND m.expires_at IS NOT NULL AND m.expires_at <= $1 \
              AND ($2 IS NULL OR m.template_id = $2) ORDER BY m.expires_at, m.id"
        ))
        .bind(secs(until))
        .bind(template.map(|t| t.0))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        all(rows, super::rows::MachineRow::into_machine)
    }

    async fn idle_watched(&self) -> StoreResult<Vec<(Machine, i64)>> {
        let rows: Vec<super::rows::MachineRow> = sqlx::query_as(concat!(
            machine_select!(),
            " WHERE m.state = 'running' AND m.template_id IN \
               (SELECT id FROM templates WHERE idle_stop_minutes IS NOT NULL) ORDER BY m.id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let minutes: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, idle_stop_minutes FROM templates WHERE idle_stop_minutes IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let mut out = Vec::with_capacity(rows.len());
        for m in all(rows, super::rows::MachineRow::into_machine)? {
            if let Some((_, n)) = minutes.iter().find(|(t, _)| *t == m.template_id.0) {
                out.push((m, *n));
            }
        }
        Ok(out)
    }

    async fn console_used_since(&self, machine: MachineId, since: Timestamp) -> StoreResult<bool> {
        // The newest open and the newest close, by id (their order) and time.
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT action, MAX(id), MAX(at) FROM audit_events WHERE object_type = 'machine' \
             AND object_id = $1 AND action IN ($2, $3) GROUP BY action",
        )
        .bind(machine.0)
        .bind(action::CONSOLE_OPEN)
        .bind(action::CONSOLE_CLOSE)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let newest = |a: &str| rows.iter().find(|r| r.0 == a).map(|r| (r.1, r.2));
        Ok(
            match (newest(action::CONSOLE_OPEN), newest(action::CONSOLE_CLOSE)) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some((opened, _)), Some((closed, at))) => opened > closed || at >= secs(since),
            },
        )
    }

    async fn record_notice(&self, n: NewNotice) -> StoreResult<Option<Notice>> {
        let mut tx = self.write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO lease_notices (machine_id, kind, point, expires_at, action, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (machine_id, expires_at, point) DO NOTHING RETURNING id",
        )
        .bind(n.machine_id.0)
        .bind(n.kind.as_str())
        .bind(&n.point)
        .bind(n.expires_at.map_or(0, secs))
        .bind(n.action.as_str())
        .bind(secs(n.at))
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(id) = id else {
            return Ok(None);
        };
        let event = NewAuditEvent {
            action: action::LEASE_NOTICE,
            object_type: "machine",
            object_id: Some(n.machine_id.0),
            detail: format!(
                "{} ({}): lease end {}, then {}",
                n.kind,
                n.point,
                lease_text(n.expires_at),
                n.action
            ),
        };
        audit::write(&mut tx, &Actor::system("worker"), event).await?;
        // The owner's mail goes out through the outbox, written with the notice.
        super::outbox::write_lease_notice(&mut tx, id).await?;
        sqlx::query("UPDATE lease_notices SET delivered_at = created_at WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let row: NoticeRow = sqlx::query_as(concat!(notice_select!(), " WHERE n.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        row.into_notice().map(Some)
    }

    async fn notices(&self, machine: MachineId) -> StoreResult<Vec<Notice>> {
        let rows: Vec<NoticeRow> = sqlx::query_as(concat!(
            notice_select!(),
            " WHERE n.machine_id = $1 AND (n.expires_at = 0 OR n.expires_at = m.expires_at) \
              ORDER BY n.id DESC"
        ))
        .bind(machine.0)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        all(rows, NoticeRow::into_notice)
    }

    async fn enqueue_lease_job(
        &self,
        machine: MachineId,
        kind: JobKind,
        cause: JobCause,
    ) -> StoreResult<Job> {
        let mut tx = self.write().await?;
        let name: String = sqlx::query_scalar("SELECT name FROM machines WHERE id = $1")
            .bind(machine.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?
            .ok_or(StoreError::NotFound)?;
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE machine_id = $1 AND state IN ('queued', 'running')",
        )
        .bind(machine.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        if pending > 0 {
            return Err(StoreError::Busy(vmportal_core::msg("err-machine-busy")));
        }
        let t = secs(vmportal_core::now());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO jobs (kind, machine_id, state, message, run_after, cause, created_at, updated_at) \
             VALUES ($1, $2, 'queued', 'waiting for a worker', $3, $4, $5, $6) RETURNING id",
        )
        .bind(kind.as_str())
        .bind(machine.0)
        .bind(t)
        .bind(cause.as_str())
        .bind(t)
        .bind(t)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        let event = NewAuditEvent {
            action: action::LEASE_ACTION,
            object_type: "machine",
            object_id: Some(machine.0),
            detail: format!("{kind} {name} ({cause}, job {id})"),
        };
        audit::write(&mut tx, &Actor::system("worker"), event).await?;
        tx.commit().await.map_err(backend)?;
        self.job(JobId(id)).await?.ok_or(StoreError::NotFound)
    }

    async fn create_extension(
        &self,
        new: NewExtension,
        by: &Actor,
    ) -> StoreResult<ExtensionRequest> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO lease_extensions (machine_id, user_id, days, expires_at, reason, state, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id",
        )
        .bind(new.machine_id.0)
        .bind(new.user_id.0)
        .bind(new.days)
        .bind(secs(new.expires_at))
        .bind(&new.reason)
        .bind(secs(vmportal_core::now()))
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        let event = NewAuditEvent {
            action: action::EXTENSION_CREATE,
            object_type: "machine",
            object_id: Some(new.machine_id.0),
            detail: format!(
                "extension {id}: {} days, to {}: {}",
                new.days, new.expires_at, new.reason
            ),
        };
        audit::write(&mut tx, by, event).await?;
        let created = fetch_extension(&mut tx, ExtensionId(id))
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(backend)?;
        Ok(created)
    }

    async fn extension(&self, id: ExtensionId) -> StoreResult<Option<ExtensionRequest>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        fetch_extension(&mut conn, id).await
    }

    async fn extensions(&self, state: Option<RequestState>) -> StoreResult<Vec<ExtensionRequest>> {
        let rows: Vec<ExtensionRow> = sqlx::query_as(concat!(
            extension_select!(),
            " WHERE ($1 IS NULL OR e.state = $1) \
              ORDER BY CASE e.state WHEN 'pending' THEN 0 ELSE 1 END, e.id DESC"
        ))
        .bind(state.map(|s| s.as_str()))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        all(rows, ExtensionRow::into_extension)
    }

    async fn decide_extension(
        &self,
        id: ExtensionId,
        decision: RequestState,
        reason: Option<String>,
        by: &Actor,
    ) -> StoreResult<ExtensionRequest> {
        let mut tx = self.write().await?;
        let current = fetch_extension(&mut tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let to = current.state.decide(decision)?;
        sqlx::query(
            "UPDATE lease_extensions SET state = $1, decision_reason = $2, decided_by = $3, decided_at = $4 \
             WHERE id = $5 AND state = 'pending'",
        )
        .bind(to.as_str())
        .bind(&reason)
        .bind(by.user.map(|u| u.0))
        .bind(secs(vmportal_core::now()))
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let action = match to {
            RequestState::Approved => {
                move_lease(
                    &mut tx,
                    current.machine_id,
                    Some(current.expires_at),
                    action::LEASE_EXTEND,
                    by,
                )
                .await?;
                action::EXTENSION_APPROVE
            }
            _ => action::EXTENSION_REJECT,
        };
        let event = NewAuditEvent {
            action,
            object_type: "machine",
            object_id: Some(current.machine_id.0),
            detail: format!("extension {id}: {}", reason.unwrap_or_default()),
        };
        audit::write(&mut tx, by, event).await?;
        let decided = fetch_extension(&mut tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(backend)?;
        Ok(decided)
    }
}
