use super::{Nav, PageResult, Tr, see_other};
use crate::{
    actions,
    api::extract::ApiQuery,
    auth::AdminPage,
    list::{ListParams, Pager},
    state::AppState,
};
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
    tr: Tr,
    requests: Vec<MachineRequest>,
    pager: Pager,
}

/// Every request, pending first.
pub async fn list(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
    ApiQuery(params): ApiQuery<ListParams>,
) -> PageResult<RequestsPage> {
    let (query, listed) = actions::requests::list(&state, &me.who(), &params).await?;
    Ok(RequestsPage {
        nav: Nav::from(&me),
        tr: me.tr,
        pager: Pager::new("/admin/requests", &params, query.page, listed.total).with_states(&[
            "pending",
            "approved",
            "rejected",
            "cancelled",
        ]),
        requests: listed.items,
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
