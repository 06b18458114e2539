use super::{Nav, PageResult, see_other};
use crate::{actions, auth::AdminPage, state::AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{Path, State},
};
use serde::Deserialize;
use vmportal_core::ids::RequestId;
use vmportal_core::request::MachineRequest;

#[derive(Template, WebTemplate)]
#[template(path = "admin_requests.html")]
pub struct RequestsPage {
    nav: Nav,
    requests: Vec<MachineRequest>,
}

/// Every request, pending first.
pub async fn list(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
) -> PageResult<RequestsPage> {
    let requests = actions::requests::list(&state, &me.who(), None).await?;
    Ok(RequestsPage {
        nav: Nav::from(&me),
        requests,
    })
}

pub async fn approve(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
    Path(id): Path<RequestId>,
) -> PageResult {
    actions::requests::approve(&state, &me.who(), id).await?;
    Ok(see_other("/admin/requests"))
}

#[derive(Deserialize)]
pub struct RejectForm {
    reason: String,
}

pub async fn reject(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
    Path(id): Path<RequestId>,
    Form(f): Form<RejectForm>,
) -> PageResult {
    actions::requests::reject(&state, &me.who(), id, &f.reason).await?;
    Ok(see_other("/admin/requests"))
}
