//! What people see of hypervisor failures. The detail (node names, `user@host:port`, known_hosts
//! paths, Proxmox VE privilege paths, task logs) helps administrators and tells others how the
//! school's hosts are built, so ordinary users get a plain reason and an error id; administrators
//! see the same id beside the detail, and can find it from what a user reports.

use crate::caller::Caller;
pub use vmportal_core::error_id;
use vmportal_core::{
    job::{Job, JobEvent},
    machine::Machine,
};

/// The plain reason, in the viewer's language.
fn plain(viewer: &Caller, id: &str) -> String {
    viewer.tr.t1("err-hypervisor-plain", "id", id)
}

/// The machine as `viewer` may see it.
pub fn machine(viewer: &Caller, mut m: Machine) -> Machine {
    if let Some(detail) = &m.last_error {
        let id = error_id(detail);
        if !viewer.is_admin() {
            m.last_error = Some(plain(viewer, &id));
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
        j.error = j.error.as_deref().map(|e| plain(viewer, &error_id(e)));
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
    if let Some(detail) = m.strip_prefix("failed: ") {
        return viewer.tr.t1("job-failed-plain", "id", error_id(detail));
    }
    if let Some(detail) = m.strip_prefix("will retry: ") {
        return viewer.tr.t1("job-retry-plain", "id", error_id(detail));
    }
    m.to_owned()
}
