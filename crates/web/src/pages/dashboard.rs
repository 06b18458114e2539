use super::{Nav, PageResult};
use crate::{actions::redact, auth::Viewer, state::AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use vmportal_core::{
    machine::Machine,
    quota::{Quota, Usage},
    request::MachineRequest,
    store::RequestFilter,
};

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct Dashboard {
    nav: Nav,
    quota: Quota,
    usage: Usage,
    machines: Vec<Machine>,
    requests: Vec<MachineRequest>,
    /// Lease notices of the user's machines.
    banners: Vec<super::lease::Banner>,
}

/// The signed-in user's own machines and requests, and what remains of their quota.
pub async fn show(State(state): State<AppState>, Viewer(me): Viewer) -> PageResult<Dashboard> {
    let filter = RequestFilter {
        owner: Some(me.user.id),
        ..RequestFilter::default()
    };
    let machines = redact::machines(&me.who(), state.store.machines(Some(me.user.id)).await?);
    Ok(Dashboard {
        quota: state.quota_of(&me.user),
        usage: state.store.usage(me.user.id).await?,
        banners: super::lease::banners(&state, &machines).await?,
        machines,
        requests: state.store.requests(filter).await?,
        nav: Nav::from(&me),
    })
}
