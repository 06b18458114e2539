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
    http::{StatusCode, header::SET_COOKIE},
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
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn form(BrowserLang(tr): BrowserLang, Query(q): Query<Next>) -> LoginPage {
    LoginPage {
        tr,
        next: local_path(q.next.as_deref()).to_owned(),
        username: String::new(),
        error: None,
    }
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
    match actions::session::sign_in(&state, ip, &f.username, &f.password).await {
        Ok(user) => {
            if let Some(old) = previous {
                end_session(&state, &old.token_hash).await?;
            }
            let token = start_session(&state, &user).await?;
            let cookie = AppendHeaders([(SET_COOKIE, session_cookie(&state, &token))]);
            Ok((cookie, see_other(&next)).into_response())
        }
        Err(
            e @ (AppError::BadCredentials
            | AppError::TooManyAttempts
            | AppError::DirectoryUnavailable(_)),
        ) => {
            let page = LoginPage {
                tr,
                next,
                username: f.username,
                error: Some(e.message(&tr)),
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
