//! Authorization, in one place. Every handler asks these functions; none decides on its own.
//!
//! Objects a caller may not see are reported as absent (`Denied::NotFound`), so nobody learns that
//! another user's request or machine exists.

use crate::{
    ids::UserId,
    user::{Role, User},
};

/// A signed-in user, as far as authorization cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub id: UserId,
    pub role: Role,
}

impl From<&User> for Caller {
    fn from(u: &User) -> Self {
        Caller {
            id: u.id,
            role: u.role,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Signed in, but the action needs an administrator.
    #[error("administrators only")]
    Forbidden,
    /// The object belongs to someone else: answer as if it did not exist.
    #[error("not found")]
    NotFound,
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn require_admin(&self) -> Result<(), Denied> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }

    /// Requests, machines and jobs: their owner and administrators may see and act on them.
    pub fn may_see_owned_by(&self, owner: UserId) -> Result<(), Denied> {
        if self.is_admin() || self.id == owner {
            Ok(())
        } else {
            Err(Denied::NotFound)
        }
    }

    /// Only the owner cancels a request; an administrator rejects it instead, with a reason.
    pub fn may_cancel(&self, owner: UserId) -> Result<(), Denied> {
        self.may_see_owned_by(owner)?;
        if self.id == owner {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }

    /// Whose objects a listing shows: `None` means everyone's.
    pub fn listing_scope(&self) -> Option<UserId> {
        (!self.is_admin()).then_some(self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMIN: Caller = Caller {
        id: UserId(1),
        role: Role::Admin,
    };
    const ALICE: Caller = Caller {
        id: UserId(2),
        role: Role::User,
    };
    const BOB: Caller = Caller {
        id: UserId(3),
        role: Role::User,
    };

    #[test]
    fn owners_and_admins_see_others_do_not_know() {
        assert_eq!(ALICE.may_see_owned_by(ALICE.id), Ok(()));
        assert_eq!(ADMIN.may_see_owned_by(ALICE.id), Ok(()));
        assert_eq!(BOB.may_see_owned_by(ALICE.id), Err(Denied::NotFound));
    }

    #[test]
    fn cancel_is_for_the_owner() {
        assert_eq!(ALICE.may_cancel(ALICE.id), Ok(()));
        assert_eq!(ADMIN.may_cancel(ALICE.id), Err(Denied::Forbidden));
        assert_eq!(BOB.may_cancel(ALICE.id), Err(Denied::NotFound));
    }

    #[test]
    fn admin_only_and_scopes() {
        assert_eq!(ALICE.require_admin(), Err(Denied::Forbidden));
        assert_eq!(ADMIN.require_admin(), Ok(()));
        assert_eq!(ALICE.listing_scope(), Some(ALICE.id));
        assert_eq!(ADMIN.listing_scope(), None);
    }
}
