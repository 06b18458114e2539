//! What people do, independent of how they ask: the JSON API and the HTML pages both call these, so
//! every rule (validation, authorization, quotas, audit) lives in one place.

pub mod account;
pub mod courses;
pub mod directory;
pub mod leases;
pub mod machines;
pub mod redact;
pub mod requests;
pub mod second_factor;
pub mod session;
pub mod snapshots;
pub mod sso;
pub mod templates;
pub mod tokens;
pub mod users;
