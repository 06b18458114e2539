use super::{Nav, PageResult, Tr};
use crate::{auth::Viewer, state::AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use vmportal_core::ids::MachineId;
use vmportal_core::machine::Machine;

#[derive(Template, WebTemplate)]
#[template(path = "console.html")]
pub struct ConsolePage {
    nav: Nav,
    tr: Tr,
    machine: Machine,
}

/// The console of a machine: noVNC, on a ticket from the URL's fragment or minted by the page.
pub async fn show(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<MachineId>,
) -> PageResult<ConsolePage> {
    let machine = crate::actions::machines::visible(&state, &me.who(), id).await?;
    Ok(ConsolePage {
        nav: Nav::from(&me),
        tr: me.tr,
        machine,
    })
}
