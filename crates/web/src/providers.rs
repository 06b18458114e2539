//! Whether each configured hypervisor answers, as its provider checks it.

use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;
use vmportal_core::hypervisor::{HostStatus, Registry};

#[derive(Serialize, ToSchema)]
pub struct ProviderStatus {
    pub name: String,
    pub reachable: bool,
    /// What the provider reported, or why it could not be reached.
    pub detail: String,
    /// Each host of a provider that places machines among several (libvirt with `hosts`);
    /// empty otherwise.
    pub hosts: Vec<HostStatus>,
}

const TIMEOUT: Duration = Duration::from_secs(5);

pub async fn statuses(providers: &Registry) -> Vec<ProviderStatus> {
    let mut out = Vec::new();
    for (name, hv) in providers.iter() {
        let (checked, hosts) = tokio::join!(tokio::time::timeout(TIMEOUT, hv.check()), async {
            tokio::time::timeout(TIMEOUT, hv.hosts())
                .await
                .unwrap_or_default()
        });
        let (reachable, detail) = match checked {
            Ok(Ok(detail)) => (true, detail),
            Ok(Err(e)) => (false, e.to_string()),
            Err(_) => (false, format!("no answer within {} s", TIMEOUT.as_secs())),
        };
        out.push(ProviderStatus {
            name: name.clone(),
            reachable,
            detail,
            hosts,
        });
    }
    out
}
