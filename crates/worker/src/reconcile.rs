//! Reconciliation: the portal's records against what each hypervisor really has. Power changes
//! made outside the portal (a guest shut down from inside) update the machine; machines gone
//! behind the portal's back and guests it does not know are reported as drift for the admin.

use crate::{Engine, db};
use std::collections::HashMap;
use tokio::sync::watch;
use vmportal_core::{
    hypervisor::{Guest, HypervisorError, PowerState},
    job::JobState,
    machine::{Drift, MachinePatch, MachineState},
    now,
};

impl Engine {
    pub(crate) async fn reconcile_forever(&self, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            if let Err(e) = self.reconcile_all().await {
                tracing::warn!(error = %e, "reconciliation");
            }
            let _ = tokio::time::timeout(
                std::time::Duration::from_secs(self.cfg.reconcile_secs.max(1)),
                stop.changed(),
            )
            .await;
        }
    }

    /// One pass over every provider. A provider that does not answer is skipped (its machines
    /// keep their states) rather than reported as having lost everything.
    pub async fn reconcile_all(&self) -> Result<(), HypervisorError> {
        for (name, hv) in self.providers.iter() {
            match hv.guests(&self.cfg.guest_prefix).await {
                Ok(guests) => self.reconcile(name, guests).await?,
                Err(e) => {
                    tracing::warn!(provider = %name, error = %e, "provider unreachable; not reconciled")
                }
            }
        }
        Ok(())
    }

    async fn reconcile(&self, provider: &str, guests: Vec<Guest>) -> Result<(), HypervisorError> {
        let machines = self.store.machines_on(provider).await.map_err(db)?;
        let mut by_id: HashMap<&str, &Guest> =
            guests.iter().map(|g| (g.external_id.as_str(), g)).collect();
        let mut drift = Vec::new();
        for m in &machines {
            let Some(ext) = m.external_id.as_deref() else {
                continue;
            };
            let guest = by_id.remove(ext);
            // A machine with an action under way is the worker's business, not ours.
            let busy = m
                .current_job
                .as_ref()
                .is_some_and(|j| matches!(j.state, JobState::Queued | JobState::Running));
            if busy
                || matches!(
                    m.state,
                    MachineState::Deleted | MachineState::Deleting | MachineState::Provisioning
                )
            {
                continue;
            }
            let patch = match guest.map(|g| g.power) {
                None => {
                    drift.push(Drift {
                        provider: provider.to_owned(),
                        kind: "missing".into(),
                        machine_id: Some(m.id),
                        external_id: Some(ext.to_owned()),
                        name: m.name.to_string(),
                        detected_at: now(),
                    });
                    (m.state != MachineState::Failed).then(|| MachinePatch {
                        state: Some(MachineState::Failed),
                        last_error: Some(Some(
                            "the machine was removed from the hypervisor outside the portal".into(),
                        )),
                        ..Default::default()
                    })
                }
                Some(PowerState::Running) if m.state == MachineState::Stopped => {
                    Some(MachinePatch {
                        state: Some(MachineState::Running),
                        ..Default::default()
                    })
                }
                Some(PowerState::Stopped) if m.state == MachineState::Running => {
                    Some(MachinePatch {
                        state: Some(MachineState::Stopped),
                        ..Default::default()
                    })
                }
                _ => None,
            };
            if let Some(patch) = patch {
                self.store.update_machine(m.id, patch).await.map_err(db)?;
            }
        }
        // Guests left over belong to no machine the portal knows (or to one it deleted).
        let known: HashMap<_, _> = machines
            .iter()
            .filter_map(|m| m.external_id.as_deref().map(|e| (e, m)))
            .collect();
        for g in by_id.into_values() {
            if known.get(g.external_id.as_str()).is_some_and(|m| {
                matches!(m.state, MachineState::Deleting | MachineState::Provisioning)
            }) {
                continue;
            }
            drift.push(Drift {
                provider: provider.to_owned(),
                kind: "unknown".into(),
                machine_id: g.machine,
                external_id: Some(g.external_id.clone()),
                name: g.name.clone(),
                detected_at: now(),
            });
        }
        self.store.replace_drift(provider, drift).await.map_err(db)
    }
}
