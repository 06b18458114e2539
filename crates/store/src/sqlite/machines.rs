use super::{
    SqliteStore, backend,
    rows::{JobRow, MachineRow, all},
};
use vmportal_core::{
    ids::{JobId, MachineId, UserId},
    job::Job,
    machine::Machine,
    store::StoreResult,
};

impl SqliteStore {
    pub(crate) async fn fetch_machine(&self, id: MachineId) -> StoreResult<Option<Machine>> {
        let row: Option<MachineRow> = sqlx::query_as(concat!(machine_select!(), " WHERE m.id = ?"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(MachineRow::into_machine).transpose()
    }

    pub(crate) async fn list_machines(&self, owner: Option<UserId>) -> StoreResult<Vec<Machine>> {
        let rows: Vec<MachineRow> = sqlx::query_as(concat!(
            machine_select!(),
            " WHERE m.state <> 'deleted' AND (?1 IS NULL OR m.owner_id = ?1) ORDER BY m.id DESC"
        ))
        .bind(owner.map(|u| u.0))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        all(rows, MachineRow::into_machine)
    }

    pub(crate) async fn fetch_job(&self, id: JobId) -> StoreResult<Option<Job>> {
        let row: Option<JobRow> = sqlx::query_as(concat!(job_select!(), " WHERE j.id = ?"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(JobRow::into_job).transpose()
    }
}
