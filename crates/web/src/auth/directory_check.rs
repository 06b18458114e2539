//! Directory members are re-checked while they use the portal: someone removed from the directory
//! or its groups loses their sessions and API tokens within `directory_recheck_minutes`, not only
//! at their next sign-in. Checks are remembered per instance; each instance checks on its own.

use crate::{error::AppResult, state::AppState};
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};
use vmportal_core::{
    audit::Actor,
    ids::UserId,
    user::{User, UserSource},
};

/// When each directory member was last found in good standing.
#[derive(Default)]
pub struct DirectoryChecks(Mutex<HashMap<UserId, Instant>>);

impl DirectoryChecks {
    fn due(&self, user: UserId, every: Duration) -> bool {
        let seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        seen.get(&user).is_none_or(|at| at.elapsed() >= every)
    }

    pub(crate) fn checked(&self, user: UserId) {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        seen.insert(user, Instant::now());
    }

    fn forget(&self, user: UserId) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&user);
    }
}

/// Whether `user` may go on. A directory that does not answer lets them (an outage must not
/// sign a whole school out) and is asked again at the next request.
pub async fn still_allowed(state: &AppState, user: &User) -> AppResult<bool> {
    let Some(directory) = &state.directory else {
        return Ok(true);
    };
    let minutes = state.config.sessions.directory_recheck_minutes.max(0) as u64;
    if user.source != UserSource::Ldap
        || !state
            .directory_checks
            .due(user.id, Duration::from_secs(minutes * 60))
    {
        return Ok(true);
    }
    match directory.lookup(user.username.as_str()).await {
        Ok(Some(entry)) if entry.role.is_some() => {
            state.directory_checks.checked(user.id);
            Ok(true)
        }
        Ok(_) => {
            state.directory_checks.forget(user.id);
            let why = "no longer in the directory or its groups";
            state
                .store
                .end_sign_ins(user.id, why, &Actor::system("directory check"))
                .await?;
            Ok(false)
        }
        Err(e) => {
            tracing::warn!(error = %e, user = %user.username, "directory re-check impossible");
            Ok(true)
        }
    }
}
