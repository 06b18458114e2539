use crate::{
    auth::Signed,
    error::{AppError, AppResult},
    state::AppState,
};
use serde::Serialize;
use utoipa::ToSchema;
use vmportal_core::{
    Invalid,
    ids::UserId,
    machine::Machine,
    msg,
    names::{self, Username},
    password::Password,
    quota::{Quota, QuotaOverride, Usage},
    request::MachineRequest,
    store::{ListQuery, MAX_PER_PAGE, Page},
    user::{NewUser, Role, User, UserPatch, UserSource},
};

/// A new local account as an administrator describes it.
#[derive(Debug, Default)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Option<Role>,
    /// `None`: generate one and hand it back once.
    pub password: Option<String>,
}

/// Creates a local account; gives back the generated password when none was chosen.
pub async fn create(
    state: &AppState,
    admin: &Signed,
    account: NewAccount,
) -> AppResult<(User, Option<Password>)> {
    admin.caller().require_admin()?;
    let mut invalid = Invalid::default();
    let username = invalid.check(Username::parse("username", &account.username));
    let display_name = invalid.check(names::line(
        "display_name",
        &account.display_name,
        false,
        120,
    ));
    let email = invalid.check(names::email("email", &account.email));
    let chosen = account
        .password
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|p| invalid.check(Password::parse("password", p)));
    let (Some(username), Some(display_name), Some(email)) = (username, display_name, email) else {
        return Err(invalid.into());
    };
    if !invalid.is_empty() {
        return Err(invalid.into());
    }
    let (password, generated) = match chosen.flatten() {
        Some(p) => (p, false),
        None => (Password::generate(), true),
    };
    let hash = state.hashing.hash(password.clone()).await?;
    let new = NewUser {
        display_name: if display_name.is_empty() {
            username.to_string()
        } else {
            display_name
        },
        username,
        email,
        role: account.role.unwrap_or(Role::User),
        source: UserSource::Local,
        password_hash: Some(hash),
        must_change_password: generated,
    };
    let user = state.store.create_user(new, &admin.actor()).await?;
    Ok((user, generated.then_some(password)))
}

/// A change an administrator makes to an account; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct AccountChange {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
    pub quota: Option<QuotaOverride>,
}

pub async fn update(
    state: &AppState,
    admin: &Signed,
    id: UserId,
    change: AccountChange,
) -> AppResult<User> {
    admin.caller().require_admin()?;
    let target = state.store.user(id).await?.ok_or(AppError::NotFound)?;
    let mut invalid = Invalid::default();
    // An administrator cannot lock themselves out; another administrator has to do it.
    if target.id == admin.user.id {
        if change.disabled == Some(true) {
            invalid.push("disabled", msg("err-disable-self"));
        }
        if change.role == Some(Role::User) {
            invalid.push("role", msg("err-demote-self"));
        }
    }
    let display_name = change
        .display_name
        .as_deref()
        .map(|d| invalid.check(names::line("display_name", d, true, 120)))
        .unwrap_or(None);
    let email = change
        .email
        .as_deref()
        .map(|e| invalid.check(names::email("email", e)));
    if let Some(q) = &change.quota {
        invalid.check(q.validate());
    }
    let password = change
        .password
        .as_deref()
        .map(|p| invalid.check(Password::parse("password", p)));
    if password.is_some() && target.source != UserSource::Local {
        invalid.push("password", msg("err-reset-password-in-directory"));
    }
    if !invalid.is_empty() {
        return Err(invalid.into());
    }
    let password_hash = match password.flatten() {
        Some(p) => Some(state.hashing.hash(p).await?),
        None => None,
    };
    let patch = UserPatch {
        display_name,
        // Given and valid: the new address, or `None` to clear it.
        email: email.flatten(),
        role: change.role,
        disabled: change.disabled,
        quota_override: change.quota,
        ssh_public_key: None,
        // Someone else's reset must be replaced by a password only its owner knows.
        must_change_password: password_hash
            .is_some()
            .then_some(target.id != admin.user.id),
        password_hash,
    };
    Ok(state
        .store
        .update_user(target.id, patch, &admin.actor())
        .await?)
}

#[derive(Serialize, ToSchema)]
pub struct UserDetail {
    pub user: User,
    /// The role's default with this user's overrides.
    pub quota: Quota,
    pub usage: Usage,
    pub requests: Vec<MachineRequest>,
    pub machines: Vec<Machine>,
}

/// The first page of `user`'s rows, as large as pages go: a user's own lists are short.
fn most_of<S, K: Default>(user: UserId) -> ListQuery<S, K> {
    ListQuery {
        page: Page::new(None, Some(MAX_PER_PAGE)).expect("the largest page is a page"),
        ..ListQuery::of(user)
    }
}

/// One account with its quota, requests and machines (the newest 500 of each).
pub async fn detail(state: &AppState, id: UserId) -> AppResult<UserDetail> {
    let user = state.store.user(id).await?.ok_or(AppError::NotFound)?;
    Ok(UserDetail {
        quota: state.quota_of(&user),
        usage: state.store.usage(id).await?,
        requests: state.store.requests(&most_of(id)).await?.items,
        machines: state.store.machines(&most_of(id)).await?.items,
        user,
    })
}
