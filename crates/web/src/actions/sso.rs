//! Single sign-on: the account an identity vouched for by an OpenID provider signs in as. The
//! account is keyed by the provider's issuer and subject, never by e-mail or name: the first
//! sign-in creates it (source `oidc`) unless the name belongs to another account, which is never
//! taken over; role, name and e-mail are refreshed from the ID token at every sign-in.

use super::session::record;
use crate::{
    error::{AppError, AppResult},
    state::AppState,
};
use std::net::IpAddr;
use vmportal_core::{
    audit::{Actor, action},
    names::{self, Username},
    sso::{Identity, SsoError},
    user::{NewUser, Role, User, UserPatch, UserSource},
};

pub async fn sign_in(
    state: &AppState,
    ip: Option<IpAddr>,
    provider: &str,
    identity: Identity,
) -> AppResult<User> {
    let actor = Actor {
        user: None,
        name: identity.username.clone(),
        ip: ip.map(|i| i.to_string()),
    };
    let known = state
        .store
        .user_by_identity(&identity.issuer, &identity.subject)
        .await?;
    let refuse = |why: String| async {
        let detail = format!("{provider}: {why}");
        record(state, &actor, action::LOGIN_FAILED, known.as_ref(), detail).await?;
        Err::<User, _>(AppError::BadRequest(why))
    };
    let Some(role) = identity.role else {
        return refuse("not a member of a group allowed to use the portal".into()).await;
    };
    if known.as_ref().is_some_and(|u| u.disabled) {
        return refuse("this account is disabled".into()).await;
    }
    let user = match known.clone() {
        Some(user) => refresh(state, &actor, user, &identity, role).await?,
        None => match create(state, &actor, &identity, role).await? {
            Ok(user) => user,
            Err(why) => return refuse(why).await,
        },
    };
    let signed = Actor {
        user: Some(user.id),
        ..actor
    };
    let detail = format!("{provider}: {} as {role}", identity.subject);
    record(state, &signed, action::LOGIN, Some(&user), detail).await?;
    Ok(user)
}

/// A provider's answer that did not hold up (state, code or ID token), for the audit log; no
/// account is known, since nothing the answer says can be believed.
pub async fn answer_refused(
    state: &AppState,
    ip: Option<IpAddr>,
    provider: &str,
    why: &SsoError,
) -> AppResult<()> {
    let actor = Actor {
        user: None,
        name: format!("sso:{provider}"),
        ip: ip.map(|i| i.to_string()),
    };
    record(
        state,
        &actor,
        action::LOGIN_FAILED,
        None,
        format!("{provider}: {why}"),
    )
    .await
}

/// The first sign-in of `identity`: a new account, or why there can be none.
async fn create(
    state: &AppState,
    actor: &Actor,
    identity: &Identity,
    role: Role,
) -> AppResult<Result<User, String>> {
    // Names are compared without regard to case, as directories do; the portal keeps lower case.
    let Ok(username) = Username::parse("username", &identity.username.to_lowercase()) else {
        return Ok(Err(format!(
            "the name {:?} is not usable here",
            identity.username
        )));
    };
    if state
        .store
        .user_for_login(username.as_str())
        .await?
        .is_some()
    {
        return Ok(Err(format!(
            "the name {username} belongs to another account of the portal, which single sign-on \
             never takes over; ask an administrator"
        )));
    }
    let (display_name, email) = shown(identity, &username);
    let new = NewUser {
        username,
        display_name,
        email,
        role,
        source: UserSource::Oidc,
        password_hash: None,
        must_change_password: false,
    };
    match state
        .store
        .create_identity_user(new, &identity.issuer, &identity.subject, actor)
        .await
    {
        Ok(user) => Ok(Ok(user)),
        // Another sign-in took the name meanwhile.
        Err(vmportal_core::store::StoreError::Invalid(_)) => {
            Ok(Err("the name was just taken; start again".into()))
        }
        Err(e) => Err(e.into()),
    }
}

/// The provider is the authority on an `oidc` account's role, name and e-mail.
async fn refresh(
    state: &AppState,
    actor: &Actor,
    user: User,
    identity: &Identity,
    role: Role,
) -> AppResult<User> {
    let (display_name, email) = shown(identity, &user.username);
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

/// The display name and e-mail as the portal can keep them; a value it cannot is left out.
fn shown(identity: &Identity, username: &Username) -> (String, Option<String>) {
    let display_name = names::line("display_name", &identity.display_name, true, 120)
        .unwrap_or_else(|_| username.to_string());
    let email =
        names::email("email", identity.email.as_deref().unwrap_or_default()).unwrap_or(None);
    (display_name, email)
}
