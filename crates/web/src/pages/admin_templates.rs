use super::{
    Nav, PageResult, Tr,
    form::{number, optional_number},
    see_other,
};
use crate::{actions, auth::AdminPage, error::AppError, state::AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use vmportal_core::{
    Invalid,
    ids::TemplateId,
    lease::{ExpiryAction, LeaseInput},
    resources::Resources,
    template::{DEFAULT_MAX_SNAPSHOTS, Template as Catalogue, TemplateInput, TemplateSpec},
};

#[derive(Template, WebTemplate)]
#[template(path = "admin_templates.html")]
pub struct TemplatesPage {
    nav: Nav,
    tr: Tr,
    templates: Vec<Catalogue>,
}

pub async fn list(
    State(state): State<AppState>,
    AdminPage(me): AdminPage,
) -> PageResult<TemplatesPage> {
    Ok(TemplatesPage {
        nav: Nav::from(&me),
        tr: me.tr,
        templates: actions::templates::catalogue(&state, &me).await?,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_template_form.html")]
pub struct TemplateFormPage {
    nav: Nav,
    tr: Tr,
    /// `None` for a new entry.
    id: Option<TemplateId>,
    providers: Vec<String>,
    form: TemplateForm,
    errors: Invalid,
}

/// Every field as text, as the browser sends it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TemplateForm {
    name: String,
    description: String,
    provider: String,
    kind: String,
    os_family: String,
    source: String,
    default_cpus: String,
    default_memory_mib: String,
    default_disk_gib: String,
    max_cpus: String,
    max_memory_mib: String,
    max_disk_gib: String,
    shutdown_timeout_secs: String,
    max_snapshots: String,
    locale: String,
    /// Present only when the box is ticked.
    enabled: Option<String>,
    /// Empty: machines do not expire.
    lease_days: String,
    max_lease_days: String,
    extend_days: String,
    expiry_action: String,
    grace_days: String,
    /// Empty: never shut down for idleness.
    idle_stop_minutes: String,
}

fn optional_text(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl TemplateForm {
    fn from_input(i: &TemplateInput) -> Self {
        TemplateForm {
            name: i.name.clone(),
            description: i.description.clone(),
            provider: i.provider.clone(),
            kind: i.kind.clone(),
            os_family: i.os_family.clone(),
            source: i.source.clone(),
            default_cpus: i.defaults.cpus.to_string(),
            default_memory_mib: i.defaults.memory_mib.to_string(),
            default_disk_gib: i.defaults.disk_gib.to_string(),
            max_cpus: i.limits.cpus.to_string(),
            max_memory_mib: i.limits.memory_mib.to_string(),
            max_disk_gib: i.limits.disk_gib.to_string(),
            shutdown_timeout_secs: i.shutdown_timeout_secs.to_string(),
            max_snapshots: i.max_snapshots.to_string(),
            locale: i.locale.clone(),
            enabled: i.enabled.then(|| "on".to_owned()),
            lease_days: optional_text(i.lease.lease_days),
            max_lease_days: optional_text(i.lease.max_lease_days),
            extend_days: i.lease.extend_days.to_string(),
            expiry_action: i.lease.expiry_action.clone(),
            grace_days: optional_text(i.lease.grace_days),
            idle_stop_minutes: optional_text(i.lease.idle_stop_minutes),
        }
    }

    fn to_input(&self, invalid: &mut Invalid) -> TemplateInput {
        let mut n = |field, raw: &str| number(invalid, field, raw);
        let (defaults, limits, shutdown_timeout_secs, max_snapshots) = (
            Resources {
                cpus: n("default_cpus", &self.default_cpus),
                memory_mib: n("default_memory_mib", &self.default_memory_mib),
                disk_gib: n("default_disk_gib", &self.default_disk_gib),
            },
            Resources {
                cpus: n("max_cpus", &self.max_cpus),
                memory_mib: n("max_memory_mib", &self.max_memory_mib),
                disk_gib: n("max_disk_gib", &self.max_disk_gib),
            },
            n("shutdown_timeout_secs", &self.shutdown_timeout_secs),
            n("max_snapshots", &self.max_snapshots),
        );
        TemplateInput {
            name: self.name.clone(),
            description: self.description.clone(),
            provider: self.provider.clone(),
            kind: self.kind.clone(),
            os_family: self.os_family.clone(),
            source: self.source.clone(),
            defaults,
            limits,
            shutdown_timeout_secs,
            max_snapshots,
            locale: self.locale.clone(),
            enabled: self.enabled.is_some(),
            lease: LeaseInput {
                lease_days: optional_number(invalid, "lease_days", &self.lease_days),
                max_lease_days: optional_number(invalid, "max_lease_days", &self.max_lease_days),
                extend_days: optional_number(invalid, "extend_days", &self.extend_days)
                    .unwrap_or(0),
                expiry_action: match self.expiry_action.trim() {
                    "" => ExpiryAction::default().to_string(),
                    a => a.to_owned(),
                },
                grace_days: optional_number(invalid, "grace_days", &self.grace_days),
                idle_stop_minutes: optional_number(
                    invalid,
                    "idle_stop_minutes",
                    &self.idle_stop_minutes,
                ),
            },
        }
    }
}

fn form_page(
    state: &AppState,
    me: &AdminPage,
    id: Option<TemplateId>,
    form: TemplateForm,
    errors: Invalid,
) -> TemplateFormPage {
    TemplateFormPage {
        nav: Nav::from(&me.0),
        tr: me.0.tr,
        id,
        providers: state.providers.names(),
        form,
        errors,
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    me: AdminPage,
) -> PageResult<TemplateFormPage> {
    let small = Resources {
        cpus: 1,
        memory_mib: 1024,
        disk_gib: 10,
    };
    let input = TemplateInput {
        kind: "vm".into(),
        os_family: "linux".into(),
        provider: state.providers.names().first().cloned().unwrap_or_default(),
        defaults: small,
        limits: Resources {
            cpus: 4,
            memory_mib: 8192,
            disk_gib: 100,
        },
        shutdown_timeout_secs: 120,
        max_snapshots: DEFAULT_MAX_SNAPSHOTS,
        enabled: true,
        lease: LeaseInput::from(&vmportal_core::lease::LeasePolicy::default()),
        ..Default::default()
    };
    Ok(form_page(
        &state,
        &me,
        None,
        TemplateForm::from_input(&input),
        Invalid::default(),
    ))
}

pub async fn edit_form(
    State(state): State<AppState>,
    me: AdminPage,
    Path(id): Path<TemplateId>,
) -> PageResult<TemplateFormPage> {
    let t = state.store.template(id).await?.ok_or(AppError::NotFound)?;
    Ok(form_page(
        &state,
        &me,
        Some(id),
        TemplateForm::from_input(&TemplateInput::from(&t)),
        Invalid::default(),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    me: AdminPage,
    Form(f): Form<TemplateForm>,
) -> PageResult {
    save(&state, &me, None, f).await
}

pub async fn update(
    State(state): State<AppState>,
    me: AdminPage,
    Path(id): Path<TemplateId>,
    Form(f): Form<TemplateForm>,
) -> PageResult {
    save(&state, &me, Some(id), f).await
}

async fn save(
    state: &AppState,
    me: &AdminPage,
    id: Option<TemplateId>,
    f: TemplateForm,
) -> PageResult<Response> {
    let mut invalid = Invalid::default();
    let input = f.to_input(&mut invalid);
    let result = match (invalid.is_empty(), id) {
        (false, _) => {
            // Every field's problem at once, not only the numbers that did not parse.
            if let Err(more) = TemplateSpec::parse(&input, &state.providers.names()) {
                invalid.merge(more);
            }
            Err(AppError::Invalid(invalid))
        }
        (true, None) => actions::templates::create(state, &me.0, &input).await,
        (true, Some(id)) => actions::templates::update(state, &me.0, id, |i| *i = input).await,
    };
    match result {
        Ok(_) => Ok(see_other("/admin/templates")),
        Err(AppError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(state, me, id, f, errors),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}
