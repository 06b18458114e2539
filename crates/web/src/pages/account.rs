use super::{Nav, PageResult, see_other};
use crate::{
    actions,
    auth::{Viewer, session_cookie},
    error::AppError,
    state::AppState,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::State,
    http::{StatusCode, header::SET_COOKIE},
    response::{AppendHeaders, IntoResponse},
};
use serde::Deserialize;
use vmportal_core::{Invalid, user::User};

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    nav: Nav,
    user: User,
    errors: Invalid,
    /// What was just changed, for the notice.
    done: Option<&'static str>,
}

fn page(me: &Viewer, user: User, errors: Invalid, done: Option<&'static str>) -> AccountPage {
    AccountPage {
        nav: Nav::from(&me.0),
        user,
        errors,
        done,
    }
}

pub async fn show(me: Viewer) -> AccountPage {
    let user = me.0.user.clone();
    page(&me, user, Invalid::default(), None)
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
            let user = me.0.user.clone();
            let cookie = AppendHeaders([(SET_COOKIE, session_cookie(&state, &token))]);
            Ok((
                cookie,
                page(
                    &me,
                    user,
                    Invalid::default(),
                    Some("Your password was changed; your other sessions have ended."),
                ),
            )
                .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let user = me.0.user.clone();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&me, user, errors, None),
            )
                .into_response())
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
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&me, user, errors, None),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
