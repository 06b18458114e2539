//! Named snapshots of a machine, taken and reverted to by its owner.

use crate::{Invalid, Msg, Timestamp, ids::MachineId, msg, names, user::str_enum};
use serde::{Deserialize, Serialize};

/// A snapshot's name: a letter, then letters, digits or underscores, 2 to 40 in all. Both
/// hypervisors take it as it is (Proxmox VE's `pve-configid` format is the narrower of the two).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct SnapshotName(String);

/// Names Proxmox VE keeps for itself (`current` is the live state, `pending` the pending
/// changes; PVE::API2::Qemu `snapshot`).
const RESERVED: [&str; 2] = ["current", "pending"];

impl SnapshotName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        let bad = |why: Msg| Err(Invalid::field("name", why));
        let mut chars = s.chars();
        if !chars.next().is_some_and(|c| c.is_ascii_lowercase()) {
            return bad(msg("err-snapshot-start"));
        }
        if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return bad(msg("err-snapshot-chars"));
        }
        if !(2..=40).contains(&s.len()) {
            return bad(msg("err-snapshot-length"));
        }
        if RESERVED.contains(&s) {
            return bad(msg("err-snapshot-reserved"));
        }
        Ok(SnapshotName(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SnapshotName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SnapshotState {
    /// Its job has not finished yet.
    Creating,
    Ready,
    /// Queued for deletion.
    Deleting,
}

str_enum!(SnapshotState {
    Creating => "creating" as msg("snap-state-creating"),
    Ready => "ready" as msg("snap-state-ready"),
    Deleting => "deleting" as msg("snap-state-deleting"),
});

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snapshot {
    pub machine_id: MachineId,
    pub name: SnapshotName,
    pub description: String,
    pub state: SnapshotState,
    /// Whether it holds the running machine's memory: a revert then resumes it running.
    pub with_memory: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// A snapshot asked for, parsed.
#[derive(Debug, Clone)]
pub struct NewSnapshot {
    pub name: SnapshotName,
    pub description: String,
}

impl NewSnapshot {
    pub fn parse(name: &str, description: &str) -> Result<Self, Invalid> {
        let mut invalid = Invalid::default();
        let name = invalid.check(SnapshotName::parse(name));
        let description = invalid.check(names::text("description", description, false, 500));
        invalid.or(|| NewSnapshot {
            name: name.expect("checked"),
            description: description.unwrap_or_default(),
        })
    }
}

/// A snapshot as the hypervisor lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HvSnapshot {
    pub name: String,
    pub description: String,
    pub with_memory: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_narrowest_hypervisor() {
        assert!(SnapshotName::parse("before_lab3").is_ok());
        for bad in [
            "",
            "a",
            "3rd",
            "Big",
            "with-dash",
            "current",
            &"a".repeat(41),
        ] {
            assert!(SnapshotName::parse(bad).is_err(), "{bad}");
        }
    }
}
