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
use vmportal_core::{machine::Drift, store::DriftQuery};

#[derive(Template, WebTemplate)]
#[template(path = "admin_drift.html")]
pub struct DriftPage {
    nav: Nav,
    tr: Tr,
    drift: Vec<Drift>,
    pager: Pager,
}

pub async fn list(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
    ApiQuery(params): ApiQuery<ListParams>,
) -> PageResult<DriftPage> {
    let query: DriftQuery = params.query(None)?;
    let listed = state.store.drift(&query).await?;
    Ok(DriftPage {
        nav: Nav::from(&me),
        tr: me.tr,
        pager: Pager::new("/admin/drift", &params, query.page, listed.total)
            .with_states(&["missing", "unknown"]),
        drift: listed.items,
    })
}
