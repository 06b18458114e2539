//! Machine sizes: CPUs, memory and disk, with the bounds a template sets.

use crate::{Invalid, msg};
use serde::{Deserialize, Serialize};

/// What a machine asks for, or what a quota allows, or what a user uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resources {
    pub cpus: i64,
    pub memory_mib: i64,
    pub disk_gib: i64,
}

/// Absolute bounds, whatever the template: they keep numbers sane before any template is looked at.
pub const MAX_CPUS: i64 = 256;
pub const MIN_MEMORY_MIB: i64 = 128;
pub const MAX_MEMORY_MIB: i64 = 4 * 1024 * 1024;
pub const MAX_DISK_GIB: i64 = 64 * 1024;

fn bounded(field: &str, value: i64, min: i64, max: i64) -> Result<i64, Invalid> {
    if value < min || value > max {
        Err(Invalid::field(
            field,
            msg("err-between").arg("min", min).arg("max", max),
        ))
    } else {
        Ok(value)
    }
}

impl Resources {
    /// Checks each value against the absolute bounds.
    pub fn parse(cpus: i64, memory_mib: i64, disk_gib: i64) -> Result<Self, Invalid> {
        Self::parse_within(
            cpus,
            memory_mib,
            disk_gib,
            &Resources {
                cpus: MAX_CPUS,
                memory_mib: MAX_MEMORY_MIB,
                disk_gib: MAX_DISK_GIB,
            },
        )
    }

    /// Checks each value against `max` (a template's limits), naming the field that is out of range.
    pub fn parse_within(
        cpus: i64,
        memory_mib: i64,
        disk_gib: i64,
        max: &Resources,
    ) -> Result<Self, Invalid> {
        let mut invalid = Invalid::default();
        let cpus = invalid.check(bounded("cpus", cpus, 1, max.cpus));
        let memory_mib = invalid.check(bounded(
            "memory_mib",
            memory_mib,
            MIN_MEMORY_MIB.min(max.memory_mib),
            max.memory_mib,
        ));
        let disk_gib = invalid.check(bounded("disk_gib", disk_gib, 1, max.disk_gib));
        invalid.or(|| Resources {
            cpus: cpus.unwrap_or_default(),
            memory_mib: memory_mib.unwrap_or_default(),
            disk_gib: disk_gib.unwrap_or_default(),
        })
    }

    pub fn fits_within(&self, max: &Resources) -> bool {
        self.cpus <= max.cpus && self.memory_mib <= max.memory_mib && self.disk_gib <= max.disk_gib
    }
}

impl std::ops::Add for Resources {
    type Output = Resources;
    fn add(self, o: Resources) -> Resources {
        Resources {
            cpus: self.cpus + o.cpus,
            memory_mib: self.memory_mib + o.memory_mib,
            disk_gib: self.disk_gib + o.disk_gib,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_template_limits() {
        let max = Resources {
            cpus: 4,
            memory_mib: 4096,
            disk_gib: 40,
        };
        assert!(Resources::parse_within(2, 2048, 20, &max).is_ok());
        let err = Resources::parse_within(8, 8192, 0, &max).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["cpus", "memory_mib", "disk_gib"]);
        assert_eq!(
            err.message_for("cpus"),
            Some(&msg("err-between").arg("min", 1).arg("max", 4))
        );
    }
}
