//! What owners see of a lease: a banner once a notice was recorded (with the date and what will
//! happen), the extend form, and administrators' *Expiring* page.

use super::{Nav, PageResult, form::number, see_other};
use crate::{
    actions::leases::{self, Extended},
    auth::{AdminPage, Viewer},
    state::AppState,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{Path, Query, State},
};
use serde::Deserialize;
use vmportal_core::{
    Invalid, Timestamp,
    ids::{MachineId, TemplateId},
    lease::NoticeKind,
    machine::{Machine, MachineState},
    store::StoreResult,
    template::Template as Catalogue,
};

/// A machine's banner: what happened or will happen to it, and when.
pub struct Banner {
    pub machine_id: MachineId,
    pub name: String,
    pub text: String,
}

fn day(t: Timestamp) -> String {
    format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())
}

/// The banner for `m`, from the newest notice about its current lease (or its last idle stop).
pub async fn banner(state: &AppState, m: &Machine) -> StoreResult<Option<Banner>> {
    if m.state == MachineState::Deleted {
        return Ok(None);
    }
    let Some(notice) = state.store.notices(m.id).await?.into_iter().next() else {
        return Ok(None);
    };
    let then = match m.delete_after {
        Some(d) => format!("stopped, and deleted on {}", day(d)),
        None => "stopped".to_owned(),
    };
    let text = match (notice.kind, m.expires_at) {
        (NoticeKind::IdleStop, _) => format!(
            "This machine was shut down on {} because it sat idle.",
            day(notice.created_at)
        ),
        (NoticeKind::Warning, Some(end)) => {
            format!(
                "The lease ends on {}: the machine will then be {then}. Extend it below if you still need it.",
                day(end)
            )
        }
        (NoticeKind::Expired | NoticeKind::Deleting, Some(end)) => {
            let deleted = m
                .delete_after
                .map(|d| format!(" It will be deleted on {}.", day(d)))
                .unwrap_or_default();
            format!(
                "The lease ended on {}: the machine is stopped and still counts toward your quota until it is deleted.{deleted} Extend the lease to use it again.",
                day(end)
            )
        }
        (_, None) => return Ok(None),
    };
    Ok(Some(Banner {
        machine_id: m.id,
        name: m.name.to_string(),
        text,
    }))
}

/// The banners of the machines that have one.
pub async fn banners(state: &AppState, machines: &[Machine]) -> StoreResult<Vec<Banner>> {
    let mut all = Vec::new();
    for m in machines.iter().filter(|m| m.expires_at.is_some()) {
        all.extend(banner(state, m).await?);
    }
    Ok(all)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExtendForm {
    days: String,
    reason: String,
}

/// The machine page's extend button.
pub async fn extend(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<MachineId>,
    Form(f): Form<ExtendForm>,
) -> PageResult {
    let mut invalid = Invalid::default();
    let days = number(&mut invalid, "days", &f.days);
    if !invalid.is_empty() {
        return Err(crate::error::AppError::Invalid(invalid).into());
    }
    let to = match leases::extend(&state, &me, id, days, &f.reason).await? {
        Extended::Granted(m) => format!("/machines/{}", m.id),
        Extended::Asked(r) => format!("/machines/{}", r.machine_id),
    };
    Ok(see_other(&to))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_expiring.html")]
pub struct ExpiringPage {
    nav: Nav,
    machines: Vec<Machine>,
    templates: Vec<Catalogue>,
    template: Option<TemplateId>,
}

#[derive(Deserialize)]
pub struct ExpiringFilter {
    template: Option<String>,
}

/// Machines whose lease ends within 30 days (or is over), soonest first; by template.
pub async fn expiring(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
    Query(filter): Query<ExpiringFilter>,
) -> PageResult<ExpiringPage> {
    let template = filter.template.and_then(|t| t.parse().ok()).map(TemplateId);
    Ok(ExpiringPage {
        machines: leases::expiring(&state, &me, 30, template).await?,
        templates: state.store.templates().await?,
        template,
        nav: Nav::from(&me),
    })
}
