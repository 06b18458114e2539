//! Machines, born from approved requests.

use crate::{
    Msg, Timestamp,
    ids::{CourseId, DeploymentId, MachineId, RequestId, TemplateId, UserId},
    job::{JobKind, JobSummary},
    lease::ExpiryAction,
    msg,
    names::{Hostname, Username},
    resources::Resources,
    user::str_enum,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MachineState {
    Provisioning,
    Running,
    Stopped,
    Failed,
    Deleting,
    Deleted,
}

str_enum!(MachineState {
    Provisioning => "provisioning" as msg("machine-state-provisioning"),
    Running => "running" as msg("machine-state-running"),
    Stopped => "stopped" as msg("machine-state-stopped"),
    Failed => "failed" as msg("machine-state-failed"),
    Deleting => "deleting" as msg("machine-state-deleting"),
    Deleted => "deleted" as msg("machine-state-deleted"),
});

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Machine {
    pub id: MachineId,
    pub request_id: RequestId,
    pub owner_id: UserId,
    pub owner: Username,
    pub template_id: TemplateId,
    pub provider: String,
    pub name: Hostname,
    #[serde(flatten)]
    pub resources: Resources,
    pub state: MachineState,
    pub node: Option<String>,
    /// PVE vmid or libvirt domain UUID, once the hypervisor has it.
    pub external_id: Option<String>,
    pub address: Option<String>,
    /// Where to connect for SSH or RDP (may differ from `address` behind a port forward).
    pub host: Option<String>,
    pub port: Option<i64>,
    pub login_name: Option<String>,
    pub last_error: Option<String>,
    /// Names `last_error` in what a user reports; administrators see it beside the detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// The newest job on this machine, with its progress.
    pub current_job: Option<JobSummary>,
    /// The course the machine was made for, if any.
    pub course_id: Option<CourseId>,
    pub deployment_id: Option<DeploymentId>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// When the lease ends; none: the machine does not expire.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expires_at: Option<Timestamp>,
    /// What happens when the lease ends (from the template when the machine was approved).
    pub expiry_action: Option<ExpiryAction>,
    /// When an expired machine is deleted; none: it is kept stopped.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub delete_after: Option<Timestamp>,
}

impl Machine {
    /// Whether its lease is over at `now`.
    pub fn expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|e| e <= now)
    }
}

/// A change to a machine made by the engine; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct MachinePatch {
    pub state: Option<MachineState>,
    pub node: Option<String>,
    pub external_id: Option<String>,
    pub address: Option<String>,
    pub host: Option<String>,
    pub port: Option<i64>,
    pub login_name: Option<String>,
    pub secret: Option<Vec<u8>>,
    /// `Some(None)` clears it.
    pub last_error: Option<Option<String>>,
}

impl MachineState {
    /// Whether an owner's action makes sense now; the message says why not.
    pub fn accepts(self, kind: JobKind) -> Result<(), Msg> {
        use MachineState::*;
        let ok = match kind {
            JobKind::Start => matches!(self, Stopped),
            JobKind::Shutdown | JobKind::Stop | JobKind::Reboot => matches!(self, Running),
            JobKind::Delete => !matches!(self, Deleting | Deleted),
            JobKind::Snapshot | JobKind::RevertSnapshot | JobKind::DeleteSnapshot => {
                matches!(self, Running | Stopped)
            }
            JobKind::Provision | JobKind::Reconcile => false,
        };
        if ok {
            Ok(())
        } else {
            Err(msg("err-machine-cannot")
                .arg("state", self.label())
                .arg("action", kind.label()))
        }
    }

    /// The state a successful job leaves the machine in.
    pub fn after(kind: JobKind) -> Option<MachineState> {
        match kind {
            JobKind::Provision | JobKind::Start | JobKind::Reboot => Some(MachineState::Running),
            JobKind::Shutdown | JobKind::Stop => Some(MachineState::Stopped),
            JobKind::Delete => Some(MachineState::Deleted),
            // A revert's outcome depends on the snapshot: the engine asks the hypervisor.
            JobKind::Reconcile
            | JobKind::Snapshot
            | JobKind::RevertSnapshot
            | JobKind::DeleteSnapshot => None,
        }
    }
}

/// A difference between the portal's records and a hypervisor, found by reconciliation.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Drift {
    pub provider: String,
    /// `missing`: the portal's machine is gone from the hypervisor; `unknown`: a guest the
    /// portal does not know.
    pub kind: String,
    pub machine_id: Option<MachineId>,
    pub external_id: Option<String>,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub detected_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_follow_the_state() {
        assert!(MachineState::Stopped.accepts(JobKind::Start).is_ok());
        assert!(MachineState::Running.accepts(JobKind::Start).is_err());
        assert!(MachineState::Running.accepts(JobKind::Shutdown).is_ok());
        assert!(MachineState::Provisioning.accepts(JobKind::Delete).is_ok());
        assert!(MachineState::Deleting.accepts(JobKind::Delete).is_err());
        assert_eq!(
            MachineState::Failed.accepts(JobKind::Reboot).unwrap_err(),
            msg("err-machine-cannot")
                .arg("state", msg("machine-state-failed"))
                .arg("action", msg("job-reboot"))
        );
    }
}
