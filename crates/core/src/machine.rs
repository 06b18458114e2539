//! Machines, born from approved requests.

use crate::{
    Timestamp,
    ids::{MachineId, RequestId, TemplateId, UserId},
    job::JobSummary,
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
    Provisioning => "provisioning",
    Running => "running",
    Stopped => "stopped",
    Failed => "failed",
    Deleting => "deleting",
    Deleted => "deleted",
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
    pub login_name: Option<String>,
    pub last_error: Option<String>,
    /// The newest job on this machine, with its progress.
    pub current_job: Option<JobSummary>,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}
