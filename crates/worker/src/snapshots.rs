//! Snapshot jobs: take, revert to, delete. The portal's record of a snapshot follows what the
//! hypervisor did, and a snapshot that could not be made leaves neither a record nor a remnant.

use crate::{Engine, db};
use vmportal_core::{
    hypervisor::{Hypervisor, HypervisorError, PowerState},
    job::{Job, JobKind},
    machine::{Machine, MachinePatch, MachineState},
    snapshot::SnapshotName,
    template::Template,
};

type Step<T> = Result<T, HypervisorError>;

impl Engine {
    pub(crate) async fn snapshot_job(
        &self,
        job: &Job,
        machine: &Machine,
        template: &Template,
        hv: &dyn Hypervisor,
    ) -> Step<String> {
        let (id, name) = snapshot_target(job, machine)?;
        match job.kind {
            JobKind::Snapshot => {
                self.note(job, 10, &format!("taking the snapshot '{name}'"))
                    .await;
                let description = self
                    .store
                    .snapshots(machine.id)
                    .await
                    .map_err(db)?
                    .into_iter()
                    .find(|s| s.name == *name)
                    .map(|s| s.description)
                    .unwrap_or_default();
                let with_memory = hv.take_snapshot(id, name.as_str(), &description).await?;
                self.store
                    .snapshot_ready(machine.id, name, Some(with_memory))
                    .await
                    .map_err(db)?;
                Ok(if with_memory {
                    format!("snapshot '{name}' taken, with the machine's memory")
                } else {
                    format!("snapshot '{name}' taken")
                })
            }
            JobKind::RevertSnapshot => {
                self.note(job, 10, &format!("reverting to the snapshot '{name}'"))
                    .await;
                hv.revert_snapshot(id, name.as_str()).await?;
                let power = hv.power(id).await?;
                let mut patch = MachinePatch {
                    state: Some(match power {
                        PowerState::Running => MachineState::Running,
                        _ => MachineState::Stopped,
                    }),
                    last_error: Some(None),
                    ..Default::default()
                };
                if power == PowerState::Running
                    && let Ok(access) = hv.access(id, template.os_family).await
                {
                    (patch.address, patch.host, patch.port) =
                        (access.address, access.host, Some(access.port.into()));
                }
                self.store
                    .update_machine(machine.id, patch)
                    .await
                    .map_err(db)?;
                Ok(format!("reverted to the snapshot '{name}'"))
            }
            JobKind::DeleteSnapshot => {
                self.note(job, 10, &format!("deleting the snapshot '{name}'"))
                    .await;
                hv.delete_snapshot(id, name.as_str()).await?;
                self.store
                    .forget_snapshot(machine.id, name)
                    .await
                    .map_err(db)?;
                Ok(format!("snapshot '{name}' deleted"))
            }
            kind => Err(HypervisorError::Permanent(format!(
                "{kind} is not a snapshot job"
            ))),
        }
    }

    /// A snapshot job given up. A snapshot that was being made is removed from the hypervisor
    /// (whatever an attempt left there) and from the record; one that was being deleted is
    /// ready again.
    pub(crate) async fn after_snapshot_failure(
        &self,
        job: &Job,
        machine: &Machine,
        hv: &dyn Hypervisor,
    ) {
        let Ok((id, name)) = snapshot_target(job, machine) else {
            return;
        };
        let settled = match job.kind {
            JobKind::Snapshot => match hv.delete_snapshot(id, name.as_str()).await {
                Ok(()) | Err(HypervisorError::Gone) => {
                    self.store.forget_snapshot(machine.id, name).await
                }
                Err(e) => {
                    // Kept as `creating`: it cannot be used, and a deletion by an admin on the
                    // hypervisor remains possible; the log says what is left.
                    tracing::error!(machine = %machine.id, snapshot = %name, error = %e,
                        "a failed snapshot could not be removed from the hypervisor");
                    return;
                }
            },
            JobKind::DeleteSnapshot => self.store.snapshot_ready(machine.id, name, None).await,
            _ => return,
        };
        if let Err(e) = settled {
            tracing::error!(machine = %machine.id, snapshot = %name, error = %e,
                "cannot record what a failed snapshot job left");
        }
    }

    async fn note(&self, job: &Job, percent: i64, message: &str) {
        if let Err(e) = self.store.job_progress(job.id, percent, message).await {
            tracing::warn!(job = %job.id, error = %e, "cannot record progress");
        }
    }
}

fn snapshot_target<'a>(job: &'a Job, machine: &'a Machine) -> Step<(&'a str, &'a SnapshotName)> {
    let id = machine
        .external_id
        .as_deref()
        .ok_or_else(|| HypervisorError::Permanent("the machine was never built".into()))?;
    let name = job
        .snapshot
        .as_ref()
        .ok_or_else(|| HypervisorError::Permanent("the job names no snapshot".into()))?;
    Ok((id, name))
}
