//! What people do, independent of how they ask: the JSON API and the HTML pages both call these, so
//! every rule (validation, authorization, quotas, audit) lives in one place.

pub mod account;
pub mod directory;
pub mod machines;
pub mod requests;
pub mod session;
pub mod snapshots;
pub mod templates;
pub mod tokens;
pub mod users;

use crate::error::{AppError, AppResult};
use vmportal_core::password::Password;

/// Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
pub async fn hash_password(p: Password) -> AppResult<String> {
    tokio::task::spawn_blocking(move || p.hash())
        .await
        .map_err(AppError::internal)
}
