use super::{SqliteStore, audit, backend};
use async_trait::async_trait;
use vmportal_core::{
    Timestamp,
    api_token::{ApiToken, NewApiToken},
    audit::{Actor, AuditEvent, NewAuditEvent},
    console::{NewConsoleTicket, UsedTicket},
    ids::{JobId, MachineId, RequestId, TemplateId, UserId},
    job::{Job, JobEvent, JobKind, JobOutcome},
    machine::{Drift, Machine, MachinePatch},
    quota::{Quota, Usage},
    request::{MachineRequest, NewRequest, RequestState},
    second_factor::TotpEnrolment,
    store::{Approval, Page, RequestFilter, Session, Store, StoreResult},
    template::{Template, TemplateSpec},
    user::{NewUser, User, UserPatch},
};

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn create_user(&self, new: NewUser, by: &Actor) -> StoreResult<User> {
        self.insert_user(new, by).await
    }
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.fetch_user(id).await
    }
    async fn user_for_login(&self, username: &str) -> StoreResult<Option<(User, Option<String>)>> {
        self.fetch_user_for_login(username).await
    }
    async fn users(&self) -> StoreResult<Vec<User>> {
        self.list_users().await
    }
    async fn count_users(&self) -> StoreResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)
    }
    async fn update_user(&self, id: UserId, patch: UserPatch, by: &Actor) -> StoreResult<User> {
        self.patch_user(id, patch, by).await
    }

    async fn create_session(&self, session: Session) -> StoreResult<()> {
        self.insert_session(session).await
    }
    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(Session, User)>> {
        self.live_session(token_hash, now).await
    }
    async fn touch_session(
        &self,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        self.extend_session(token_hash, now, expires_at).await
    }
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.remove_session(token_hash).await
    }
    async fn end_sign_ins(&self, user: UserId, why: &str, by: &Actor) -> StoreResult<()> {
        self.remove_sign_ins(user, why, by).await
    }

    async fn totp(&self, user: UserId) -> StoreResult<Option<TotpEnrolment>> {
        self.fetch_totp(user).await
    }
    async fn begin_totp(&self, user: UserId, sealed_secret: Vec<u8>) -> StoreResult<()> {
        self.insert_totp(user, sealed_secret).await
    }
    async fn confirm_totp(
        &self,
        user: UserId,
        step: i64,
        recovery_hashes: Vec<String>,
        by: &Actor,
    ) -> StoreResult<bool> {
        self.confirm_pending_totp(user, step, recovery_hashes, by)
            .await
    }
    async fn use_totp_step(&self, user: UserId, step: i64) -> StoreResult<bool> {
        self.mark_totp_step(user, step).await
    }
    async fn use_recovery_code(&self, user: UserId, code_hash: &str) -> StoreResult<bool> {
        self.mark_recovery_code(user, code_hash).await
    }
    async fn reset_totp(&self, user: UserId, by: &Actor) -> StoreResult<bool> {
        self.remove_totp(user, by).await
    }
    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        self.remove_expired_sessions(now).await
    }

    async fn create_api_token(&self, token: NewApiToken, by: &Actor) -> StoreResult<ApiToken> {
        self.insert_api_token(token, by).await
    }
    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        self.tokens_of(user).await
    }
    async fn revoke_api_token(&self, user: UserId, id: i64, by: &Actor) -> StoreResult<bool> {
        self.delete_api_token(user, id, by).await
    }
    async fn api_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<(ApiToken, User)>> {
        self.live_api_token(token_hash, now).await
    }
    async fn touch_api_token(&self, id: i64, now: Timestamp) -> StoreResult<()> {
        self.mark_api_token_used(id, now).await
    }

    async fn create_template(&self, spec: TemplateSpec, by: &Actor) -> StoreResult<Template> {
        self.insert_template(spec, by).await
    }
    async fn update_template(
        &self,
        id: TemplateId,
        spec: TemplateSpec,
        by: &Actor,
    ) -> StoreResult<Template> {
        self.replace_template(id, spec, by).await
    }
    async fn template(&self, id: TemplateId) -> StoreResult<Option<Template>> {
        self.fetch_template(id).await
    }
    async fn templates(&self) -> StoreResult<Vec<Template>> {
        self.list_templates().await
    }

    async fn usage(&self, user: UserId) -> StoreResult<Usage> {
        self.usage_of(user).await
    }
    async fn create_request(
        &self,
        new: NewRequest,
        quota: Quota,
        by: &Actor,
    ) -> StoreResult<MachineRequest> {
        self.insert_request(new, quota, by).await
    }
    async fn request(&self, id: RequestId) -> StoreResult<Option<MachineRequest>> {
        self.fetch_request(id).await
    }
    async fn requests(&self, filter: RequestFilter) -> StoreResult<Vec<MachineRequest>> {
        self.list_requests(filter).await
    }
    async fn approve_request(&self, id: RequestId, by: &Actor) -> StoreResult<Approval> {
        self.approve(id, by).await
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

    async fn machine(&self, id: MachineId) -> StoreResult<Option<Machine>> {
        self.fetch_machine(id).await
    }
    async fn machines(&self, owner: Option<UserId>) -> StoreResult<Vec<Machine>> {
        self.list_machines(owner).await
    }
    async fn job(&self, id: JobId) -> StoreResult<Option<Job>> {
        self.fetch_job(id).await
    }

    async fn enqueue_job(&self, machine: MachineId, kind: JobKind, by: &Actor) -> StoreResult<Job> {
        self.enqueue(machine, kind, by).await
    }
    async fn claim_job(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<Job>> {
        self.claim(worker, now, lease_until).await
    }
    async fn renew_lease(
        &self,
        job: JobId,
        worker: &str,
        lease_until: Timestamp,
    ) -> StoreResult<bool> {
        self.renew(job, worker, lease_until).await
    }
    async fn job_progress(&self, job: JobId, progress: i64, message: &str) -> StoreResult<()> {
        self.progress(job, progress, message).await
    }
    async fn finish_job(&self, job: JobId, worker: &str, outcome: JobOutcome) -> StoreResult<()> {
        self.finish(job, worker, outcome).await
    }
    async fn job_events(&self, job: JobId, after: i64) -> StoreResult<Vec<JobEvent>> {
        self.events(job, after).await
    }
    async fn update_machine(&self, id: MachineId, patch: MachinePatch) -> StoreResult<()> {
        self.patch_machine(id, patch).await
    }
    async fn machine_secret(&self, id: MachineId) -> StoreResult<Option<Vec<u8>>> {
        self.secret_of(id).await
    }
    async fn replace_drift(&self, provider: &str, found: Vec<Drift>) -> StoreResult<()> {
        self.set_drift(provider, found).await
    }
    async fn drift(&self) -> StoreResult<Vec<Drift>> {
        self.list_drift().await
    }

    async fn create_console_ticket(&self, ticket: NewConsoleTicket, by: &Actor) -> StoreResult<()> {
        self.insert_console_ticket(ticket, by).await
    }
    async fn consume_console_ticket(
        &self,
        ticket_hash: &str,
        session_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<UsedTicket>> {
        self.use_console_ticket(ticket_hash, session_hash, now)
            .await
    }

    async fn record(&self, by: &Actor, event: NewAuditEvent) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        audit::write(&mut conn, by, event).await
    }
    async fn audit(&self, page: Page) -> StoreResult<(Vec<AuditEvent>, i64)> {
        audit::list(&self.pool, page).await
    }
}
