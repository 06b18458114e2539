//! What people see of hypervisor failures. The detail (node names, `user@host:port`, known_hosts
//! paths, Proxmox VE privilege paths, task logs) helps administrators and tells others how the
//! school's hosts are built, so ordinary users get a plain reason and an error id; administrators
//! see the same id beside the detail, and can find it from what a user reports.

use crate::caller::Caller;
use sha2::{Digest, Sha256};
use vmportal_core::{
    job::{Job, JobEvent},
    machine::Machine,
};

/// A short, stable name for an error's detail: the same detail always has the same id.
pub fn error_id(detail: &str) -> String {
    let digest = Sha256::digest(detail.as_bytes());
    let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("E-{hex}")
}

fn plain(id: &str) -> String {
    format!("the hypervisor could not do it; an administrator can look it up as error {id}")
}

/// The machine as `viewer` may see it.
pub fn machine(viewer: &Caller, mut m: Machine) -> Machine {
    if let Some(detail) = &m.last_error {
        let id = error_id(detail);
        if !viewer.is_admin() {
            m.last_error = Some(plain(&id));
        }
        m.error_id = Some(id);
    }
    if let Some(job) = &mut m.current_job {
        job.message = message(viewer, &job.message);
    }
    m
}

pub fn machines(viewer: &Caller, ms: Vec<Machine>) -> Vec<Machine> {
    ms.into_iter().map(|m| machine(viewer, m)).collect()
}

pub fn job(viewer: &Caller, mut j: Job) -> Job {
    if !viewer.is_admin() {
        j.error = j.error.as_deref().map(|e| plain(&error_id(e)));
    }
    j.message = message(viewer, &j.message);
    j
}

pub fn event(viewer: &Caller, mut e: JobEvent) -> JobEvent {
    e.message = message(viewer, &e.message);
    e
}

/// The job engine writes failures as `failed: DETAIL` and `will retry: DETAIL`; other progress
/// messages are the portal's own words.
fn message(viewer: &Caller, m: &str) -> String {
    if viewer.is_admin() {
        return m.to_owned();
    }
    for prefix in ["failed: ", "will retry: "] {
        if let Some(detail) = m.strip_prefix(prefix) {
            return format!("{prefix}{}", plain(&error_id(detail)));
        }
    }
    m.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_differ_by_detail() {
        assert_eq!(error_id("a"), error_id("a"));
        assert_ne!(error_id("a"), error_id("b"));
        assert!(error_id("a").starts_with("E-") && error_id("a").len() == 10);
    }
}
