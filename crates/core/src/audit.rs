//! The audit log: who did what to which object, when, from where.

use crate::{
    Timestamp,
    ids::{AuditId, UserId},
};
use serde::Serialize;

/// Who acts, as the audit log records it. `user` is `None` for the system itself (first start,
/// command line).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: Option<UserId>,
    pub name: String,
    pub ip: Option<String>,
}

impl Actor {
    pub fn system(name: &str) -> Self {
        Actor {
            user: None,
            name: name.to_owned(),
            ip: None,
        }
    }
}

/// The actions written to the log. Kept in one place so that the log reads consistently.
pub mod action {
    pub const LOGIN: &str = "session.login";
    pub const LOGIN_FAILED: &str = "session.login_failed";
    pub const LOGOUT: &str = "session.logout";
    /// Every session and API token of a user ended (they left the directory).
    pub const SIGN_INS_ENDED: &str = "session.all_ended";
    pub const TOTP_ENABLED: &str = "user.totp_enabled";
    /// An administrator removed a user's second factor.
    pub const TOTP_RESET: &str = "user.totp_reset";
    pub const USER_CREATE: &str = "user.create";
    pub const USER_UPDATE: &str = "user.update";
    /// An account was linked to an identity at an OpenID provider.
    pub const IDENTITY_LINK: &str = "user.identity_link";
    pub const TEMPLATE_CREATE: &str = "template.create";
    pub const TEMPLATE_UPDATE: &str = "template.update";
    pub const REQUEST_CREATE: &str = "request.create";
    pub const REQUEST_APPROVE: &str = "request.approve";
    pub const REQUEST_REJECT: &str = "request.reject";
    pub const REQUEST_CANCEL: &str = "request.cancel";
    pub const MACHINE_ACTION: &str = "machine.action";
    pub const SNAPSHOT_TAKE: &str = "snapshot.take";
    pub const SNAPSHOT_REVERT: &str = "snapshot.revert";
    pub const SNAPSHOT_DELETE: &str = "snapshot.delete";
    pub const CREDENTIALS_READ: &str = "machine.credentials_read";
    pub const MACHINE_STATE: &str = "machine.state";
    pub const JOB_FINISHED: &str = "job.finished";
    pub const COURSE_CREATE: &str = "course.create";
    pub const COURSE_UPDATE: &str = "course.update";
    pub const COURSE_DELETE: &str = "course.delete";
    pub const COURSE_ROSTER: &str = "course.roster";
    pub const COURSE_DEPLOY: &str = "course.deploy";
    /// A teacher opened a student's console with full control.
    pub const CONSOLE_FULL_CONTROL: &str = "console.teacher_full_control";
    pub const CONSOLE_TICKET: &str = "console.ticket";
    pub const CONSOLE_OPEN: &str = "console.open";
    pub const CONSOLE_CLOSE: &str = "console.close";
    pub const TOKEN_CREATE: &str = "token.create";
    pub const TOKEN_REVOKE: &str = "token.revoke";
    pub const LEASE_SET: &str = "lease.set";
    pub const LEASE_EXTEND: &str = "lease.extend";
    pub const LEASE_NOTICE: &str = "lease.notice";
    pub const LEASE_ACTION: &str = "lease.action";
    pub const EXTENSION_CREATE: &str = "extension.create";
    pub const EXTENSION_APPROVE: &str = "extension.approve";
    pub const EXTENSION_REJECT: &str = "extension.reject";
    pub const PREFERENCES_UPDATE: &str = "user.preferences";
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: AuditId,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub actor_id: Option<UserId>,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    /// Kind of object acted on: `user`, `template`, `request`, `machine`, `session`.
    pub object_type: String,
    pub object_id: Option<i64>,
    pub detail: String,
}

/// An entry to write, alongside the change it describes.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: Option<i64>,
    pub detail: String,
}
