use super::{Nav, PageResult, Tr};
use crate::{auth::AdminPage, state::AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use vmportal_core::machine::Drift;

#[derive(Template, WebTemplate)]
#[template(path = "admin_drift.html")]
pub struct DriftPage {
    nav: Nav,
    tr: Tr,
    drift: Vec<Drift>,
}

pub async fn list(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
) -> PageResult<DriftPage> {
    Ok(DriftPage {
        nav: Nav::from(&me),
        tr: me.tr,
        drift: state.store.drift().await?,
    })
}
