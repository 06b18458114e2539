use super::{Nav, PageResult, Tr, see_other};
use crate::{
    actions::{
        machines::{Credentials, enqueue, read_credentials},
        snapshots,
    },
    auth::{Signed, Viewer},
    error::AppError,
    state::AppState,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{Path, State},
};
use serde::Deserialize;
use vmportal_core::ids::MachineId;
use vmportal_core::{
    job::{JobKind, JobState},
    machine::{Machine, MachineState},
    snapshot::Snapshot,
};

#[derive(Template, WebTemplate)]
#[template(path = "machine.html")]
pub struct MachinePage {
    nav: Nav,
    tr: Tr,
    machine: Machine,
    credentials: Option<Credentials>,
    /// Whether there are credentials to ask for.
    has_credentials: bool,
    /// The job whose progress the page follows live, while it is not finished.
    live_job: Option<i64>,
    /// What its lease holds in store, once its owner was told.
    banner: Option<super::lease::Banner>,
    snapshots: Vec<Snapshot>,
    /// How many snapshots the template lets the owner keep; 0: none.
    max_snapshots: i64,
    /// Whether the caller may take, revert to and delete snapshots (a teacher only looks).
    may_snapshot: bool,
}

/// A machine's state and current job, for its owner or an administrator. Its credentials are
/// read (decrypted, audited) only when asked for, with [`credentials`].
pub async fn show(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<MachineId>,
) -> PageResult<MachinePage> {
    let (machine, reach) = crate::actions::machines::reach(&state, &me.who(), id).await?;
    let readable = reach.may_read_credentials().is_ok();
    let may_snapshot = reach.may_run(JobKind::Snapshot).is_ok();
    page(&state, &me, machine, None, readable, may_snapshot).await
}

/// The machine page with its credentials shown: the answer to the page's *Show* button.
pub async fn credentials(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<MachineId>,
) -> PageResult<MachinePage> {
    let (machine, credentials) = read_credentials(&state, &me.who(), id).await?;
    page(&state, &me, machine, Some(credentials), true, true).await
}

/// `readable`: whether the caller may read the credentials at all (a teacher of the machine's
/// course may not); `may_snapshot`: whether they may change its snapshots (neither may they).
async fn page(
    state: &AppState,
    me: &Signed,
    machine: Machine,
    credentials: Option<Credentials>,
    readable: bool,
    may_snapshot: bool,
) -> PageResult<MachinePage> {
    let live_job = machine
        .current_job
        .as_ref()
        .filter(|j| matches!(j.state, JobState::Queued | JobState::Running))
        .map(|j| j.id.0);
    let has_credentials = readable
        && machine.login_name.is_some()
        && !matches!(
            machine.state,
            MachineState::Deleting | MachineState::Deleted
        );
    let snapshots = state.store.snapshots(machine.id).await?;
    let max_snapshots = state
        .store
        .template(machine.template_id)
        .await?
        .map_or(0, |t| t.max_snapshots);
    Ok(MachinePage {
        nav: Nav::from(me),
        tr: me.tr,
        banner: super::lease::banner(state, me.tr, &machine).await?,
        machine,
        credentials,
        has_credentials,
        live_job,
        snapshots,
        max_snapshots,
        may_snapshot,
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
    Path(id): Path<MachineId>,
) -> PageResult<DeletePage> {
    let machine = crate::actions::machines::visible(&state, &me.who(), id).await?;
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
    Path((id, action)): Path<(MachineId, String)>,
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
    Path(id): Path<MachineId>,
) -> PageResult {
    queue(&state, &me, id, JobKind::Delete).await
}

#[derive(Deserialize)]
pub struct SnapshotForm {
    name: String,
    #[serde(default)]
    description: String,
}

/// The form of the Snapshots section.
pub async fn take_snapshot(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<MachineId>,
    Form(form): Form<SnapshotForm>,
) -> PageResult {
    snapshots::take(&state, &me.who(), id, &form.name, &form.description).await?;
    Ok(see_other(&format!("/machines/{id}")))
}

/// A snapshot's buttons: `revert`, `delete`.
pub async fn snapshot_action(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path((id, name, action)): Path<(MachineId, String, String)>,
) -> PageResult {
    let kind = match action.as_str() {
        "revert" => JobKind::RevertSnapshot,
        "delete" => JobKind::DeleteSnapshot,
        _ => return Err(AppError::NotFound.into()),
    };
    snapshots::act(&state, &me.who(), id, kind, &name).await?;
    Ok(see_other(&format!("/machines/{id}")))
}

async fn queue(state: &AppState, me: &Signed, id: MachineId, kind: JobKind) -> PageResult {
    enqueue(state, &me.who(), id, kind).await?;
    Ok(see_other(&format!("/machines/{id}")))
}
