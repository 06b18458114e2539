use super::{Nav, PageResult, Tr, form::number, see_other};
use crate::{actions, auth::Viewer, error::AppError, state::AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::IntoResponse,
};
use serde::Deserialize;
use vmportal_core::{
    Invalid, quota::Quota, request::RequestInput, template::Template as Catalogue,
};
use vmportal_core::{
    course::{Course, Membership},
    ids::{CourseId, RequestId},
};

#[derive(Template, WebTemplate)]
#[template(path = "request_new.html")]
pub struct RequestPage {
    nav: Nav,
    tr: Tr,
    templates: Vec<Catalogue>,
    /// The courses the caller is a student of, for the course picker.
    courses: Vec<Course>,
    remaining: Quota,
    form: RequestForm,
    errors: Invalid,
}

#[derive(Deserialize, Default)]
pub struct RequestForm {
    #[serde(default)]
    template_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    cpus: String,
    #[serde(default)]
    memory_mib: String,
    #[serde(default)]
    disk_gib: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    course_id: String,
}

#[derive(Deserialize)]
pub struct Chosen {
    template: Option<String>,
}

async fn page(
    state: &AppState,
    me: &Viewer,
    form: RequestForm,
    errors: Invalid,
) -> PageResult<RequestPage> {
    let me = &me.0;
    let usage = state.store.usage(me.user.id).await?;
    let mut courses = Vec::new();
    for course in state.store.courses(Some(me.user.id)).await? {
        if state.store.membership(course.id, me.user.id).await? == Some(Membership::Student) {
            courses.push(course);
        }
    }
    Ok(RequestPage {
        courses,
        nav: Nav::from(me),
        tr: me.tr,
        templates: actions::templates::catalogue(state, me)
            .await?
            .into_iter()
            .filter(|t| t.enabled)
            .collect(),
        remaining: state.quota_of(&me.user).remaining(&usage),
        form,
        errors,
    })
}

/// The request form, filled with the chosen template's defaults.
pub async fn form(
    State(state): State<AppState>,
    me: Viewer,
    Query(q): Query<Chosen>,
) -> PageResult<RequestPage> {
    let mut page = page(&state, &me, RequestForm::default(), Invalid::default()).await?;
    let chosen = q
        .template
        .and_then(|id| id.parse::<i64>().ok())
        .and_then(|id| page.templates.iter().find(|t| t.id.0 == id))
        .or(page.templates.first());
    if let Some(t) = chosen {
        page.form = RequestForm {
            template_id: t.id.to_string(),
            cpus: t.defaults.cpus.to_string(),
            memory_mib: t.defaults.memory_mib.to_string(),
            disk_gib: t.defaults.disk_gib.to_string(),
            ..Default::default()
        };
    }
    Ok(page)
}

pub async fn submit(
    State(state): State<AppState>,
    me: Viewer,
    Form(f): Form<RequestForm>,
) -> PageResult {
    let mut invalid = Invalid::default();
    let template_id = number(&mut invalid, "template_id", &f.template_id);
    let course_id = (!f.course_id.is_empty())
        .then(|| CourseId(number(&mut invalid, "course_id", &f.course_id)));
    let input = RequestInput {
        name: f.name.clone(),
        cpus: number(&mut invalid, "cpus", &f.cpus),
        memory_mib: number(&mut invalid, "memory_mib", &f.memory_mib),
        disk_gib: number(&mut invalid, "disk_gib", &f.disk_gib),
        purpose: f.purpose.clone(),
    };
    // Every field's problem at once: the domain's checks run even when a number did not parse.
    let result = match (
        actions::requests::validate(&state, &me.0.who(), template_id, course_id, &input).await,
        invalid.is_empty(),
    ) {
        (Ok(new), true) => actions::requests::submit(&state, &me.0.who(), new).await,
        (Ok(_), false) => Err(AppError::Invalid(invalid)),
        (Err(AppError::Invalid(more)), _) => {
            invalid.merge(more);
            Err(AppError::Invalid(invalid))
        }
        (Err(e), _) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other("/")),
        Err(AppError::Invalid(errors)) => {
            let page = page(&state, &me, f, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<RequestId>,
) -> PageResult {
    actions::requests::cancel(&state, &me.who(), id).await?;
    Ok(see_other("/"))
}
