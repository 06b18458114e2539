//! Sign-in through the directory, and what a name resolves to there. The portal keeps a user
//! record for each directory member who signed in: created at the first sign-in, its role, name
//! and e-mail refreshed from the directory at each one.

use super::session::record;
use crate::{
    auth::Signed,
    error::{AppError, AppResult},
    state::AppState,
};
use vmportal_core::{
    audit::{Actor, action},
    directory::{Directory, DirectoryEntry, DirectoryError},
    names::{self, Username},
    user::{NewUser, Role, User, UserPatch, UserSource},
};

/// `known`: the portal's record of this directory member, if they signed in before.
pub(super) async fn sign_in(
    state: &AppState,
    directory: &dyn Directory,
    actor: &Actor,
    known: Option<&User>,
    username: &str,
    secret: &str,
) -> AppResult<User> {
    let checked = directory
        .authenticate(username, secret)
        .await
        .and_then(|entry| match entry.role {
            Some(role) => Ok((entry, role)),
            None => Err(DirectoryError::NotAllowed),
        });
    let (entry, role) = match checked {
        Ok(found) => found,
        Err(e) => {
            let detail = format!("directory: {e}");
            record(state, actor, action::LOGIN_FAILED, known, detail).await?;
            return Err(match e {
                DirectoryError::BadCredentials | DirectoryError::NotAllowed => {
                    AppError::BadCredentials
                }
                DirectoryError::Unavailable(_) | DirectoryError::Misconfigured(_) => {
                    tracing::warn!(error = %e, "directory sign-in impossible");
                    // What people see names no cause; it goes to the log and audit.
                    AppError::DirectoryUnavailable(None)
                }
            });
        }
    };
    let user = provision(state, actor, &entry, role).await?;
    state.directory_checks.checked(user.id);
    let signed = Actor {
        user: Some(user.id),
        ..actor.clone()
    };
    let detail = format!("directory: {} as {role}", entry.dn);
    record(state, &signed, action::LOGIN, Some(&user), detail).await?;
    Ok(user)
}

/// Creates or refreshes the portal's record of a directory member who just proved their password.
async fn provision(
    state: &AppState,
    actor: &Actor,
    entry: &DirectoryEntry,
    role: Role,
) -> AppResult<User> {
    // Directories compare login names without regard to case; the portal keeps them lower case.
    let username = match Username::parse("username", &entry.username.to_lowercase()) {
        Ok(u) => u,
        Err(invalid) => {
            let detail = format!("directory name {:?} is not usable here", entry.username);
            record(state, actor, action::LOGIN_FAILED, None, detail).await?;
            return Err(invalid.into());
        }
    };
    // The directory is the authority on these; a value the portal cannot keep is left out.
    let display_name = names::line("display_name", &entry.display_name, true, 120)
        .unwrap_or_else(|_| username.to_string());
    let email = names::email("email", entry.email.as_deref().unwrap_or_default()).unwrap_or(None);
    let existing = state.store.user_for_login(username.as_str()).await?;
    match existing {
        None => {
            let new = NewUser {
                username,
                display_name,
                email,
                role,
                source: UserSource::Ldap,
                password_hash: None,
                must_change_password: false,
            };
            Ok(state.store.create_user(new, actor).await?)
        }
        Some((user, _)) if user.source != UserSource::Ldap || user.disabled => {
            let why = if user.disabled {
                "account disabled"
            } else {
                "an account of another source has this name; the directory may not sign in as it"
            };
            record(state, actor, action::LOGIN_FAILED, Some(&user), why.into()).await?;
            Err(AppError::BadCredentials)
        }
        Some((user, _)) => {
            let patch = UserPatch {
                role: (user.role != role).then_some(role),
                email: (user.email != email).then_some(email),
                display_name: (user.display_name != display_name).then_some(display_name),
                ..UserPatch::default()
            };
            if patch.changed_fields().is_empty() {
                Ok(user)
            } else {
                Ok(state.store.update_user(user.id, patch, actor).await?)
            }
        }
    }
}

/// What `username` resolves to in the directory, for an administrator checking the settings.
/// `Ok(None)`: the directory has no such person.
pub async fn lookup(
    state: &AppState,
    admin: &Signed,
    username: &str,
) -> AppResult<Option<DirectoryEntry>> {
    admin.caller().require_admin()?;
    let directory = state.directory.as_ref().ok_or(AppError::NotFound)?;
    let username = names::line("username", username, true, 64)?;
    directory
        .lookup(&username)
        .await
        .map_err(|e| AppError::DirectoryUnavailable(Some(e.to_string())))
}
