//! Leases: every machine may have an end. A template says how long its machines live
//! (`lease_days`), how far owners may extend them on their own, and what happens at the end
//! (`expiry_action`). Expiry never deletes at once: an expired machine is stopped first, and only
//! deleted once its grace period is over.

use crate::{
    Invalid, Timestamp,
    ids::{ExtensionId, MachineId, UserId},
    msg,
    names::Username,
    request::RequestState,
    user::str_enum,
};
use serde::{Deserialize, Serialize};
use time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExpiryAction {
    /// Shut down at expiry and kept; deleted after `grace_days` when the template sets them.
    #[default]
    Stop,
    /// Shut down at expiry, deleted after `grace_days` (at least one day).
    Delete,
}

str_enum!(ExpiryAction {
    Stop => "stop" as msg("expiry-action-stop"),
    Delete => "delete" as msg("expiry-action-delete"),
});

/// A template's lease settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeasePolicy {
    /// Days a new machine lives; none: its machines do not expire.
    pub lease_days: Option<i64>,
    /// The longest life of a machine, in days from its creation, that owners reach by extending
    /// on their own; none: no limit. Beyond it an administrator decides.
    pub max_lease_days: Option<i64>,
    /// Days an owner may add at a time without asking; 0: every extension is asked for.
    pub extend_days: i64,
    pub expiry_action: ExpiryAction,
    /// Days an expired machine stays stopped before it is deleted; none: kept (`stop` only).
    pub grace_days: Option<i64>,
    /// Minutes a running machine may sit idle (no console, little CPU) before it is shut down;
    /// none: never.
    pub idle_stop_minutes: Option<i64>,
}

/// Unparsed lease settings, as a form or a JSON body gives them.
#[derive(Debug, Clone, Default)]
pub struct LeaseInput {
    pub lease_days: Option<i64>,
    pub max_lease_days: Option<i64>,
    pub extend_days: i64,
    pub expiry_action: String,
    pub grace_days: Option<i64>,
    pub idle_stop_minutes: Option<i64>,
}

impl From<&LeasePolicy> for LeaseInput {
    fn from(p: &LeasePolicy) -> Self {
        LeaseInput {
            lease_days: p.lease_days,
            max_lease_days: p.max_lease_days,
            extend_days: p.extend_days,
            expiry_action: p.expiry_action.to_string(),
            grace_days: p.grace_days,
            idle_stop_minutes: p.idle_stop_minutes,
        }
    }
}

/// Ten years: longer is "does not expire".
pub const MAX_DAYS: i64 = 3650;

impl LeasePolicy {
    /// Checks the settings, adding what is wrong to `invalid`.
    pub fn parse(input: &LeaseInput, invalid: &mut Invalid) -> LeasePolicy {
        let days = |invalid: &mut Invalid, field: &str, v: Option<i64>, min: i64, max: i64| {
            if v.is_some_and(|d| !(min..=max).contains(&d)) {
                invalid.push(field, msg("err-between").arg("min", min).arg("max", max));
            }
        };
        days(invalid, "lease_days", input.lease_days, 1, MAX_DAYS);
        days(invalid, "max_lease_days", input.max_lease_days, 1, MAX_DAYS);
        days(invalid, "extend_days", Some(input.extend_days), 0, MAX_DAYS);
        days(invalid, "grace_days", input.grace_days, 0, 365);
        days(
            invalid,
            "idle_stop_minutes",
            input.idle_stop_minutes,
            1,
            7 * 24 * 60,
        );
        if let (Some(l), Some(m)) = (input.lease_days, input.max_lease_days)
            && m < l
        {
            invalid.push("max_lease_days", msg("err-max-lease-short"));
        }
        if input.max_lease_days.is_some() && input.lease_days.is_none() {
            invalid.push("max_lease_days", msg("err-max-lease-alone"));
        }
        let action = input.expiry_action.parse::<ExpiryAction>();
        match &action {
            Err(m) => invalid.push("expiry_action", m.clone()),
            Ok(ExpiryAction::Delete) if input.grace_days.unwrap_or(0) < 1 => {
                invalid.push("grace_days", msg("err-grace-needed"))
            }
            Ok(_) => {}
        }
        LeasePolicy {
            lease_days: input.lease_days,
            max_lease_days: input.max_lease_days,
            extend_days: input.extend_days,
            expiry_action: action.unwrap_or_default(),
            grace_days: input.grace_days,
            idle_stop_minutes: input.idle_stop_minutes,
        }
    }

    /// The end of a new machine's lease: `lease_days` from `start`, capped by `term_end`; a course
    /// machine of a template without a lease still ends with its term.
    pub fn first_end(&self, start: Timestamp, term_end: Option<Timestamp>) -> Option<Timestamp> {
        match self.lease_days {
            Some(days) => Some(cap_to_term_end(start + Duration::days(days), term_end)),
            None => term_end,
        }
    }

    /// The latest end owners reach by extending on their own.
    fn owner_limit(&self, created: Timestamp) -> Option<Timestamp> {
        self.max_lease_days.map(|d| created + Duration::days(d))
    }
}

/// Where a course's term end caps a lease: a machine made for a course ends with its term.
pub fn cap_to_term_end(end: Timestamp, term_end: Option<Timestamp>) -> Timestamp {
    term_end.map_or(end, |t| end.min(t))
}

/// When an expired machine is deleted: `grace_days` after its lease ends.
pub fn delete_after(expires_at: Option<Timestamp>, grace_days: Option<i64>) -> Option<Timestamp> {
    Some(expires_at? + Duration::days(grace_days?))
}

/// What asking for `days` more gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extension {
    /// Within the template's policy: the new end.
    Granted(Timestamp),
    /// Beyond it: an administrator decides on this end.
    NeedsApproval(Timestamp),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionRefused {
    #[error("this machine does not expire")]
    NoLease,
    #[error("days must be between 1 and {MAX_DAYS}")]
    Days,
}

/// Decides an owner's extension by `days`, counted from the current end (or from now, for a lease
/// already over).
pub fn extend(
    policy: &LeasePolicy,
    created: Timestamp,
    expires_at: Option<Timestamp>,
    now: Timestamp,
    days: i64,
) -> Result<Extension, ExtensionRefused> {
    let current = expires_at.ok_or(ExtensionRefused::NoLease)?;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ExtensionRefused::Days);
    }
    let end = current.max(now) + Duration::days(days);
    let within = days <= policy.extend_days && policy.owner_limit(created).is_none_or(|l| end <= l);
    Ok(if within {
        Extension::Granted(end)
    } else {
        Extension::NeedsApproval(end)
    })
}

/// The warning points before a lease ends, in days, largest first.
pub fn default_warning_days() -> Vec<i64> {
    vec![7, 1]
}

/// What a notice tells the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// The lease ends soon.
    Warning,
    /// The lease ended: the machine is being stopped.
    Expired,
    /// The grace period is over: the machine is being deleted.
    Deleting,
    /// The machine sat idle and was shut down.
    IdleStop,
}

str_enum!(NoticeKind {
    Warning => "warning" as msg("notice-warning"),
    Expired => "expired" as msg("notice-expired"),
    Deleting => "deleting" as msg("notice-deleting"),
    IdleStop => "idle_stop" as msg("notice-idle-stop"),
});

/// The notice due for a lease ending at `expires_at`, seen at `now`: the nearest warning point
/// passed (a portal that was down does not send a stale 7-day warning a day before the end), or
/// the expiry itself. `point` names it, so each is recorded once per lease end.
pub fn due_notice(
    expires_at: Timestamp,
    now: Timestamp,
    warning_days: &[i64],
) -> Option<(NoticeKind, String)> {
    if now >= expires_at {
        return Some((NoticeKind::Expired, "expiry".into()));
    }
    warning_days
        .iter()
        .filter(|d| now >= expires_at - Duration::days(**d))
        .min()
        .map(|d| (NoticeKind::Warning, format!("{d}d")))
}

/// A notice to the owner of a machine: shown on the machine page and dashboard, and mailed to them
/// through the outbox (written with the notice).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    pub id: i64,
    pub machine_id: MachineId,
    #[serde(skip)]
    pub owner_id: UserId,
    pub kind: NoticeKind,
    /// Which point of the lease it is about: `7d`, `1d`, `expiry`, `grace`, `idle`.
    pub point: String,
    /// The lease end it is about.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expires_at: Option<Timestamp>,
    /// What happens (or happened) then.
    pub action: ExpiryAction,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// A notice to record; recording the same (machine, lease end, point) twice keeps one.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub machine_id: MachineId,
    pub kind: NoticeKind,
    pub point: String,
    pub expires_at: Option<Timestamp>,
    pub action: ExpiryAction,
    pub at: Timestamp,
}

/// An owner's request for a longer lease than the template allows on its own.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtensionRequest {
    pub id: ExtensionId,
    pub machine_id: MachineId,
    pub machine_name: String,
    pub user_id: UserId,
    pub username: Username,
    pub days: i64,
    /// The lease end asked for.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
    /// Why the owner needs it.
    pub reason: String,
    pub state: RequestState,
    /// The approver's reason, for a rejection.
    pub decision_reason: Option<String>,
    pub decided_by: Option<Username>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(days: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + Duration::days(1000 + days)
    }

    fn policy() -> LeasePolicy {
        LeasePolicy {
            lease_days: Some(30),
            max_lease_days: Some(60),
            extend_days: 14,
            ..Default::default()
        }
    }

    #[test]
    fn the_first_lease_is_capped_by_the_term_end() {
        assert_eq!(policy().first_end(t(0), None), Some(t(30)));
        assert_eq!(policy().first_end(t(0), Some(t(10))), Some(t(10)));
        assert_eq!(LeasePolicy::default().first_end(t(0), None), None);
        assert_eq!(
            LeasePolicy::default().first_end(t(0), Some(t(10))),
            Some(t(10))
        );
    }

    #[test]
    fn extensions_within_policy_are_granted_others_asked_for() {
        let p = policy();
        assert_eq!(
            extend(&p, t(0), Some(t(30)), t(25), 14),
            Ok(Extension::Granted(t(44)))
        );
        assert_eq!(
            extend(&p, t(0), Some(t(30)), t(25), 15),
            Ok(Extension::NeedsApproval(t(45)))
        );
        assert_eq!(
            extend(&p, t(0), Some(t(50)), t(49), 14),
            Ok(Extension::NeedsApproval(t(64)))
        );
        assert_eq!(
            extend(&p, t(0), Some(t(30)), t(40), 5),
            Ok(Extension::Granted(t(45)))
        );
        assert_eq!(
            extend(&p, t(0), None, t(1), 5),
            Err(ExtensionRefused::NoLease)
        );
    }

    #[test]
    fn the_nearest_warning_point_passed_is_due() {
        let w = default_warning_days();
        assert_eq!(due_notice(t(10), t(2), &w), None);
        assert_eq!(due_notice(t(10), t(3), &w).unwrap().1, "7d");
        assert_eq!(due_notice(t(10), t(9), &w).unwrap().1, "1d");
        assert_eq!(due_notice(t(10), t(10), &w).unwrap().0, NoticeKind::Expired);
    }

    #[test]
    fn delete_needs_a_grace_period() {
        let mut invalid = Invalid::default();
        let input = LeaseInput {
            lease_days: Some(10),
            expiry_action: "delete".into(),
            ..Default::default()
        };
        LeasePolicy::parse(&input, &mut invalid);
        assert_eq!(invalid.0[0].field, "grace_days");
    }
}
