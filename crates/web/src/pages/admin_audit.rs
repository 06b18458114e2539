use super::{Nav, PageResult, Tr};
use crate::{
    api::extract::ApiQuery,
    auth::AdminPage,
    list::{ListParams, Pager},
    state::AppState,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use vmportal_core::{audit::AuditEvent, store::AuditQuery};

#[derive(Template, WebTemplate)]
#[template(path = "admin_audit.html")]
pub struct AuditPage {
    nav: Nav,
    tr: Tr,
    events: Vec<AuditEvent>,
    pager: Pager,
}

pub async fn list(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
    ApiQuery(params): ApiQuery<ListParams>,
) -> PageResult<AuditPage> {
    let query: AuditQuery = params.query(None)?;
    let listed = state.store.audit(&query).await?;
    Ok(AuditPage {
        nav: Nav::from(&me),
        tr: me.tr,
        pager: Pager::new("/admin/audit", &params, query.page, listed.total),
        events: listed.items,
    })
}
