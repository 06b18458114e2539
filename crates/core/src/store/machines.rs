use super::{DriftQuery, Listed, MachineQuery, StoreResult};
use crate::{
    ids::MachineId,
    machine::{Drift, Machine, MachinePatch},
};
use async_trait::async_trait;

#[async_trait]
pub trait MachineStore: Send + Sync {
    async fn machine(&self, id: MachineId) -> StoreResult<Option<Machine>>;
    /// Machines not deleted.
    async fn machines(&self, query: &MachineQuery) -> StoreResult<Listed<Machine>>;
    /// Every machine not deleted on one provider, for reconciliation.
    async fn machines_on(&self, provider: &str) -> StoreResult<Vec<Machine>>;
    async fn update_machine(&self, id: MachineId, patch: MachinePatch) -> StoreResult<()>;
    /// The machine's sealed guest password.
    async fn machine_secret(&self, id: MachineId) -> StoreResult<Option<Vec<u8>>>;
    /// Replaces what the last reconciliation found on `provider`.
    async fn replace_drift(&self, provider: &str, found: Vec<Drift>) -> StoreResult<()>;
    async fn drift(&self, query: &DriftQuery) -> StoreResult<Listed<Drift>>;
}
