use super::{Nav, PageResult, Tr};
use crate::{
    auth::AdminPage,
    providers::{ProviderStatus, statuses},
    state::AppState,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

#[derive(Template, WebTemplate)]
#[template(path = "admin_providers.html")]
pub struct ProvidersPage {
    nav: Nav,
    tr: Tr,
    providers: Vec<ProviderStatus>,
}

pub async fn list(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
) -> PageResult<ProvidersPage> {
    Ok(ProvidersPage {
        nav: Nav::from(&me),
        tr: me.tr,
        providers: statuses(&state.providers).await,
    })
}
