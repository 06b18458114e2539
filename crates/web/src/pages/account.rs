use super::{Nav, PageResult, Tr, form::optional_number, see_other};
use crate::{
    actions::{
        self,
        second_factor::{self, Enrolment},
    },
    auth::{Viewer, session_cookie},
    error::{AppError, AppResult},
    state::AppState,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{Path, State},
    http::{StatusCode, header::SET_COOKIE},
    response::{AppendHeaders, IntoResponse, Response},
};
use serde::Deserialize;
use vmportal_core::{
    Invalid, Lang, Msg,
    api_token::ApiToken,
    ids::ApiTokenId,
    msg,
    preferences::{Notifications, Preferences},
    user::User,
};

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    nav: Nav,
    tr: Tr,
    user: User,
    errors: Invalid,
    /// What was just changed, for the notice.
    done: Option<Msg>,
    prefs: Preferences,
    languages: [Lang; 4],
    tokens: Vec<ApiToken>,
    /// A token just made: its secret, shown this once.
    minted: Option<String>,
    totp_enabled: bool,
    /// Two-factor sign-in being set up: the secret and its QR code.
    enrolment: Option<Enrolment>,
    /// Recovery codes just made, shown this once.
    recovery: Vec<String>,
}

impl AccountPage {
    async fn of(state: &AppState, me: &Viewer, user: User) -> AppResult<AccountPage> {
        Ok(AccountPage {
            nav: Nav::from(&me.0),
            tr: me.0.tr,
            user,
            errors: Invalid::default(),
            done: None,
            prefs: state.store.preferences(me.0.user.id).await?,
            languages: Lang::ALL,
            tokens: actions::tokens::list(state, &me.0).await?,
            minted: None,
            totp_enabled: second_factor::enabled(state, me.0.user.id).await?,
            enrolment: None,
            recovery: Vec::new(),
        })
    }

    fn with_errors(mut self, errors: Invalid) -> Response {
        self.errors = errors;
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }
}

pub async fn show(State(state): State<AppState>, me: Viewer) -> PageResult<AccountPage> {
    let user = me.0.user.clone();
    Ok(AccountPage::of(&state, &me, user).await?)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    me: Viewer,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    match actions::account::change_password(&state, &me.0, &f.current_password, &f.new_password)
        .await
    {
        Ok(token) => {
            let mut user = me.0.user.clone();
            user.must_change_password = false;
            let mut page = AccountPage::of(&state, &me, user).await?;
            page.done = Some(msg("account-password-changed"));
            let cookie = AppendHeaders([(SET_COOKIE, session_cookie(&state, &token))]);
            Ok((cookie, page).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let page = AccountPage::of(&state, &me, me.0.user.clone()).await?;
            Ok(page.with_errors(errors))
        }
        Err(e) => Err(e.into()),
    }
}

/// *Set up two-factor sign-in*: the page with a new secret and its QR code.
pub async fn begin_totp(State(state): State<AppState>, me: Viewer) -> PageResult {
    let mut page = AccountPage::of(&state, &me, me.0.user.clone()).await?;
    match second_factor::begin(&state, &me.0).await {
        Ok(enrolment) => {
            page.enrolment = Some(enrolment);
            Ok(page.into_response())
        }
        Err(AppError::Invalid(errors)) => Ok(page.with_errors(errors)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// The code that proves the authenticator has the secret; the answer shows the recovery codes.
pub async fn confirm_totp(
    State(state): State<AppState>,
    me: Viewer,
    Form(f): Form<CodeForm>,
) -> PageResult {
    match second_factor::confirm(&state, &me.0, &f.code).await {
        Ok(codes) => {
            let mut page = AccountPage::of(&state, &me, me.0.user.clone()).await?;
            page.recovery = codes;
            Ok(page.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let page = AccountPage::of(&state, &me, me.0.user.clone()).await?;
            Ok(page.with_errors(errors))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct KeyForm {
    ssh_public_key: String,
}

pub async fn set_ssh_key(
    State(state): State<AppState>,
    me: Viewer,
    Form(f): Form<KeyForm>,
) -> PageResult {
    match actions::account::set_ssh_key(&state, &me.0, &f.ssh_public_key).await {
        Ok(_) => Ok(see_other("/account")),
        Err(AppError::Invalid(errors)) => {
            let mut user = me.0.user.clone();
            user.ssh_public_key = Some(f.ssh_public_key);
            let page = AccountPage::of(&state, &me, user).await?;
            Ok(page.with_errors(errors))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
    /// Empty: no expiry.
    #[serde(default)]
    expires_in_days: String,
    #[serde(default)]
    password: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    me: Viewer,
    Form(f): Form<TokenForm>,
) -> PageResult {
    let mut invalid = Invalid::default();
    let days = optional_number(&mut invalid, "expires_in_days", &f.expires_in_days);
    if !invalid.is_empty() {
        let page = AccountPage::of(&state, &me, me.0.user.clone()).await?;
        return Ok(page.with_errors(invalid));
    }
    match actions::tokens::create(&state, &me.0, &f.name, days, &f.password).await {
        Ok(minted) => {
            let mut page = AccountPage::of(&state, &me, me.0.user.clone()).await?;
            page.minted = Some(minted.secret);
            Ok(page.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let page = AccountPage::of(&state, &me, me.0.user.clone()).await?;
            Ok(page.with_errors(errors))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    me: Viewer,
    Path(id): Path<ApiTokenId>,
) -> PageResult {
    actions::tokens::revoke(&state, &me.0, id).await?;
    Ok(see_other("/account"))
}

/// The preferences form: an empty language is the browser's; a box left unticked is not sent.
#[derive(Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    language: String,
    new_request: Option<String>,
    daily_digest: Option<String>,
    decision: Option<String>,
    machine_ready: Option<String>,
    job_failed: Option<String>,
    lease: Option<String>,
}

pub async fn set_preferences(
    State(state): State<AppState>,
    me: Viewer,
    Form(f): Form<PreferencesForm>,
) -> PageResult {
    let language = match f.language.as_str() {
        "" => None,
        code => Some(
            code.parse::<Lang>()
                .map_err(|_| Invalid::field("language", msg("err-language")))
                .map_err(AppError::from)?,
        ),
    };
    let current = state.store.preferences(me.0.user.id).await?;
    // Approvers' choices are only on an administrator's form; others keep what they had.
    let approver = me.0.caller().is_admin();
    let prefs = Preferences {
        language,
        notifications: Notifications {
            new_request: if approver {
                f.new_request.is_some()
            } else {
                current.notifications.new_request
            },
            daily_digest: if approver {
                f.daily_digest.is_some()
            } else {
                current.notifications.daily_digest
            },
            decision: f.decision.is_some(),
            machine_ready: f.machine_ready.is_some(),
            job_failed: f.job_failed.is_some(),
            lease: f.lease.is_some(),
        },
    };
    actions::account::set_preferences(&state, &me.0, prefs).await?;
    Ok(see_other("/account"))
}
