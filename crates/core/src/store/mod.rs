//! What the portal keeps, as one trait per aggregate (users, sessions, tokens, templates,
//! requests, machines, jobs, leases, preferences, outbox, audit, consoles, courses, snapshots,
//! identities). Each database backend implements every trait, one
//! file per aggregate; [`Store`] is all of them together, which is what the web app and the engine
//! hold.
//!
//! Each method that changes something also writes its audit event, in the same transaction, so the
//! log can never miss a change nor record one that did not happen.

mod audit;
mod consoles;
mod courses;
mod error;
mod identities;
mod jobs;
mod leases;
mod list;
mod machines;
mod outbox;
mod preferences;
mod requests;
mod second_factor;
mod sessions;
mod snapshots;
mod templates;
mod tokens;
mod users;

pub use audit::AuditStore;
pub use consoles::ConsoleStore;
pub use courses::{CourseStore, Deployed, NewDeployment};
pub use error::{BackendError, StoreError, StoreResult};
pub use identities::IdentityStore;
pub use jobs::JobStore;
pub use leases::{LeaseStore, NewExtension};
pub use list::{
    AuditQuery, AuditSort, DEFAULT_PER_PAGE, DriftKind, DriftQuery, DriftSort, JobQuery, JobSort,
    ListQuery, Listed, MAX_PER_PAGE, MachineQuery, MachineSort, NoState, Page, RequestQuery,
    RequestSort, Sort, UserQuery, UserSort, UserStatus,
};
pub use machines::MachineStore;
pub use outbox::OutboxStore;
pub use preferences::PreferenceStore;
pub use requests::{Approval, RequestStore};
pub use second_factor::SecondFactorStore;
pub use sessions::{Session, SessionStore};
pub use snapshots::SnapshotStore;
pub use templates::TemplateStore;
pub use tokens::TokenStore;
pub use users::UserStore;

use async_trait::async_trait;

/// Every aggregate's store, behind one object.
#[async_trait]
pub trait Store:
    UserStore
    + IdentityStore
    + SessionStore
    + SecondFactorStore
    + TokenStore
    + TemplateStore
    + RequestStore
    + MachineStore
    + JobStore
    + LeaseStore
    + PreferenceStore
    + OutboxStore
    + AuditStore
    + ConsoleStore
    + SnapshotStore
    + CourseStore
    + Send
    + Sync
    + 'static
{
    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;
}

/// The aggregate traits, for callers that hold a `dyn Store` and call their methods.
pub mod prelude {
    pub use super::{
        AuditStore, ConsoleStore, CourseStore, IdentityStore, JobStore, LeaseStore, MachineStore,
        OutboxStore, PreferenceStore, RequestStore, SecondFactorStore, SessionStore, SnapshotStore,
        Store, TemplateStore, TokenStore, UserStore,
    };
}
