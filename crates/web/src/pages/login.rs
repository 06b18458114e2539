use super::{PageResult, see_other};
use crate::{
    actions,
    auth::{
        ClientIp, Signed, Via, clear_cookie, end_session, local_path, session_cookie, start_session,
    },
    error::AppError,
    i18n::{BrowserLang, Tr},
    state::AppState,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{Query, State},
    http::{
        StatusCode,
        header::{RETRY_AFTER, SET_COOKIE},
    },
    response::{AppendHeaders, IntoResponse, Response},
};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    tr: Tr,
    next: String,
    username: String,
    error: Option<String>,
    /// The second step: the token of a sign-in whose password was right.
    pending: Option<String>,
    /// The single sign-on buttons: (provider id, label).
    sso: Vec<(String, String)>,
}

impl LoginPage {
    pub(super) fn new(state: &AppState, tr: Tr, next: String) -> LoginPage {
        LoginPage {
            tr,
            next,
            username: String::new(),
            error: None,
            pending: None,
            sso: state
                .sso
                .iter()
                .map(|p| (p.id().to_owned(), p.label().to_owned()))
                .collect(),
        }
    }

    pub(super) fn failed(state: &AppState, tr: Tr, next: String, error: String) -> LoginPage {
        LoginPage {
            error: Some(error),
            ..LoginPage::new(state, tr, next)
        }
    }
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    BrowserLang(tr): BrowserLang,
    Query(q): Query<Next>,
) -> LoginPage {
    LoginPage::new(&state, tr, local_path(q.next.as_deref()).to_owned())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    BrowserLang(tr): BrowserLang,
    previous: Option<Signed>,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let next = local_path(f.next.as_deref()).to_owned();
    match actions::session::sign_in(&state, ip, &f.username, &f.password, None).await {
        Ok(user) => signed_in(&state, previous, &user, &next).await,
        Err(AppError::TotpRequired) => {
            let (user, _) = state
                .store
                .user_for_login(f.username.trim())
                .await?
                .ok_or(AppError::BadCredentials)?;
            let pending = state
                .pending_sign_ins
                .start(user.id, user.username.as_str());
            let page = LoginPage {
                username: user.username.to_string(),
                pending: Some(pending),
                ..LoginPage::new(&state, tr, next)
            };
            Ok(page.into_response())
        }
        Err(
            e @ (AppError::BadCredentials
            | AppError::TooManyAttempts(_)
            | AppError::Busy
            | AppError::DirectoryUnavailable(_)),
        ) => {
            let retry = e.retry_after().map(|s| [(RETRY_AFTER, s.to_string())]);
            let page = LoginPage {
                username: f.username.chars().take(64).collect(),
                ..LoginPage::failed(&state, tr, next, e.message(&tr))
            };
            Ok((e.status(), AppendHeaders(retry.into_iter().flatten()), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn signed_in(
    state: &AppState,
    previous: Option<Signed>,
    user: &vmportal_core::user::User,
    next: &str,
) -> PageResult {
    if let Some(old) = previous {
        end_session(state, &old.token_hash).await?;
    }
    let token = start_session(state, user).await?;
    let cookie = AppendHeaders([(SET_COOKIE, session_cookie(state, &token))]);
    Ok((cookie, see_other(next)).into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    pending: String,
    code: String,
    next: Option<String>,
}

/// The second step of signing in: the code, for the sign-in `pending` continues.
pub async fn code(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    BrowserLang(tr): BrowserLang,
    previous: Option<Signed>,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let next = local_path(f.next.as_deref()).to_owned();
    let Some((user, username)) = state.pending_sign_ins.get(&f.pending) else {
        let page = LoginPage::failed(&state, tr, next, tr.t("login-too-long"));
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    match actions::session::second_step(&state, ip, user, &username, &f.code).await {
        Ok(user) => {
            state.pending_sign_ins.finish(&f.pending);
            signed_in(&state, previous, &user, &next).await
        }
        Err(e @ (AppError::BadCredentials | AppError::TooManyAttempts(_))) => {
            let page = LoginPage {
                username,
                pending: Some(f.pending),
                ..LoginPage::failed(&state, tr, next, e.message(&tr))
            };
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(State(state): State<AppState>, signed: Option<Signed>) -> PageResult<Response> {
    if let Some(s) = signed.filter(|s| s.via == Via::Session) {
        end_session(&state, &s.token_hash).await?;
        actions::session::signed_out(&state, &s.actor(), &s.user).await?;
    }
    Ok((
        StatusCode::SEE_OTHER,
        AppendHeaders([
            (SET_COOKIE, clear_cookie(&state)),
            (
                axum::http::header::LOCATION,
                "/login".parse().expect("static"),
            ),
        ]),
    )
        .into_response())
}
