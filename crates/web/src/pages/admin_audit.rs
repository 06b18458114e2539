use super::{Nav, PageResult, Tr};
use crate::{
    api::{audit::list::PageQuery, extract::ApiQuery},
    auth::AdminPage,
    state::AppState,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use vmportal_core::audit::AuditEvent;

#[derive(Template, WebTemplate)]
#[template(path = "admin_audit.html")]
pub struct AuditPage {
    nav: Nav,
    tr: Tr,
    events: Vec<AuditEvent>,
    page: i64,
    pages: i64,
}

pub async fn list(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> PageResult<AuditPage> {
    let page = q.page();
    let (events, total) = state.store.audit(page).await?;
    let pages = (total.saturating_add(page.size - 1) / page.size).max(1);
    Ok(AuditPage {
        nav: Nav::from(&me),
        tr: me.tr,
        events,
        page: page.number,
        pages,
    })
}
