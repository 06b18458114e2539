//! Long lists are read a page at a time, filtered and sorted by the database: an installation
//! with 10,000 machines must not load them all to show fifty.

use crate::{Invalid, ids::UserId, user::str_enum};
use std::str::FromStr;

pub const DEFAULT_PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 500;

/// A page of a list, 1-based, of 1 to [`MAX_PER_PAGE`] rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    number: i64,
    size: i64,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            number: 1,
            size: DEFAULT_PER_PAGE,
        }
    }
}

impl Page {
    /// Missing values take their defaults; a page below 1 or a size outside 1..=500 is refused.
    pub fn new(number: Option<i64>, size: Option<i64>) -> Result<Page, Invalid> {
        let number = number.unwrap_or(1);
        let size = size.unwrap_or(DEFAULT_PER_PAGE);
        let mut invalid = Invalid(Vec::new());
        if number < 1 {
            invalid.push("page", crate::msg("err-at-least").arg("min", 1));
        }
        if !(1..=MAX_PER_PAGE).contains(&size) {
            invalid.push(
                "per_page",
                crate::msg("err-between")
                    .arg("min", 1)
                    .arg("max", MAX_PER_PAGE),
            );
        }
        if invalid.0.is_empty() {
            Ok(Page { number, size })
        } else {
            Err(invalid)
        }
    }

    pub fn number(&self) -> i64 {
        self.number
    }

    pub fn size(&self) -> i64 {
        self.size
    }

    /// Rows to skip. A page beyond any possible list skips everything rather than overflowing.
    pub fn offset(&self) -> i64 {
        (self.number - 1).checked_mul(self.size).unwrap_or(i64::MAX)
    }

    /// How many pages `total` rows fill (at least one, empty as it may be).
    pub fn count(&self, total: i64) -> i64 {
        (total.max(0) / self.size + i64::from(total % self.size != 0)).max(1)
    }

    /// The next page, if `total` rows reach it.
    pub fn next(&self, total: i64) -> Option<Page> {
        let number = self.number.checked_add(1)?;
        (number <= self.count(total)).then_some(Page { number, ..*self })
    }

    /// The previous page, clamped to the last one that holds rows.
    pub fn prev(&self, total: i64) -> Option<Page> {
        (self.number > 1).then(|| Page {
            number: (self.number - 1).min(self.count(total)),
            ..*self
        })
    }

    pub fn with_number(&self, number: i64) -> Page {
        Page {
            number: number.max(1),
            ..*self
        }
    }
}

/// A sort order: one key of a list's whitelist, ascending or (`-key`) descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<K> {
    pub key: K,
    pub descending: bool,
}

impl<K: FromStr<Err = crate::Msg>> FromStr for Sort<K> {
    type Err = crate::Msg;
    fn from_str(s: &str) -> Result<Self, crate::Msg> {
        let (descending, key) = match s.strip_prefix('-') {
            Some(key) => (true, key),
            None => (false, s),
        };
        Ok(Sort {
            key: key.parse()?,
            descending,
        })
    }
}

/// What a caller asks of a list. `state` is the list's own state type; `sort` its whitelist.
#[derive(Debug, Clone)]
pub struct ListQuery<S, K> {
    pub page: Page,
    /// A part of the name or of the owner's username, any case.
    pub q: Option<String>,
    pub state: Option<S>,
    /// Only this owner's rows (by username).
    pub owner: Option<String>,
    /// Only this user's rows: what a non-administrator may see. Not a filter the caller chooses.
    pub scope: Option<UserId>,
    /// With `scope`: also the rows of the courses that user teaches (requests).
    pub teaching: bool,
    pub sort: Sort<K>,
}

impl<S, K: Default> Default for ListQuery<S, K> {
    fn default() -> Self {
        ListQuery {
            page: Page::default(),
            q: None,
            state: None,
            owner: None,
            scope: None,
            teaching: false,
            sort: Sort {
                key: K::default(),
                descending: false,
            },
        }
    }
}

impl<S, K: Default> ListQuery<S, K> {
    /// The first page of `user`'s rows, in the default order.
    pub fn of(user: UserId) -> Self {
        ListQuery {
            scope: Some(user),
            ..Self::default()
        }
    }
}

/// One page of rows and how many match in all.
#[derive(Debug, Clone)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// A list with no state filter (the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoState {}

impl FromStr for NoState {
    type Err = crate::Msg;
    fn from_str(_: &str) -> Result<Self, crate::Msg> {
        Err(crate::msg("err-no-state-filter"))
    }
}

/// Users have no lifecycle; their "state" is whether they may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Enabled,
    Disabled,
}
str_enum!(UserStatus { Enabled => "enabled", Disabled => "disabled" });

/// What reconciliation found: the portal's machine is gone from the hypervisor, or the hypervisor
/// has a guest the portal does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftKind {
    Missing,
    Unknown,
}
str_enum!(DriftKind { Missing => "missing", Unknown => "unknown" });

macro_rules! sort_keys {
    ($(#[$doc:meta])* $t:ident, default $d:ident { $($v:ident => $s:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub enum $t {
            #[default]
            $d,
            $($v),*
        }
        str_enum!($t { $d => "default", $($v => $s),* });
    };
}

sort_keys!(
    /// Default: newest first.
    MachineSort, default Newest { Created => "created", Name => "name", State => "state", Owner => "owner" }
);
sort_keys!(
    /// Default: pending first, then newest first.
    RequestSort, default PendingFirst { Created => "created", Name => "name", State => "state", Owner => "owner" }
);
sort_keys!(
    /// Default: by username.
    UserSort, default Username { Created => "created", Role => "role", Name => "name" }
);
sort_keys!(
    /// Default: newest first.
    AuditSort, default Newest { At => "at", Actor => "actor", Action => "action" }
);
sort_keys!(
    /// Default: by provider, then name.
    DriftSort, default Provider { Name => "name", Kind => "kind", Detected => "detected" }
);
sort_keys!(
    /// Default: newest first.
    JobSort, default Newest { Created => "created", Updated => "updated", State => "state" }
);

pub type MachineQuery = ListQuery<crate::machine::MachineState, MachineSort>;
pub type RequestQuery = ListQuery<crate::request::RequestState, RequestSort>;
pub type UserQuery = ListQuery<UserStatus, UserSort>;
pub type AuditQuery = ListQuery<NoState, AuditSort>;
/// Drift's state is its kind.
pub type DriftQuery = ListQuery<DriftKind, DriftSort>;
pub type JobQuery = ListQuery<crate::job::JobState, JobSort>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_refuse_nonsense_and_never_overflow() {
        assert!(Page::new(Some(0), None).is_err());
        assert!(Page::new(None, Some(501)).is_err());
        assert!(Page::new(None, Some(0)).is_err());
        let far = Page::new(Some(i64::MAX), Some(500)).unwrap();
        assert_eq!(far.offset(), i64::MAX);
        assert_eq!(far.next(i64::MAX), None);
        assert_eq!(far.prev(120).map(|p| p.number()), Some(1));
        let p = Page::new(Some(2), Some(50)).unwrap();
        assert_eq!(p.offset(), 50);
        assert_eq!(p.count(101), 3);
        assert_eq!(p.count(0), 1);
        assert_eq!(p.next(101).map(|p| p.number()), Some(3));
        assert_eq!(p.next(100), None);
    }

    #[test]
    fn sort_keys_come_from_a_whitelist() {
        let s: Sort<MachineSort> = "-name".parse().unwrap();
        assert_eq!((s.key, s.descending), (MachineSort::Name, true));
        assert!("id; DROP TABLE users".parse::<Sort<MachineSort>>().is_err());
    }
}
