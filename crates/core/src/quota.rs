//! Per-user quotas. Pending requests count against the quota as well as live machines, so a user
//! cannot queue more than they may ever be given.

use crate::{Invalid, msg, resources::Resources};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quota {
    pub machines: i64,
    pub cpus: i64,
    pub memory_mib: i64,
    pub disk_gib: i64,
}

/// What a user holds now: pending requests plus machines that are not deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    pub machines: i64,
    pub cpus: i64,
    pub memory_mib: i64,
    pub disk_gib: i64,
}

/// Per-user exceptions to the role's default quota; `None` keeps the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuotaOverride {
    pub machines: Option<i64>,
    pub cpus: Option<i64>,
    pub memory_mib: Option<i64>,
    pub disk_gib: Option<i64>,
}

/// The largest quota value an administrator can set.
pub const MAX_QUOTA: i64 = 1_000_000_000;

impl QuotaOverride {
    pub fn apply(&self, base: Quota) -> Quota {
        Quota {
            machines: self.machines.unwrap_or(base.machines),
            cpus: self.cpus.unwrap_or(base.cpus),
            memory_mib: self.memory_mib.unwrap_or(base.memory_mib),
            disk_gib: self.disk_gib.unwrap_or(base.disk_gib),
        }
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        let mut invalid = Invalid::default();
        for (field, v) in [
            ("quota_machines", self.machines),
            ("quota_cpus", self.cpus),
            ("quota_memory_mib", self.memory_mib),
            ("quota_disk_gib", self.disk_gib),
        ] {
            if v.is_some_and(|v| v < 0) {
                invalid.push(field, msg("err-negative"));
            }
            // Far above any real quota, and small enough that sums of them cannot overflow.
            if v.is_some_and(|v| v > MAX_QUOTA) {
                invalid.push(field, msg("err-at-most").arg("max", MAX_QUOTA));
            }
        }
        invalid.or(|| ())
    }
}

impl Quota {
    /// What is left once `usage` is taken; never below zero.
    pub fn remaining(&self, usage: &Usage) -> Quota {
        Quota {
            machines: (self.machines - usage.machines).max(0),
            cpus: (self.cpus - usage.cpus).max(0),
            memory_mib: (self.memory_mib - usage.memory_mib).max(0),
            disk_gib: (self.disk_gib - usage.disk_gib).max(0),
        }
    }

    /// Refuses one more machine of size `ask` if it would go past the quota, naming each field.
    pub fn admit(&self, usage: &Usage, ask: &Resources) -> Result<(), Invalid> {
        let left = self.remaining(usage);
        let mut invalid = Invalid::default();
        if left.machines < 1 {
            invalid.push(
                "name",
                msg("err-quota-machines")
                    .arg("allowed", self.machines)
                    .arg("used", usage.machines),
            );
        }
        for (field, message, asked, left) in [
            ("cpus", msg("err-quota-cpus"), ask.cpus, left.cpus),
            (
                "memory_mib",
                msg("err-quota-memory"),
                ask.memory_mib,
                left.memory_mib,
            ),
            (
                "disk_gib",
                msg("err-quota-disk"),
                ask.disk_gib,
                left.disk_gib,
            ),
        ] {
            if asked > left {
                invalid.push(field, message.arg("left", left).arg("asked", asked));
            }
        }
        invalid.or(|| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: Quota = Quota {
        machines: 2,
        cpus: 4,
        memory_mib: 4096,
        disk_gib: 50,
    };

    #[test]
    fn admits_within_and_refuses_beyond() {
        let used = Usage {
            machines: 1,
            cpus: 2,
            memory_mib: 2048,
            disk_gib: 20,
        };
        let ask = Resources {
            cpus: 2,
            memory_mib: 2048,
            disk_gib: 30,
        };
        assert!(Q.admit(&used, &ask).is_ok());
        let err = Q.admit(&used, &Resources { cpus: 3, ..ask }).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].field, "cpus");
        let full = Usage {
            machines: 2,
            ..used
        };
        assert_eq!(Q.admit(&full, &ask).unwrap_err().0[0].field, "name");
    }

    #[test]
    fn overrides() {
        let o = QuotaOverride {
            cpus: Some(16),
            ..Default::default()
        };
        assert_eq!(o.apply(Q).cpus, 16);
        assert_eq!(o.apply(Q).machines, 2);
        assert!(
            QuotaOverride {
                disk_gib: Some(-1),
                ..o
            }
            .validate()
            .is_err()
        );
    }
}
