use super::{
    Backend, Conn, audit, backend,
    list::{self, Where, order_by},
    outbox,
    rows::{RequestRow, secs, ts},
};
use async_trait::async_trait;
use vmportal_core::{
    audit::{Actor, NewAuditEvent, action},
    ids::{JobId, MachineId, RequestId, UserId},
    now,
    quota::{Quota, Usage},
    request::{MachineRequest, NewRequest, RequestState},
    store::{
        Approval, JobStore, Listed, MachineStore, RequestQuery, RequestSort, RequestStore,
        StoreError, StoreResult,
    },
};

/// The conditions and order of a request list.
fn listing(query: &RequestQuery) -> (Where, String) {
    let scope = query.scope.map(|u| u.0);
    let filter = if query.teaching {
        Where::default().each_bound(
            &[
                "(r.user_id = ",
                " OR r.course_id IN (SELECT course_id FROM course_members \
                 WHERE membership = 'teacher' AND user_id = ",
                "))",
            ],
            scope,
        )
    } else {
        Where::default().eq_int("r.user_id", scope)
    };
    let filter = filter
        .eq_text("r.state", query.state.map(|s| s.as_str()))
        .eq_text("u.username", query.owner.as_deref())
        .contains(&["r.name", "u.username"], query.q.as_deref());
    let (expr, desc) = match query.sort.key {
        // Exactly the expression of the index requests_pending_first, so SQLite reads it in order.
        RequestSort::PendingFirst => ("(r.state = 'pending')", true),
        RequestSort::Created => ("r.id", false),
        RequestSort::Name => ("r.name", false),
        RequestSort::State => ("r.state", false),
        RequestSort::Owner => ("u.username", false),
    };
    (filter, order_by(expr, desc, query.sort.descending, "r.id"))
}

#[async_trait]
impl RequestStore for Backend {
    async fn usage(&self, user: UserId) -> StoreResult<Usage> {
        usage(&mut *self.pool.acquire().await.map_err(backend)?, user).await
    }

    async fn create_request(
        &self,
        new: NewRequest,
        quota: Quota,
        by: &Actor,
    ) -> StoreResult<MachineRequest> {
        let mut tx = self.write().await?;
        // A course request counts against the course quota, the others against their owner's.
        let used = match new.course_id {
            Some(course) => super::courses::usage(&mut tx, course).await?,
            None => usage(&mut tx, new.user_id).await?,
        };
        quota.admit(&used, &new.resources)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO requests (user_id, template_id, name, cpus, memory_mib, disk_gib, purpose, state, created_at, course_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) RETURNING id",
        )
        .bind(new.user_id.0)
        .bind(new.template_id.0)
        .bind(new.name.as_str())
        .bind(new.resources.cpus)
        .bind(new.resources.memory_mib)
        .bind(new.resources.disk_gib)
        .bind(&new.purpose)
        .bind(now().unix_timestamp())
        .bind(new.course_id.map(|c| c.0))
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        let request = fetch(&mut tx, RequestId(id))
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::write(
            &mut tx,
            by,
            event(action::REQUEST_CREATE, &request, String::new()),
        )
        .await?;
        outbox::write_new_request(&mut tx, request.id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(request)
    }

    async fn request(&self, id: RequestId) -> StoreResult<Option<MachineRequest>> {
        fetch(&mut *self.pool.acquire().await.map_err(backend)?, id).await
    }

    async fn requests(&self, query: &RequestQuery) -> StoreResult<Listed<MachineRequest>> {
        let (filter, order) = listing(query);
        list::fetch(
            &self.pool,
            request_select!(),
            "SELECT COUNT(*) FROM requests r JOIN users u ON u.id = r.user_id",
            &filter,
            &order,
            query.page,
            RequestRow::into_request,
        )
        .await
    }

    async fn approve_request(&self, id: RequestId, by: &Actor) -> StoreResult<Approval> {
        let mut tx = self.write().await?;
        let request = decide(&mut tx, id, RequestState::Approved, None, by).await?;
        let t = now().unix_timestamp();
        let template_provider: String =
            sqlx::query_scalar("SELECT provider FROM templates WHERE id = $1")
                .bind(request.template_id.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
        let machine_id: i64 = sqlx::query_scalar(
            "INSERT INTO machines (request_id, owner_id, template_id, provider, name, cpus, memory_mib, \
             disk_gib, state, created_at, updated_at, course_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'provisioning', $9, $10, $11) RETURNING id",
        )
        .bind(request.id.0)
        .bind(request.user_id.0)
        .bind(request.template_id.0)
        .bind(&template_provider)
        .bind(request.name.as_str())
        .bind(request.resources.cpus)
        .bind(request.resources.memory_mib)
        .bind(request.resources.disk_gib)
        .bind(t)
        .bind(t)
        .bind(request.course_id.map(|c| c.0))
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        super::leases::start_lease(&mut tx, machine_id, request.template_id, ts(t)?).await?;
        let job_id: i64 = sqlx::query_scalar(
            "INSERT INTO jobs (kind, machine_id, state, message, run_after, created_at, updated_at) \
             VALUES ('provision', $1, 'queued', 'waiting for a worker', $2, $3, $4) RETURNING id",
        )
        .bind(machine_id)
        .bind(t)
        .bind(t)
        .bind(t)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        audit::write(
            &mut tx,
            by,
            event(
                action::REQUEST_APPROVE,
                &request,
                format!("machine {machine_id}, job {job_id}"),
            ),
        )
        .await?;
        outbox::write_decision(&mut tx, &request).await?;
        tx.commit().await.map_err(backend)?;
        let machine = self
            .machine(MachineId(machine_id))
            .await?
            .ok_or(StoreError::NotFound)?;
        let job = self.job(JobId(job_id)).await?.ok_or(StoreError::NotFound)?;
        Ok(Approval {
            request,
            machine,
            job,
        })
    }

    async fn reject_request(
        &self,
        id: RequestId,
        reason: &str,
        by: &Actor,
    ) -> StoreResult<MachineRequest> {
        self.decide_alone(id, RequestState::Rejected, Some(reason), by)
            .await
    }

    async fn cancel_request(&self, id: RequestId, by: &Actor) -> StoreResult<MachineRequest> {
        self.decide_alone(id, RequestState::Cancelled, None, by)
            .await
    }
}

impl Backend {
    async fn decide_alone(
        &self,
        id: RequestId,
        to: RequestState,
        reason: Option<&str>,
        by: &Actor,
    ) -> StoreResult<MachineRequest> {
        let mut tx = self.write().await?;
        let request = decide(&mut tx, id, to, reason, by).await?;
        let action = match to {
            RequestState::Rejected => action::REQUEST_REJECT,
            _ => action::REQUEST_CANCEL,
        };
        audit::write(
            &mut tx,
            by,
            event(action, &request, reason.unwrap_or_default().to_owned()),
        )
        .await?;
        if to == RequestState::Rejected {
            outbox::write_decision(&mut tx, &request).await?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(request)
    }
}

/// Moves a pending request to `to`, inside the caller's transaction; refuses any other state.
async fn decide(
    conn: &mut Conn,
    id: RequestId,
    to: RequestState,
    reason: Option<&str>,
    by: &Actor,
) -> StoreResult<MachineRequest> {
    let current = fetch(conn, id).await?.ok_or(StoreError::NotFound)?;
    let to = current.state.decide(to)?;
    sqlx::query("UPDATE requests SET state = $1, reason = $2, decided_by = $3, decided_at = $4 WHERE id = $5 AND state = 'pending'")
        .bind(to.as_str())
        .bind(reason)
        .bind(by.user.map(|u| u.0))
        .bind(secs(now()))
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    fetch(conn, id).await?.ok_or(StoreError::NotFound)
}

async fn fetch(conn: &mut Conn, id: RequestId) -> StoreResult<Option<MachineRequest>> {
    let row: Option<RequestRow> = sqlx::query_as(concat!(request_select!(), " WHERE r.id = $1"))
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(backend)?;
    row.map(RequestRow::into_request).transpose()
}

async fn usage(conn: &mut Conn, user: UserId) -> StoreResult<Usage> {
    let (machines, cpus, memory_mib, disk_gib): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(cpus), 0) AS BIGINT), CAST(COALESCE(SUM(memory_mib), 0) AS BIGINT), \
         CAST(COALESCE(SUM(disk_gib), 0) AS BIGINT) FROM ( \
           SELECT cpus, memory_mib, disk_gib FROM requests \
             WHERE user_id = $1 AND state = 'pending' AND course_id IS NULL \
           UNION ALL \
           SELECT cpus, memory_mib, disk_gib FROM machines \
             WHERE owner_id = $1 AND state <> 'deleted' AND course_id IS NULL) AS held",
    )
    .bind(user.0)
    .fetch_one(conn)
    .await
    .map_err(backend)?;
    Ok(Usage {
        machines,
        cpus,
        memory_mib,
        disk_gib,
    })
}

fn event(action: &'static str, r: &MachineRequest, extra: String) -> NewAuditEvent {
    let mut detail = format!(
        "{} for {} from template {} ({} CPU, {} MiB, {} GiB)",
        r.name,
        r.username,
        r.template_name,
        r.resources.cpus,
        r.resources.memory_mib,
        r.resources.disk_gib
    );
    if !extra.is_empty() {
        detail.push_str(": ");
        detail.push_str(&extra);
    }
    NewAuditEvent {
        action,
        object_type: "request",
        object_id: Some(r.id.0),
        detail,
    }
}

sqlite_only! {
#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn everyones_requests_pending_first_are_read_from_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Backend::connect(dir.path().join("t.db").to_str().unwrap())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let (filter, order) = listing(&RequestQuery::default());
        let plan = list::plan(&store.pool, request_select!(), &filter, &order).await;
        assert!(
            plan.contains("USING INDEX requests_pending_first"),
            "{plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}
}
