//! Database rows and their conversion to domain types. Values in the database were parsed before
//! they were written, so reading them back trusts them; a value that still fails to convert (a
//! hand-edited database) is reported as a backend error rather than a panic.

use super::corrupt;
use sqlx::FromRow;
use vmportal_core::{
    Timestamp,
    audit::AuditEvent,
    ids::*,
    job::{Job, JobEvent, JobSummary},
    machine::{Drift, Machine},
    names::{Hostname, Username},
    quota::QuotaOverride,
    request::MachineRequest,
    resources::Resources,
    snapshot::SnapshotName,
    store::{Session, StoreResult},
    template::Template,
    user::User,
};

pub(crate) fn ts(secs: i64) -> StoreResult<Timestamp> {
    Timestamp::from_unix_timestamp(secs).map_err(corrupt)
}

pub(crate) fn secs(t: Timestamp) -> i64 {
    t.unix_timestamp()
}

pub(crate) fn parse<T>(s: &str) -> StoreResult<T>
where
    T: std::str::FromStr,
    T::Err: Into<vmportal_core::store::BackendError>,
{
    s.parse().map_err(corrupt)
}

macro_rules! user_columns {
    () => {
        "id, username, display_name, email, role, source, disabled, \
    quota_machines, quota_cpus, quota_memory_mib, quota_disk_gib, ssh_public_key, \
    must_change_password, created_at"
    };
}

#[derive(FromRow)]
pub(crate) struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    email: Option<String>,
    role: String,
    source: String,
    disabled: bool,
    quota_machines: Option<i64>,
    quota_cpus: Option<i64>,
    quota_memory_mib: Option<i64>,
    quota_disk_gib: Option<i64>,
    ssh_public_key: Option<String>,
    must_change_password: bool,
    created_at: i64,
}

impl UserRow {
    pub(crate) fn into_user(self) -> StoreResult<User> {
        Ok(User {
            id: UserId(self.id),
            username: Username::from_trusted(self.username),
            display_name: self.display_name,
            email: self.email,
            role: parse(&self.role)?,
            source: parse(&self.source)?,
            disabled: self.disabled,
            quota_override: QuotaOverride {
                machines: self.quota_machines,
                cpus: self.quota_cpus,
                memory_mib: self.quota_memory_mib,
                disk_gib: self.quota_disk_gib,
            },
            ssh_public_key: self.ssh_public_key,
            must_change_password: self.must_change_password,
            created_at: ts(self.created_at)?,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct SessionRow {
    token_hash: String,
    user_id: i64,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
}

impl SessionRow {
    pub(crate) fn into_session(self) -> StoreResult<Session> {
        Ok(Session {
            token_hash: self.token_hash,
            user_id: UserId(self.user_id),
            created_at: ts(self.created_at)?,
            last_seen_at: ts(self.last_seen_at)?,
            expires_at: ts(self.expires_at)?,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct TemplateRow {
    id: i64,
    name: String,
    description: String,
    provider: String,
    kind: String,
    os_family: String,
    source: String,
    default_cpus: i64,
    default_memory_mib: i64,
    default_disk_gib: i64,
    max_cpus: i64,
    max_memory_mib: i64,
    max_disk_gib: i64,
    shutdown_timeout_secs: i64,
    locale: Option<String>,
    max_snapshots: i64,
    enabled: bool,
    created_at: i64,
    #[sqlx(flatten)]
    lease: super::leases::TemplateLeaseRow,
}

impl TemplateRow {
    pub(crate) fn into_template(self) -> StoreResult<Template> {
        Ok(Template {
            id: TemplateId(self.id),
            name: self.name,
            description: self.description,
            provider: self.provider,
            kind: parse(&self.kind)?,
            os_family: parse(&self.os_family)?,
            source: self.source,
            defaults: Resources {
                cpus: self.default_cpus,
                memory_mib: self.default_memory_mib,
                disk_gib: self.default_disk_gib,
            },
            limits: Resources {
                cpus: self.max_cpus,
                memory_mib: self.max_memory_mib,
                disk_gib: self.max_disk_gib,
            },
            shutdown_timeout_secs: self.shutdown_timeout_secs,
            locale: self.locale,
            max_snapshots: self.max_snapshots,
            enabled: self.enabled,
            created_at: ts(self.created_at)?,
            lease: self.lease.into_policy()?,
        })
    }
}

macro_rules! request_select {
    () => {
        "SELECT r.id, r.user_id, u.username, r.template_id, \
    t.name AS template_name, r.name, r.cpus, r.memory_mib, r.disk_gib, r.purpose, r.state, r.reason, \
    d.username AS decided_by, r.decided_at, r.created_at, r.course_id \
    FROM requests r JOIN users u ON u.id = r.user_id JOIN templates t ON t.id = r.template_id \
    LEFT JOIN users d ON d.id = r.decided_by"
    };
}

#[derive(FromRow)]
pub(crate) struct RequestRow {
    id: i64,
    user_id: i64,
    username: String,
    template_id: i64,
    template_name: String,
    name: String,
    cpus: i64,
    memory_mib: i64,
    disk_gib: i64,
    purpose: String,
    state: String,
    reason: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<i64>,
    created_at: i64,
    course_id: Option<i64>,
}

impl RequestRow {
    pub(crate) fn into_request(self) -> StoreResult<MachineRequest> {
        Ok(MachineRequest {
            id: RequestId(self.id),
            user_id: UserId(self.user_id),
            username: Username::from_trusted(self.username),
            template_id: TemplateId(self.template_id),
            template_name: self.template_name,
            name: Hostname::from_trusted(self.name),
            resources: Resources {
                cpus: self.cpus,
                memory_mib: self.memory_mib,
                disk_gib: self.disk_gib,
            },
            purpose: self.purpose,
            state: parse(&self.state)?,
            reason: self.reason,
            decided_by: self.decided_by.map(Username::from_trusted),
            decided_at: self.decided_at.map(ts).transpose()?,
            course_id: self.course_id.map(CourseId),
            created_at: ts(self.created_at)?,
        })
    }
}

/// Machines with their owner's name and their newest job.
macro_rules! machine_select {
    () => {
        "SELECT m.id, m.request_id, m.owner_id, u.username AS owner, \
    m.template_id, m.provider, m.name, m.cpus, m.memory_mib, m.disk_gib, m.state, m.node, \
    m.external_id, m.address, m.access_host, m.access_port, m.login_name, m.last_error, m.created_at, \
    m.expires_at, m.expiry_action, m.lease_grace_days, \
    m.course_id, m.deployment_id, \
    j.id AS job_id, j.kind AS job_kind, j.state AS job_state, j.progress AS job_progress, \
    j.message AS job_message \
    FROM machines m JOIN users u ON u.id = m.owner_id \
    LEFT JOIN jobs j ON j.id = (SELECT MAX(id) FROM jobs WHERE machine_id = m.id)"
    };
}

#[derive(FromRow)]
pub(crate) struct MachineRow {
    id: i64,
    request_id: i64,
    owner_id: i64,
    owner: String,
    template_id: i64,
    provider: String,
    name: String,
    cpus: i64,
    memory_mib: i64,
    disk_gib: i64,
    state: String,
    node: Option<String>,
    external_id: Option<String>,
    address: Option<String>,
    access_host: Option<String>,
    access_port: Option<i64>,
    login_name: Option<String>,
    last_error: Option<String>,
    created_at: i64,
    course_id: Option<i64>,
    deployment_id: Option<i64>,
    job_id: Option<i64>,
    job_kind: Option<String>,
    job_state: Option<String>,
    job_progress: Option<i64>,
    job_message: Option<String>,
    #[sqlx(flatten)]
    lease: super::leases::MachineLeaseRow,
}

impl MachineRow {
    pub(crate) fn into_machine(self) -> StoreResult<Machine> {
        let current_job = match (self.job_id, self.job_kind, self.job_state) {
            (Some(id), Some(kind), Some(state)) => Some(JobSummary {
                id: JobId(id),
                kind: parse(&kind)?,
                state: parse(&state)?,
                progress: self.job_progress.unwrap_or(0),
                message: self.job_message.unwrap_or_default(),
            }),
            _ => None,
        };
        let (expires_at, expiry_action, delete_after) = self.lease.into_lease()?;
        Ok(Machine {
            id: MachineId(self.id),
            request_id: RequestId(self.request_id),
            owner_id: UserId(self.owner_id),
            owner: Username::from_trusted(self.owner),
            template_id: TemplateId(self.template_id),
            provider: self.provider,
            name: Hostname::from_trusted(self.name),
            resources: Resources {
                cpus: self.cpus,
                memory_mib: self.memory_mib,
                disk_gib: self.disk_gib,
            },
            state: parse(&self.state)?,
            node: self.node,
            external_id: self.external_id,
            address: self.address,
            host: self.access_host,
            port: self.access_port,
            login_name: self.login_name,
            last_error: self.last_error,
            error_id: None,
            current_job,
            course_id: self.course_id.map(CourseId),
            deployment_id: self.deployment_id.map(DeploymentId),
            created_at: ts(self.created_at)?,
            expires_at,
            expiry_action,
            delete_after,
        })
    }
}

macro_rules! job_select {
    () => {
        "SELECT j.id, j.kind, j.machine_id, j.snapshot, m.owner_id, j.state, \
    j.progress, j.message, j.error, j.attempts, j.cause, j.created_at, j.updated_at \
    FROM jobs j LEFT JOIN machines m ON m.id = j.machine_id"
    };
}

#[derive(FromRow)]
pub(crate) struct JobRow {
    id: i64,
    kind: String,
    machine_id: Option<i64>,
    snapshot: Option<String>,
    owner_id: Option<i64>,
    state: String,
    progress: i64,
    message: String,
    error: Option<String>,
    attempts: i64,
    cause: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl JobRow {
    pub(crate) fn into_job(self) -> StoreResult<Job> {
        Ok(Job {
            id: JobId(self.id),
            kind: parse(&self.kind)?,
            machine_id: self.machine_id.map(MachineId),
            snapshot: self
                .snapshot
                .map(|s| SnapshotName::parse(&s).map_err(corrupt))
                .transpose()?,
            owner_id: self.owner_id.map(UserId),
            state: parse(&self.state)?,
            progress: self.progress,
            message: self.message,
            error: self.error,
            attempts: self.attempts,
            cause: self.cause.as_deref().map(parse).transpose()?,
            created_at: ts(self.created_at)?,
            updated_at: ts(self.updated_at)?,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct AuditRow {
    id: i64,
    at: i64,
    actor_id: Option<i64>,
    actor: String,
    ip: Option<String>,
    action: String,
    object_type: String,
    object_id: Option<i64>,
    detail: String,
}

impl AuditRow {
    pub(crate) fn into_event(self) -> StoreResult<AuditEvent> {
        Ok(AuditEvent {
            id: AuditId(self.id),
            at: ts(self.at)?,
            actor_id: self.actor_id.map(UserId),
            actor: self.actor,
            ip: self.ip,
            action: self.action,
            object_type: self.object_type,
            object_id: self.object_id,
            detail: self.detail,
        })
    }
}

/// Converts every row, failing on the first that does not convert.
pub(crate) fn all<R, T>(rows: Vec<R>, f: impl Fn(R) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.into_iter().map(f).collect()
}

#[derive(FromRow)]
pub(crate) struct JobEventRow {
    id: i64,
    at: i64,
    progress: i64,
    message: String,
}

impl JobEventRow {
    pub(crate) fn into_event(self) -> StoreResult<JobEvent> {
        Ok(JobEvent {
            id: self.id,
            at: ts(self.at)?,
            progress: self.progress,
            message: self.message,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct DriftRow {
    provider: String,
    kind: String,
    machine_id: Option<i64>,
    external_id: Option<String>,
    name: String,
    detected_at: i64,
}

impl DriftRow {
    pub(crate) fn into_drift(self) -> StoreResult<Drift> {
        Ok(Drift {
            provider: self.provider,
            kind: self.kind,
            machine_id: self.machine_id.map(MachineId),
            external_id: self.external_id,
            name: self.name,
            detected_at: ts(self.detected_at)?,
        })
    }
}
