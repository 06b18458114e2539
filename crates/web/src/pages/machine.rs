use super::{Nav, PageResult, Tr, see_other};
use crate::{
    actions::machines::{Credentials, enqueue, read_credentials},
    auth::{Signed, Viewer},
    error::AppError,
    state::AppState,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use vmportal_core::{
    job::{JobKind, JobState},
    machine::Machine,
};

#[derive(Template, WebTemplate)]
#[template(path = "machine.html")]
pub struct MachinePage {
    nav: Nav,
    tr: Tr,
    machine: Machine,
    credentials: Option<Credentials>,
    /// The job whose progress the page follows live, while it is not finished.
    live_job: Option<i64>,
}

/// A machine's state, credentials and current job, for its owner or an administrator.
pub async fn show(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<i64>,
) -> PageResult<MachinePage> {
    let machine = crate::actions::machines::visible(&state, &me, id).await?;
    let credentials = match read_credentials(&state, &me, id).await {
        Ok((_, c)) => Some(c),
        Err(AppError::Conflict(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let live_job = machine
        .current_job
        .as_ref()
        .filter(|j| matches!(j.state, JobState::Queued | JobState::Running))
        .map(|j| j.id.0);
    Ok(MachinePage {
        nav: Nav::from(&me),
        tr: me.tr,
        machine,
        credentials,
        live_job,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "machine_delete.html")]
pub struct DeletePage {
    nav: Nav,
    tr: Tr,
    machine: Machine,
}

/// Deleting destroys the disk: the machine page links here, and only this page's button deletes.
pub async fn confirm_delete(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<i64>,
) -> PageResult<DeletePage> {
    let machine = crate::actions::machines::visible(&state, &me, id).await?;
    Ok(DeletePage {
        nav: Nav::from(&me),
        tr: me.tr,
        machine,
    })
}

/// The action buttons: `start`, `shutdown`, `stop`, `reboot`.
pub async fn act(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path((id, action)): Path<(i64, String)>,
) -> PageResult {
    let kind = match action.as_str() {
        "start" => JobKind::Start,
        "shutdown" => JobKind::Shutdown,
        "stop" => JobKind::Stop,
        "reboot" => JobKind::Reboot,
        _ => return Err(AppError::NotFound.into()),
    };
    queue(&state, &me, id, kind).await
}

/// The button of the confirmation page.
pub async fn act_delete(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<i64>,
) -> PageResult {
    queue(&state, &me, id, JobKind::Delete).await
}

async fn queue(state: &AppState, me: &Signed, id: i64, kind: JobKind) -> PageResult {
    enqueue(state, me, id, kind).await?;
    Ok(see_other(&format!("/machines/{id}")))
}
