//! The `Store` trait: everything the portal keeps. One implementation per database backend.
//!
//! Each method that changes something also writes its audit event, in the same transaction, so the
//! log can never miss a change nor record one that did not happen.

use crate::{
    Invalid, Msg, Timestamp,
    api_token::{ApiToken, NewApiToken},
    audit::{Actor, AuditEvent, NewAuditEvent},
    console::{NewConsoleTicket, UsedTicket},
    ids::{JobId, MachineId, RequestId, TemplateId, UserId},
    job::{Job, JobEvent, JobKind, JobOutcome},
    machine::{Drift, Machine, MachinePatch},
    notification::Outbox,
    preferences::PreferenceStore,
    quota::{Quota, Usage},
    request::{MachineRequest, NewRequest, NotPending, RequestState},
    template::{Template, TemplateSpec},
    user::{NewUser, User, UserPatch},
};
use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The object is not in a state that allows the change (approving twice, ...).
    #[error(transparent)]
    Conflict(#[from] NotPending),
    /// A machine cannot take an action now (its state, or another action in progress).
    #[error("{0}")]
    Busy(Msg),
    /// The change breaks a rule that only the database can check atomically (a unique name, a
    /// quota counted over concurrent requests).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The database could not be reached or answered with an error; details are for the log only.
    #[error("database error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A signed-in session. The token itself is never stored, only its SHA-256.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RequestFilter {
    pub owner: Option<UserId>,
    pub state: Option<RequestState>,
}

/// What an approval created, all in one transaction.
#[derive(Debug, Clone)]
pub struct Approval {
    pub request: MachineRequest,
    pub machine: Machine,
    pub job: Job,
}

/// A page of a long listing, 1-based.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub number: i64,
    pub size: i64,
}

impl Page {
    pub fn offset(&self) -> i64 {
        (self.number.max(1) - 1) * self.size
    }
}

#[async_trait]
pub trait Store: PreferenceStore + Outbox + Send + Sync + 'static {
    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    async fn create_user(&self, new: NewUser, by: &Actor) -> StoreResult<User>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// The user and their password hash, for sign-in.
    async fn user_for_login(&self, username: &str) -> StoreResult<Option<(User, Option<String>)>>;
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn count_users(&self) -> StoreResult<i64>;
    /// Disabling a user or changing their password also ends all their sessions.
    async fn update_user(&self, id: UserId, patch: UserPatch, by: &Actor) -> StoreResult<User>;

    async fn create_session(&self, session: Session) -> StoreResult<()>;
    /// The live session with this token hash and its user, if neither expired nor disabled.
    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Session, User)>>;
    async fn touch_session(
        &self,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64>;

    /// Stores a new API token with its audit event.
    async fn create_api_token(&self, token: NewApiToken, by: &Actor) -> StoreResult<ApiToken>;
    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>>;
    /// Removes one of `user`'s tokens; `false` if they have none with that id.
    async fn revoke_api_token(&self, user: UserId, id: i64, by: &Actor) -> StoreResult<bool>;
    /// The unexpired token with this hash and its user, if the user is enabled.
    async fn api_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(ApiToken, User)>>;
    async fn touch_api_token(&self, id: i64, now: Timestamp) -> StoreResult<()>;

    async fn create_template(&self, spec: TemplateSpec, by: &Actor) -> StoreResult<Template>;
    async fn update_template(
        &self,
        id: TemplateId,
        spec: TemplateSpec,
        by: &Actor,
    ) -> StoreResult<Template>;
    async fn template(&self, id: TemplateId) -> StoreResult<Option<Template>>;
    async fn templates(&self) -> StoreResult<Vec<Template>>;

    /// Pending requests plus machines not deleted.
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
    /// Pending requests first, then newest first.
    async fn requests(&self, filter: RequestFilter) -> StoreResult<Vec<MachineRequest>>;
    /// Marks the request approved, creates its machine (`provisioning`) and a queued provision job.
    async fn approve_request(&self, id: RequestId, by: &Actor) -> StoreResult<Approval>;
    async fn reject_request(
        &self,
        id: RequestId,
        reason: &str,
        by: &Actor,
    ) -> StoreResult<MachineRequest>;
    async fn cancel_request(&self, id: RequestId, by: &Actor) -> StoreResult<MachineRequest>;

    async fn machine(&self, id: MachineId) -> StoreResult<Option<Machine>>;
    /// Machines not deleted, of one owner or of everyone.
    async fn machines(&self, owner: Option<UserId>) -> StoreResult<Vec<Machine>>;
    async fn job(&self, id: JobId) -> StoreResult<Option<Job>>;

    /// Queues an owner's action on a machine. Refused (conflict) when the machine's state does not
    /// allow it or another job is pending on it (a delete queues behind). A delete marks the
    /// machine `deleting` at once.
    async fn enqueue_job(&self, machine: MachineId, kind: JobKind, by: &Actor) -> StoreResult<Job>;
    /// Takes the oldest runnable job (queued and due, or running with an expired lease: its worker
    /// died) that has no older pending job on the same machine, and leases it to `worker`.
    async fn claim_job(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<Job>>;
    /// Extends the lease; `false` when `worker` no longer holds the job.
    async fn renew_lease(
        &self,
        job: JobId,
        worker: &str,
        lease_until: Timestamp,
    ) -> StoreResult<bool>;
    /// Records progress and appends it to the job's events.
    async fn job_progress(&self, job: JobId, progress: i64, message: &str) -> StoreResult<()>;
    /// Ends an attempt, if `worker` still holds the job.
    async fn finish_job(&self, job: JobId, worker: &str, outcome: JobOutcome) -> StoreResult<()>;
    /// Events after `after`, oldest first.
    async fn job_events(&self, job: JobId, after: i64) -> StoreResult<Vec<JobEvent>>;
    async fn update_machine(&self, id: MachineId, patch: MachinePatch) -> StoreResult<()>;
    /// The machine's sealed guest password.
    async fn machine_secret(&self, id: MachineId) -> StoreResult<Option<Vec<u8>>>;
    /// Replaces what the last reconciliation found on `provider`.
    async fn replace_drift(&self, provider: &str, found: Vec<Drift>) -> StoreResult<()>;
    async fn drift(&self) -> StoreResult<Vec<Drift>>;

    /// Stores a console ticket with its audit event (and forgets expired tickets).
    async fn create_console_ticket(&self, ticket: NewConsoleTicket, by: &Actor) -> StoreResult<()>;
    /// Marks the ticket used and returns it when it exists, is unused, has not expired and was
    /// minted by the session `session_hash`. Atomic: of two concurrent uses, one at most succeeds.
    /// A ticket presented by another session stays usable by its own.
    async fn consume_console_ticket(
        &self,
        ticket_hash: &str,
        session_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<UsedTicket>>;

    /// Records an event that has no other change to go with (a sign-in, a failed sign-in).
    async fn record(&self, by: &Actor, event: NewAuditEvent) -> StoreResult<()>;
    /// Newest first, with the total count.
    async fn audit(&self, page: Page) -> StoreResult<(Vec<AuditEvent>, i64)>;
}
