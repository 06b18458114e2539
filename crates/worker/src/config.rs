use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    /// Jobs run at once (each on its own machine).
    pub workers: usize,
    /// How long a claimed job stays with its worker without a heartbeat.
    pub lease_secs: u64,
    /// How often an idle worker looks for work.
    pub poll_millis: u64,
    /// Attempts before a job that keeps failing transiently is given up.
    pub max_attempts: i64,
    /// First retry delay; doubled on each attempt, at most five minutes.
    pub retry_secs: u64,
    /// How often each hypervisor is compared with the portal's records.
    pub reconcile_secs: u64,
    /// Starts the names of this portal's guests (`{prefix}-{id}-{name}`); portals sharing a
    /// hypervisor need different prefixes.
    pub guest_prefix: String,
    /// How often leases are checked: notices due, machines to stop or delete.
    pub lease_sweep_secs: u64,
    /// Days before a lease ends when its owner is warned (and again at the end itself).
    pub warning_days: Vec<i64>,
    /// How often the CPU time of machines with an idle shutdown is read.
    pub idle_sweep_secs: u64,
    /// Below this share of one CPU over a template's `idle_stop_minutes`, with no console open,
    /// a machine is idle.
    pub idle_cpu_percent: f64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            workers: 4,
            lease_secs: 30,
            poll_millis: 500,
            max_attempts: 5,
            retry_secs: 5,
            reconcile_secs: 60,
            guest_prefix: "vmp".into(),
            lease_sweep_secs: 300,
            warning_days: vmportal_core::lease::default_warning_days(),
            idle_sweep_secs: 60,
            idle_cpu_percent: 5.0,
        }
    }
}

impl EngineConfig {
    /// The prefix starts every guest name, which hypervisors take as a DNS name (Proxmox VE's
    /// `dns-name` format for a VM's name and a container's hostname): one label of lowercase
    /// letters, digits and hyphens, starting with a letter, at most 20 characters.
    pub fn validate(&self) -> Result<(), String> {
        let p = self.guest_prefix.as_str();
        let fits = (1..=20).contains(&p.len())
            && p.starts_with(|c: char| c.is_ascii_lowercase())
            && !p.ends_with('-')
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        match fits {
            true => Ok(()),
            false => Err(format!(
                "engine.guest_prefix '{p}' must be 1 to 20 lowercase letters, digits and hyphens, \
                 starting with a letter and not ending with a hyphen (it starts every guest's \
                 name, which must be a DNS name)"
            )),
        }
    }

    pub fn lease(&self) -> time::Duration {
        time::Duration::seconds(self.lease_secs.max(3) as i64)
    }

    /// Leases are renewed three times per lease period, so one late renewal loses nothing.
    pub fn heartbeat(&self) -> Duration {
        Duration::from_secs(self.lease_secs.max(3) / 3)
    }

    pub fn poll(&self) -> Duration {
        Duration::from_millis(self.poll_millis.max(50))
    }

    /// The wait before attempt `attempts + 1`.
    pub fn backoff(&self, attempts: i64) -> time::Duration {
        let secs = self
            .retry_secs
            .saturating_mul(1 << attempts.clamp(0, 16))
            .min(300);
        time::Duration::seconds(secs as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let c = EngineConfig::default();
        assert_eq!(c.backoff(0).whole_seconds(), 5);
        assert_eq!(c.backoff(2).whole_seconds(), 20);
        assert_eq!(c.backoff(10).whole_seconds(), 300);
    }
}
