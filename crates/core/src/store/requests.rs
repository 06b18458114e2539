use super::{Listed, RequestQuery, StoreResult};
use crate::{
    audit::Actor,
    ids::{RequestId, UserId},
    job::Job,
    machine::Machine,
    quota::{Quota, Usage},
    request::{MachineRequest, NewRequest},
};
use async_trait::async_trait;

/// What an approval created, all in one transaction.
#[derive(Debug, Clone)]
pub struct Approval {
    pub request: MachineRequest,
    pub machine: Machine,
    pub job: Job,
}

#[async_trait]
pub trait RequestStore: Send + Sync {
    /// Pending requests plus machines not deleted, outside courses (those count against the
    /// course's quota).
    async fn usage(&self, user: UserId) -> StoreResult<Usage>;
    /// Stores the request if `quota` still admits it, counted in the same transaction so two
    /// concurrent requests cannot both slip under the limit.
    async fn create_request(
        &self,
        new: NewRequest,
        quota: Quota,
        by: &Actor,
    ) -> StoreResult<MachineRequest>;
    async fn request(&self, id: RequestId) -> StoreResult<Option<MachineRequest>>;
    async fn requests(&self, query: &RequestQuery) -> StoreResult<Listed<MachineRequest>>;
    /// Marks the request approved, creates its machine (`provisioning`) and a queued provision job.
    async fn approve_request(&self, id: RequestId, by: &Actor) -> StoreResult<Approval>;
    async fn reject_request(
        &self,
        id: RequestId,
        reason: &str,
        by: &Actor,
    ) -> StoreResult<MachineRequest>;
    async fn cancel_request(&self, id: RequestId, by: &Actor) -> StoreResult<MachineRequest>;
}
