use super::{Nav, PageResult, Tr};
use crate::{
    api::extract::ApiQuery,
    auth::{AdminPage, Viewer},
    list::{ListParams, Pager},
    state::AppState,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use vmportal_core::{
    job::Job,
    machine::Machine,
    store::{JobQuery, MachineQuery},
};

#[derive(Template, WebTemplate)]
#[template(path = "machines.html")]
pub struct MachinesPage {
    nav: Nav,
    tr: Tr,
    machines: Vec<Machine>,
    pager: Pager,
}

/// Machines a page at a time: a user's own, or for administrators everyone's (their home page
/// keeps only their own).
pub async fn list(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    ApiQuery(params): ApiQuery<ListParams>,
) -> PageResult<MachinesPage> {
    let query: MachineQuery = params.query(me.caller().listing_scope())?;
    let listed = state.store.machines(&query).await?;
    Ok(MachinesPage {
        nav: Nav::from(&me),
        tr: me.tr,
        pager: Pager::new("/machines", &params, query.page, listed.total).with_states(&[
            "provisioning",
            "running",
            "stopped",
            "failed",
            "deleting",
            "deleted",
        ]),
        machines: listed.items,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_jobs.html")]
pub struct JobsPage {
    nav: Nav,
    tr: Tr,
    jobs: Vec<Job>,
    pager: Pager,
}

/// Every job, newest first.
pub async fn jobs(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
    ApiQuery(params): ApiQuery<ListParams>,
) -> PageResult<JobsPage> {
    let query: JobQuery = params.query(None)?;
    let listed = state.store.jobs(&query).await?;
    Ok(JobsPage {
        nav: Nav::from(&me),
        tr: me.tr,
        pager: Pager::new("/admin/jobs", &params, query.page, listed.total).with_states(&[
            "queued",
            "running",
            "succeeded",
            "failed",
        ]),
        jobs: listed.items,
    })
}
