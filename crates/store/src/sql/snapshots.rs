//! Snapshots as the portal records them: made, reverted to and deleted by jobs; the record says
//! which exist and bounds how many a machine keeps.

use super::{
    Backend, Conn, backend, corrupt,
    jobs::enqueue,
    rows::{secs, ts},
};
use async_trait::async_trait;
use sqlx::FromRow;
use vmportal_core::{
    Invalid,
    audit::Actor,
    ids::MachineId,
    job::{Job, JobKind},
    msg, now,
    snapshot::{NewSnapshot, Snapshot, SnapshotName, SnapshotState},
    store::{JobStore, SnapshotStore, StoreError, StoreResult},
};

#[derive(FromRow)]
struct SnapshotRow {
    machine_id: i64,
    name: String,
    description: String,
    state: String,
    with_memory: bool,
    created_at: i64,
}

impl SnapshotRow {
    fn into_snapshot(self) -> StoreResult<Snapshot> {
        Ok(Snapshot {
            machine_id: MachineId(self.machine_id),
            name: SnapshotName::parse(&self.name).map_err(corrupt)?,
            description: self.description,
            state: self.state.parse().map_err(corrupt)?,
            with_memory: self.with_memory,
            created_at: ts(self.created_at)?,
        })
    }
}

#[async_trait]
impl SnapshotStore for Backend {
    async fn snapshots(&self, machine: MachineId) -> StoreResult<Vec<Snapshot>> {
        let rows: Vec<SnapshotRow> = sqlx::query_as(
            "SELECT s.machine_id, s.name, s.description, s.state, s.with_memory, s.created_at \
             FROM snapshots s JOIN machines m ON m.id = s.machine_id \
             WHERE s.machine_id = $1 AND m.state <> 'deleted' ORDER BY s.created_at, s.name",
        )
        .bind(machine.0)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.into_iter().map(SnapshotRow::into_snapshot).collect()
    }

    async fn take_snapshot(
        &self,
        machine: MachineId,
        new: NewSnapshot,
        by: &Actor,
    ) -> StoreResult<Job> {
        let mut tx = self.write().await?;
        let (max, kept): (i64, i64) = sqlx::query_as(
            "SELECT t.max_snapshots, (SELECT COUNT(*) FROM snapshots s WHERE s.machine_id = m.id) \
             FROM machines m JOIN templates t ON t.id = m.template_id WHERE m.id = $1",
        )
        .bind(machine.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound)?;
        if max == 0 {
            return Err(StoreError::Busy(msg("err-snapshots-disabled")));
        }
        if kept >= max {
            return Err(StoreError::Busy(
                msg("err-snapshots-full").arg("kept", kept),
            ));
        }
        let taken: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM snapshots WHERE machine_id = $1 AND name = $2)",
        )
        .bind(machine.0)
        .bind(new.name.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        if taken {
            return Err(Invalid::field("name", msg("err-snapshot-taken")).into());
        }
        let id = enqueue(&mut tx, machine, JobKind::Snapshot, Some(&new.name), by).await?;
        sqlx::query(
            "INSERT INTO snapshots (machine_id, name, description, state, created_at) \
             VALUES ($1, $2, $3, 'creating', $4)",
        )
        .bind(machine.0)
        .bind(new.name.as_str())
        .bind(&new.description)
        .bind(secs(now()))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        self.job(id).await?.ok_or(StoreError::NotFound)
    }

    async fn enqueue_snapshot_job(
        &self,
        machine: MachineId,
        kind: JobKind,
        name: &SnapshotName,
        by: &Actor,
    ) -> StoreResult<Job> {
        let mut tx = self.write().await?;
        let state: String =
            sqlx::query_scalar("SELECT state FROM snapshots WHERE machine_id = $1 AND name = $2")
                .bind(machine.0)
                .bind(name.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?
                .ok_or(StoreError::NotFound)?;
        let state: SnapshotState = state.parse().map_err(corrupt)?;
        if state != SnapshotState::Ready {
            return Err(StoreError::Busy(
                msg("err-snapshot-unusable")
                    .arg("name", name.as_str())
                    .arg("state", state.as_str()),
            ));
        }
        let id = enqueue(&mut tx, machine, kind, Some(name), by).await?;
        if kind == JobKind::DeleteSnapshot {
            set_state(&mut tx, machine, name, SnapshotState::Deleting, None).await?;
        }
        tx.commit().await.map_err(backend)?;
        self.job(id).await?.ok_or(StoreError::NotFound)
    }

    async fn snapshot_ready(
        &self,
        machine: MachineId,
        name: &SnapshotName,
        with_memory: Option<bool>,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        set_state(&mut tx, machine, name, SnapshotState::Ready, with_memory).await?;
        tx.commit().await.map_err(backend)
    }

    async fn forget_snapshot(&self, machine: MachineId, name: &SnapshotName) -> StoreResult<()> {
        sqlx::query("DELETE FROM snapshots WHERE machine_id = $1 AND name = $2")
            .bind(machine.0)
            .bind(name.as_str())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

async fn set_state(
    conn: &mut Conn,
    machine: MachineId,
    name: &SnapshotName,
    state: SnapshotState,
    with_memory: Option<bool>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE snapshots SET state = $1, with_memory = COALESCE($2, with_memory) \
         WHERE machine_id = $3 AND name = $4",
    )
    .bind(state.as_str())
    .bind(with_memory)
    .bind(machine.0)
    .bind(name.as_str())
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}
