//! What each kind of job does, and what a failure leaves behind.

use crate::{Engine, db, progress::JobProgress};
use std::time::Duration;
use vmportal_core::{
    hypervisor::{Hypervisor, HypervisorError, ProvisionSpec, guest_name},
    job::{Job, JobCause, JobKind, JobOutcome},
    machine::{Machine, MachinePatch, MachineState},
    password::Password,
    template::{OsFamily, Template},
    windows,
};

type Step<T> = Result<T, HypervisorError>;

impl Engine {
    pub(crate) async fn execute(&self, job: &Job) -> JobOutcome {
        let result = match job.machine_id {
            Some(id) => match self.context(id).await {
                Ok((machine, _, _))
                    if let Some(why) = job
                        .cause
                        .filter(|c| *c == JobCause::Expiry)
                        .and_then(|_| self.expiry_not_due(&machine, job.kind)) =>
                {
                    Ok(why)
                }
                Ok((machine, template, hv)) => match job.kind {
                    JobKind::Provision => {
                        self.provision(job, &machine, &template, hv.as_ref()).await
                    }
                    JobKind::Delete => self.delete(&machine, hv.as_ref()).await,
                    JobKind::Snapshot | JobKind::RevertSnapshot | JobKind::DeleteSnapshot => {
                        let done = self
                            .snapshot_job(job, &machine, &template, hv.as_ref())
                            .await;
                        if matches!(&done, Err(e) if !self.will_retry(job, e)) {
                            self.after_snapshot_failure(job, &machine, hv.as_ref())
                                .await;
                        }
                        done
                    }
                    _ => self.act(job.kind, &machine, &template, hv.as_ref()).await,
                },
                Err(e) => Err(e),
            },
            None => self.reconcile_all().await.map(|()| "reconciled".to_owned()),
        };
        match result {
            Ok(message) => JobOutcome::Succeeded(message),
            Err(HypervisorError::Transient(error)) if job.attempts < self.cfg.max_attempts => {
                let run_after = self.clock.now() + self.cfg.backoff(job.attempts);
                JobOutcome::Retry { error, run_after }
            }
            Err(e) => {
                let error = e.to_string();
                if let Some(id) = job.machine_id {
                    self.after_failure(job.kind, id, &error).await;
                }
                JobOutcome::Failed(error)
            }
        }
    }

    /// Whether a failed attempt is tried again.
    fn will_retry(&self, job: &Job, e: &HypervisorError) -> bool {
        matches!(e, HypervisorError::Transient(_)) && job.attempts < self.cfg.max_attempts
    }

    async fn context(
        &self,
        id: vmportal_core::ids::MachineId,
    ) -> Step<(Machine, Template, std::sync::Arc<dyn Hypervisor>)> {
        let machine = self
            .store
            .machine(id)
            .await
            .map_err(db)?
            .ok_or_else(|| HypervisorError::Permanent("the machine record is gone".into()))?;
        let template = self
            .store
            .template(machine.template_id)
            .await
            .map_err(db)?
            .ok_or_else(|| HypervisorError::Permanent("the machine's template is gone".into()))?;
        let hv = self
            .providers
            .get(&machine.provider)
            .cloned()
            .ok_or_else(|| {
                HypervisorError::Permanent(format!(
                    "the provider '{}' is not configured",
                    machine.provider
                ))
            })?;
        Ok((machine, template, hv))
    }

    /// The guest password: made and sealed once, before the first attempt, so a retry builds the
    /// machine with the same credentials the owner may already have seen.
    async fn guest_password(&self, machine: &Machine) -> Step<String> {
        if let Some(sealed) = self.store.machine_secret(machine.id).await.map_err(db)? {
            return self
                .key
                .open(&sealed)
                .map_err(|e| HypervisorError::Permanent(e.to_string()));
        }
        let password = Password::generate().expose().to_owned();
        let patch = MachinePatch {
            secret: Some(self.key.seal(&password)),
            login_name: Some(machine.owner.to_string()),
            ..Default::default()
        };
        self.store
            .update_machine(machine.id, patch)
            .await
            .map_err(db)?;
        Ok(password)
    }

    async fn provision(
        &self,
        job: &Job,
        machine: &Machine,
        template: &Template,
        hv: &dyn Hypervisor,
    ) -> Step<String> {
        let password = self.guest_password(machine).await?;
        let spec = ProvisionSpec {
            machine: machine.id,
            guest_name: guest_name(&self.cfg.guest_prefix, machine.id, &machine.name),
            name: machine.name.clone(),
            kind: template.kind,
            os_family: template.os_family,
            source: template.source.clone(),
            resources: machine.resources,
            login_name: machine.owner.to_string(),
            password,
            ssh_public_key: self.owner_key(machine).await?,
            locale: self.guest_locale(machine, template).await?,
        };
        let (reporter, writer) = JobProgress::start(self.store.clone(), job.id);
        let built = hv.provision(&spec, &reporter).await;
        drop(reporter);
        let _ = writer.await;
        let built = built?;
        let patch = MachinePatch {
            state: Some(MachineState::Running),
            external_id: Some(built.external_id),
            node: built.node,
            address: built.access.address.clone(),
            host: built.access.host.clone(),
            port: Some(built.access.port.into()),
            login_name: built.login_name,
            last_error: Some(None),
            ..Default::default()
        };
        self.save(machine, patch).await?;
        Ok(match (built.access.host, built.access.address) {
            (Some(host), _) => format!("running; connect to {host}:{}", built.access.port),
            (None, Some(addr)) => format!("running at {addr}"),
            (None, None) => "running; its address is not known yet".to_owned(),
        })
    }

    /// A Windows template that fixes no locale takes its owner's language (issue 14).
    async fn guest_locale(&self, machine: &Machine, template: &Template) -> Step<Option<String>> {
        let owner = if template.locale.is_none() && template.os_family == OsFamily::Windows {
            let prefs = self.store.preferences(machine.owner_id).await.map_err(db)?;
            prefs.language
        } else {
            None
        };
        Ok(windows::guest_locale(
            template.os_family,
            template.locale.as_deref(),
            owner,
        ))
    }

    async fn owner_key(&self, machine: &Machine) -> Step<Option<String>> {
        let owner = self.store.user(machine.owner_id).await.map_err(db)?;
        Ok(owner.and_then(|u| u.ssh_public_key))
    }

    async fn act(
        &self,
        kind: JobKind,
        machine: &Machine,
        template: &Template,
        hv: &dyn Hypervisor,
    ) -> Step<String> {
        let id = machine
            .external_id
            .as_deref()
            .ok_or_else(|| HypervisorError::Permanent("the machine was never built".into()))?;
        match kind {
            JobKind::Start => hv.start(id).await?,
            JobKind::Shutdown => {
                hv.shutdown(
                    id,
                    Duration::from_secs(template.shutdown_timeout_secs as u64),
                )
                .await?
            }
            JobKind::Stop => hv.stop(id).await?,
            JobKind::Reboot => hv.reboot(id).await?,
            _ => {
                return Err(HypervisorError::Permanent(format!(
                    "{kind} is not a machine action"
                )));
            }
        }
        let mut patch = MachinePatch {
            state: MachineState::after(kind),
            last_error: Some(None),
            ..Default::default()
        };
        if patch.state == Some(MachineState::Running)
            && let Ok(access) = hv.access(id, template.os_family).await
        {
            (patch.address, patch.host, patch.port) =
                (access.address, access.host, Some(access.port.into()));
        }
        self.save(machine, patch).await?;
        Ok(format!("{kind} done"))
    }

    async fn delete(&self, machine: &Machine, hv: &dyn Hypervisor) -> Step<String> {
        hv.delete(
            machine.external_id.as_deref(),
            &guest_name(&self.cfg.guest_prefix, machine.id, &machine.name),
        )
        .await?;
        self.save(
            machine,
            MachinePatch {
                state: Some(MachineState::Deleted),
                last_error: Some(None),
                ..Default::default()
            },
        )
        .await?;
        Ok("deleted, with its storage".to_owned())
    }

    async fn save(&self, machine: &Machine, patch: MachinePatch) -> Step<()> {
        self.store
            .update_machine(machine.id, patch)
            .await
            .map_err(db)
    }

    /// A job given up: the machine shows why. A failed build or delete leaves it `failed` (it can
    /// be deleted again); a failed action leaves the state reconciliation will correct.
    async fn after_failure(&self, kind: JobKind, id: vmportal_core::ids::MachineId, error: &str) {
        let state =
            matches!(kind, JobKind::Provision | JobKind::Delete).then_some(MachineState::Failed);
        let patch = MachinePatch {
            state,
            last_error: Some(Some(format!("{kind} failed: {error}"))),
            ..Default::default()
        };
        if let Err(e) = self.store.update_machine(id, patch).await {
            tracing::error!(machine = %id, error = %e, "cannot record a failed job on its machine");
        }
    }
}
