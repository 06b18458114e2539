//! Who is acting, with nothing of HTTP: what actions need to decide and to audit. The extractors in
//! [`crate::auth`] make one from a request; actions take `&Caller`, so the same rule serves the
//! API, the pages and anything else that acts for someone.

use vmportal_core::{audit::Actor, authz, ids::UserId, names::Username, user::Role};

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The session cookie of a sign-in.
    Session,
    /// `Authorization: Bearer` with a personal API token.
    ApiToken,
}

#[derive(Debug, Clone)]
pub struct Caller {
    pub id: UserId,
    pub username: Username,
    pub role: Role,
    /// Who the audit log names, with the client's address.
    pub actor: Actor,
    pub via: Via,
    /// The language they read (plain reasons, messages composed for them).
    pub tr: vmportal_i18n::Tr,
}

impl Caller {
    /// The part the authorization rules look at.
    pub fn authz(&self) -> authz::Caller {
        authz::Caller {
            id: self.id,
            role: self.role,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.authz().is_admin()
    }
}
