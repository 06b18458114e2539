use super::{Nav, PageResult, Tr};
use crate::{actions::redact, auth::Viewer, state::AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use vmportal_core::{
    machine::Machine,
    quota::{Quota, Usage},
    request::MachineRequest,
    store::{Listed, MachineQuery, RequestQuery},
};

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct Dashboard {
    nav: Nav,
    tr: Tr,
    quota: Quota,
    usage: Usage,
    machines: Listed<Machine>,
    requests: Listed<MachineRequest>,
    /// Lease notices of the user's machines.
    banners: Vec<super::lease::Banner>,
}

/// The signed-in user's own machines and requests (the first page of each), and what remains of
/// their quota. Administrators find everyone's machines on `/machines`.
pub async fn show(State(state): State<AppState>, Viewer(me): Viewer) -> PageResult<Dashboard> {
    let id = me.user.id;
    let mut machines = state.store.machines(&MachineQuery::of(id)).await?;
    machines.items = redact::machines(&me.who(), machines.items);
    Ok(Dashboard {
        quota: state.quota_of(&me.user),
        usage: state.store.usage(id).await?,
        banners: super::lease::banners(&state, me.tr, &machines.items).await?,
        machines,
        requests: state.store.requests(&RequestQuery::of(id)).await?,
        nav: Nav::from(&me),
        tr: me.tr,
    })
}
