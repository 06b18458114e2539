//! The `Directory` trait: people kept in an outside directory (a school's LDAP), who sign in with
//! the directory's password and get their role from its groups. One implementation per kind of
//! directory; this crate knows none of their protocols.

use crate::user::Role;
use async_trait::async_trait;
use serde::Serialize;

/// A person as the directory describes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryEntry {
    /// The entry's distinguished name.
    pub dn: String,
    /// The login name, as the directory spells it.
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// Names of the groups the person belongs to.
    pub groups: Vec<String>,
    /// `null` when the person is in neither the administrators' nor the users' group, and so may
    /// not sign in.
    pub role: Option<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    /// Unknown user, wrong or empty password: deliberately one case.
    #[error("wrong username or password")]
    BadCredentials,
    /// The password is right but the person is in none of the groups that map to a role.
    #[error("not a member of an allowed group")]
    NotAllowed,
    /// The directory did not answer (connection refused, TLS failure, time-out).
    #[error("directory unreachable: {0}")]
    Unavailable(String),
    /// The directory answered, but the settings do not fit it (search account refused, no base).
    #[error("directory misconfigured: {0}")]
    Misconfigured(String),
}

#[async_trait]
pub trait Directory: Send + Sync + 'static {
    /// Checks the password against the directory and gives back the person, with a role.
    async fn authenticate(
        &self,
        username: &str,
        password: &str,
    ) -> Result<DirectoryEntry, DirectoryError>;

    /// What `username` resolves to, without a password: for administrators testing the settings.
    async fn lookup(&self, username: &str) -> Result<Option<DirectoryEntry>, DirectoryError>;

    /// The people in the group named `group` (a course's roster), or `None` when there is no
    /// such group. Their `groups` and `role` are not read (empty and `None`): a roster needs only
    /// who they are, and sign-in reads the role anew.
    async fn group_members(
        &self,
        group: &str,
    ) -> Result<Option<Vec<DirectoryEntry>>, DirectoryError>;
}
