//! HTML pages for people: server-rendered, no JavaScript needed, every asset served by the binary.
//! Same rules as the API: the handlers call the same actions.

mod account;
mod admin_audit;
mod admin_directory;
mod admin_drift;
mod admin_providers;
mod admin_requests;
mod admin_templates;
mod admin_users;
mod console;
mod courses;
mod dashboard;
mod form;
mod lease;
mod login;
mod machine;
mod machines;
mod request_new;
mod sso;

use crate::{
    auth::Signed,
    error::AppError,
    i18n::{Tr, Unrendered},
    state::AppState,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Router,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/login/code", post(login::code))
        .route("/login/sso/{provider}", get(sso::start))
        .route("/login/sso/{provider}/callback", get(sso::callback))
        .route("/logout", post(login::logout))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route("/account/ssh-key", post(account::set_ssh_key))
        .route("/account/totp", post(account::begin_totp))
        .route("/account/totp/confirm", post(account::confirm_totp))
        .route("/account/preferences", post(account::set_preferences))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/requests/new",
            get(request_new::form).post(request_new::submit),
        )
        .route("/requests/{id}/cancel", post(request_new::cancel))
        .route("/courses", get(courses::list).post(courses::create))
        .route("/courses/{id}", get(courses::show))
        .route("/courses/{id}/roster", post(courses::upload))
        .route("/courses/{id}/deploy", post(courses::deploy))
        .route("/machines", get(machines::list))
        .route("/machines/{id}", get(machine::show))
        .route("/machines/{id}/console", get(console::show))
        .route("/machines/{id}/credentials", post(machine::credentials))
        // The static segment wins over `{action}` for every method, so POST is routed here too.
        .route(
            "/machines/{id}/delete",
            get(machine::confirm_delete).post(machine::act_delete),
        )
        .route("/machines/{id}/snapshots", post(machine::take_snapshot))
        .route(
            "/machines/{id}/snapshots/{name}/{action}",
            post(machine::snapshot_action),
        )
        .route("/machines/{id}/{action}", post(machine::act))
        .route("/admin/requests", get(admin_requests::list))
        .route(
            "/admin/requests/{id}/approve",
            post(admin_requests::approve),
        )
        .route("/admin/requests/{id}/reject", post(admin_requests::reject))
        .route(
            "/admin/users",
            get(admin_users::list).post(admin_users::create),
        )
        .route(
            "/admin/users/{id}",
            get(admin_users::show).post(admin_users::update),
        )
        .route(
            "/admin/users/{id}/password",
            post(admin_users::reset_password),
        )
        .route(
            "/admin/users/{id}/totp/reset",
            post(admin_users::reset_totp),
        )
        .route(
            "/admin/templates",
            get(admin_templates::list).post(admin_templates::create),
        )
        .route("/admin/templates/new", get(admin_templates::new_form))
        .route(
            "/admin/templates/{id}",
            get(admin_templates::edit_form).post(admin_templates::update),
        )
        .route("/admin/providers", get(admin_providers::list))
        .route("/admin/directory", get(admin_directory::show))
        .route("/admin/audit", get(admin_audit::list))
        .route("/admin/drift", get(admin_drift::list))
        .route("/admin/expiring", get(lease::expiring))
        .route("/machines/{id}/extend", post(lease::extend))
        .route("/admin/jobs", get(machines::jobs))
}

/// What the page frame needs: who is signed in.
pub struct Nav {
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
}

impl From<&Signed> for Nav {
    fn from(s: &Signed) -> Self {
        Nav {
            username: s.user.username.to_string(),
            display_name: s.user.display_name.clone(),
            is_admin: s.caller().is_admin(),
        }
    }
}

/// An error shown as a page. Not signed in sends to the sign-in page instead.
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    tr: Tr,
    title: String,
    message: String,
}

/// The error page of `e`, in `tr`'s language.
pub(crate) fn error_page(e: &AppError, tr: Tr) -> Response {
    let status = e.status();
    let title = match status.as_u16() {
        403 => tr.t("error-title-forbidden"),
        404 => tr.t("error-title-not-found"),
        409 => tr.t("error-title-conflict"),
        422 => tr.t("error-title-invalid"),
        429 => tr.t("error-title-slow-down"),
        _ => tr.t("error-title-other"),
    };
    let message = e.body(&tr).error.message;
    (status, ErrorPage { tr, title, message }).into_response()
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        if matches!(e, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        let mut res = e.status().into_response();
        res.extensions_mut()
            .insert(Unrendered::Page(std::sync::Arc::new(e)));
        res
    }
}

pub type PageResult<T = Response> = Result<T, PageError>;

/// After a successful form post: go to `to` with a GET (so a reload does not post again).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
