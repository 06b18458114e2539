use super::{Nav, PageResult, Tr};
use crate::{
    auth::AdminPage,
    providers::{ProviderStatus, statuses},
    state::AppState,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use vmportal_core::notification::FailedDelivery;

#[derive(Template, WebTemplate)]
#[template(path = "admin_providers.html")]
pub struct ProvidersPage {
    nav: Nav,
    tr: Tr,
    providers: Vec<ProviderStatus>,
    mail_relay: Option<String>,
    failed_mail: Vec<FailedDelivery>,
}

pub async fn list(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
) -> PageResult<ProvidersPage> {
    Ok(ProvidersPage {
        nav: Nav::from(&me),
        tr: me.tr,
        providers: statuses(&state.providers).await,
        mail_relay: state.mail_relay.clone(),
        failed_mail: state.store.failed_deliveries().await?,
    })
}
