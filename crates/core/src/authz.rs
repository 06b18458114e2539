//! Authorization, in one place. Every handler asks these functions; none decides on its own.
//!
//! Objects a caller may not see are reported as absent (`Denied::NotFound`), so nobody learns that
//! another user's request or machine exists.

use crate::{
    course::CourseSettings,
    ids::UserId,
    job::JobKind,
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

    /// How the caller reaches a machine or a request of `owner`'s; `teaching` is the settings of
    /// the object's course when the caller teaches it. A student's machines outside the courses
    /// the caller teaches stay private.
    pub fn reach(&self, owner: UserId, teaching: Option<CourseSettings>) -> Result<Reach, Denied> {
        if self.id == owner {
            Ok(Reach::Owner)
        } else if self.is_admin() {
            Ok(Reach::Admin)
        } else if let Some(settings) = teaching {
            Ok(Reach::Teacher(settings))
        } else {
            Err(Denied::NotFound)
        }
    }

    /// Whose objects a listing shows: `None` means everyone's.
    pub fn listing_scope(&self) -> Option<UserId> {
        (!self.is_admin()).then_some(self.id)
    }
}

/// How a caller reaches an object they may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Owner,
    Admin,
    /// A teacher of the object's course, with that course's settings.
    Teacher(CourseSettings),
}

impl Reach {
    /// Teachers start, shut down, stop and reboot their students' course machines; they delete
    /// them only when the course says so.
    pub fn may_run(&self, kind: JobKind) -> Result<(), Denied> {
        match (self, kind) {
            (Reach::Owner | Reach::Admin, _) => Ok(()),
            (
                Reach::Teacher(_),
                JobKind::Start | JobKind::Shutdown | JobKind::Stop | JobKind::Reboot,
            ) => Ok(()),
            (Reach::Teacher(s), JobKind::Delete) if s.teacher_may_delete => Ok(()),
            (Reach::Teacher(_), _) => Err(Denied::Forbidden),
        }
    }

    /// Teachers never read their students' passwords.
    pub fn may_read_credentials(&self) -> Result<(), Denied> {
        match self {
            Reach::Teacher(_) => Err(Denied::Forbidden),
            _ => Ok(()),
        }
    }

    /// Whether the console opens view-only: as asked, and always for a teacher without full
    /// control.
    pub fn view_only(&self, asked: bool) -> bool {
        asked || matches!(self, Reach::Teacher(s) if !s.teacher_full_console)
    }

    /// Administrators and the course's teachers decide a request; owners only cancel.
    pub fn may_decide(&self) -> Result<(), Denied> {
        match self {
            Reach::Owner => Err(Denied::Forbidden),
            _ => Ok(()),
        }
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
    fn teachers_reach_their_courses_only() {
        let course = CourseSettings::default();
        // Bob teaches the course of Alice's machine: he reaches it, as a teacher.
        let reach = BOB.reach(ALICE.id, Some(course)).unwrap();
        assert_eq!(reach, Reach::Teacher(course));
        // Alice's machines outside his courses stay private.
        assert_eq!(BOB.reach(ALICE.id, None), Err(Denied::NotFound));
        assert_eq!(ALICE.reach(ALICE.id, None), Ok(Reach::Owner));
        assert_eq!(ADMIN.reach(ALICE.id, None), Ok(Reach::Admin));
        assert_eq!(reach.may_run(JobKind::Reboot), Ok(()));
        assert_eq!(reach.may_run(JobKind::Delete), Err(Denied::Forbidden));
        assert_eq!(reach.may_read_credentials(), Err(Denied::Forbidden));
        assert!(reach.view_only(false));
        assert_eq!(reach.may_decide(), Ok(()));
        assert_eq!(Reach::Owner.may_decide(), Err(Denied::Forbidden));
        let generous = Reach::Teacher(CourseSettings {
            teacher_full_console: true,
            teacher_may_delete: true,
        });
        assert_eq!(generous.may_run(JobKind::Delete), Ok(()));
        assert!(!generous.view_only(false));
        assert!(generous.view_only(true));
    }

    #[test]
    fn admin_only_and_scopes() {
        assert_eq!(ALICE.require_admin(), Err(Denied::Forbidden));
        assert_eq!(ADMIN.require_admin(), Ok(()));
        assert_eq!(ALICE.listing_scope(), Some(ALICE.id));
        assert_eq!(ADMIN.listing_scope(), None);
    }
}
