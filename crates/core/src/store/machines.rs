use super::StoreResult;
use crate::{
    ids::{MachineId, UserId},
    machine::{Drift, Machine, MachinePatch},
};
use async_trait::async_trait;

#[async_trait]
pub trait MachineStore: Send + Sync {
    async fn machine(&self, id: MachineId) -> StoreResult<Option<Machine>>;
    /// Machines not deleted, of one owner or of everyone.
    async fn machines(&self, owner: Option<UserId>) -> StoreResult<Vec<Machine>>;
    async fn update_machine(&self, id: MachineId, patch: MachinePatch) -> StoreResult<()>;
    /// The machine's sealed guest password.
    async fn machine_secret(&self, id: MachineId) -> StoreResult<Option<Vec<u8>>>;
    /// Replaces what the last reconciliation found on `provider`.
    async fn replace_drift(&self, provider: &str, found: Vec<Drift>) -> StoreResult<()>;
    async fn drift(&self) -> StoreResult<Vec<Drift>>;
}
