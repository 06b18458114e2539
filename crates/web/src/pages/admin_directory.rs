use super::{Nav, PageResult, Tr};
use crate::{actions, api::extract::ApiQuery, auth::AdminPage, error::AppError, state::AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;
use vmportal_core::directory::DirectoryEntry;

/// Tests the directory settings: what a username resolves to, or why it cannot be asked.
#[derive(Template, WebTemplate)]
#[template(path = "admin_directory.html")]
pub struct DirectoryPage {
    nav: Nav,
    tr: Tr,
    configured: bool,
    username: String,
    /// The answer for `username`, once one was asked for: an entry or nobody, or the error.
    answer: Option<Result<Option<DirectoryEntry>, String>>,
}

#[derive(Deserialize)]
pub struct LookupForm {
    #[serde(default)]
    username: String,
}

pub async fn show(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
    ApiQuery(f): ApiQuery<LookupForm>,
) -> PageResult<DirectoryPage> {
    let configured = state.directory.is_some();
    let answer = if configured && !f.username.trim().is_empty() {
        match actions::directory::lookup(&state, &me, &f.username).await {
            Ok(entry) => Some(Ok(entry)),
            Err(e @ AppError::DirectoryUnavailable(_)) => Some(Err(e.message(&me.tr))),
            Err(AppError::Invalid(i)) => Some(Err(i
                .0
                .iter()
                .map(|f| me.tr.msg(&f.message))
                .collect::<Vec<_>>()
                .join("; "))),
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    Ok(DirectoryPage {
        nav: Nav::from(&me),
        tr: me.tr,
        configured,
        username: f.username,
        answer,
    })
}
