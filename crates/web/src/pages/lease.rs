//! What owners see of a lease: a banner once a notice was recorded (with the date and what will
//! happen), the extend form, and administrators' *Expiring* page.

use super::{Nav, PageResult, Tr, form::number, see_other};
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
    Invalid,
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

/// The banner for `m`, from the newest notice about its current lease (or its last idle stop),
/// in `tr`'s language.
pub async fn banner(state: &AppState, tr: Tr, m: &Machine) -> StoreResult<Option<Banner>> {
    if m.state == MachineState::Deleted {
        return Ok(None);
    }
    let Some(notice) = state.store.notices(m.id).await?.into_iter().next() else {
        return Ok(None);
    };
    let text = match (notice.kind, m.expires_at, m.delete_after) {
        (NoticeKind::IdleStop, _, _) => {
            tr.t1("lease-banner-idle", "when", tr.datetime(notice.created_at))
        }
        (NoticeKind::Warning, Some(end), None) => {
            tr.t1("lease-banner-warning", "end", tr.datetime(end))
        }
        (NoticeKind::Warning, Some(end), Some(d)) => tr.t2(
            "lease-banner-warning-delete",
            "end",
            tr.datetime(end),
            "deleted",
            tr.datetime(d),
        ),
        (NoticeKind::Expired | NoticeKind::Deleting, Some(end), None) => {
            tr.t1("lease-banner-expired", "end", tr.datetime(end))
        }
        (NoticeKind::Expired | NoticeKind::Deleting, Some(end), Some(d)) => tr.t2(
            "lease-banner-expired-delete",
            "end",
            tr.datetime(end),
            "deleted",
            tr.datetime(d),
        ),
        (_, None, _) => return Ok(None),
    };
    Ok(Some(Banner {
        machine_id: m.id,
        name: m.name.to_string(),
        text,
    }))
}

/// The banners of the machines that have one.
pub async fn banners(state: &AppState, tr: Tr, machines: &[Machine]) -> StoreResult<Vec<Banner>> {
    let mut all = Vec::new();
    for m in machines.iter().filter(|m| m.expires_at.is_some()) {
        all.extend(banner(state, tr, m).await?);
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
    tr: Tr,
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
        tr: me.tr,
    })
}
