//! *Courses*: administrators create courses; teachers (and administrators) manage one: its roster
//! with a CSV upload, deployments with their progress, and the students' machines with a view-only
//! console button. Everything goes through the same actions as the API.

use super::{Nav, PageResult, Tr, form::number, see_other};
use crate::{
    actions::{
        self,
        courses::{CreatedAccount, managed},
    },
    auth::Viewer,
    error::AppError,
    state::AppState,
};
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
    Invalid,
    course::{Course, CourseInput, DeploymentStatus, Membership, Roster},
    ids::{CourseId, DeploymentId, TemplateId},
    machine::Machine,
    quota::Quota,
    template::Template as Catalogue,
};

#[derive(Template, WebTemplate)]
#[template(path = "courses.html")]
pub struct CoursesPage {
    nav: Nav,
    tr: Tr,
    /// With the caller's part in each: "teacher", "student" or "" (an administrator).
    courses: Vec<(Course, String)>,
    errors: Invalid,
}

pub async fn list(State(state): State<AppState>, Viewer(me): Viewer) -> PageResult<CoursesPage> {
    Ok(courses_page(&state, &me, Invalid::default()).await?)
}

async fn courses_page(
    state: &AppState,
    me: &crate::auth::Signed,
    errors: Invalid,
) -> Result<CoursesPage, AppError> {
    let mut courses = Vec::new();
    for c in actions::courses::list(state, &me.who()).await? {
        let part = state.store.membership(c.id, me.user.id).await?;
        courses.push((c, part.map(|m| m.to_string()).unwrap_or_default()));
    }
    Ok(CoursesPage {
        nav: Nav::from(me),
        tr: me.tr,
        courses,
        errors,
    })
}

#[derive(Deserialize, Default)]
pub struct NewCourseForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    term_end: String,
    #[serde(default)]
    quota_machines: String,
    #[serde(default)]
    quota_cpus: String,
    #[serde(default)]
    quota_memory_mib: String,
    #[serde(default)]
    quota_disk_gib: String,
    #[serde(default)]
    teacher: String,
}

/// Administrators: a new course with its first teacher.
pub async fn create(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Form(f): Form<NewCourseForm>,
) -> PageResult {
    let mut invalid = Invalid::default();
    let quota = Quota {
        machines: number(&mut invalid, "quota_machines", &f.quota_machines),
        cpus: number(&mut invalid, "quota_cpus", &f.quota_cpus),
        memory_mib: number(&mut invalid, "quota_memory_mib", &f.quota_memory_mib),
        disk_gib: number(&mut invalid, "quota_disk_gib", &f.quota_disk_gib),
    };
    let input = CourseInput {
        name: f.name,
        code: f.code,
        term_end: Some(f.term_end),
        quota,
        ..Default::default()
    };
    let who = me.who();
    let result = match invalid.is_empty() {
        true => actions::courses::create(&state, &who, &input).await,
        false => Err(AppError::Invalid(invalid)),
    };
    let course = match result {
        Ok(c) => c,
        Err(AppError::Invalid(errors)) => {
            let page = courses_page(&state, &me, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let teachers: Vec<String> = Some(f.teacher.trim().to_owned())
        .filter(|t| !t.is_empty())
        .into_iter()
        .collect();
    actions::courses::set_roster(&state, &who, course.id, &teachers, &[]).await?;
    Ok(see_other(&format!("/courses/{}", course.id)))
}

#[derive(Template, WebTemplate)]
#[template(path = "course.html")]
pub struct CoursePage {
    nav: Nav,
    tr: Tr,
    course: Course,
    roster: Roster,
    templates: Vec<Catalogue>,
    machines: Vec<Machine>,
    deployment: Option<DeploymentStatus>,
    /// Accounts a CSV upload just made, with their passwords: shown this once.
    created: Vec<CreatedAccount>,
    errors: Invalid,
}

#[derive(Deserialize)]
pub struct Shown {
    deployment: Option<i64>,
}

async fn course_page(
    state: &AppState,
    me: &crate::auth::Signed,
    id: CourseId,
    deployment: Option<DeploymentId>,
) -> Result<CoursePage, AppError> {
    let course = managed(state, &me.who(), id).await?;
    let deployment = match deployment {
        Some(d) => state.store.deployment(id, d).await?,
        None => None,
    };
    let templates = actions::templates::catalogue(state, me)
        .await?
        .into_iter()
        .filter(|t| t.enabled && course.allows(t.id))
        .collect();
    Ok(CoursePage {
        nav: Nav::from(me),
        tr: me.tr,
        roster: state.store.roster(id).await?,
        machines: state.store.course_machines(id).await?,
        templates,
        course,
        deployment,
        created: Vec::new(),
        errors: Invalid::default(),
    })
}

/// A course for its teachers and administrators; students get 403.
pub async fn show(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<CourseId>,
    Query(q): Query<Shown>,
) -> PageResult<CoursePage> {
    Ok(course_page(&state, &me, id, q.deployment.map(DeploymentId)).await?)
}

#[derive(Deserialize)]
pub struct RosterForm {
    csv: String,
}

/// The CSV upload (pasted or from a file read by the browser into the text area).
pub async fn upload(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<CourseId>,
    Form(f): Form<RosterForm>,
) -> PageResult {
    let result = actions::courses::import_csv(&state, &me.who(), id, &f.csv).await;
    let mut page = course_page(&state, &me, id, None).await?;
    match result {
        Ok(imported) => {
            page.roster = imported.roster;
            page.created = imported.created;
            Ok(page.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct DeployForm {
    template_id: String,
    cpus: String,
    memory_mib: String,
    disk_gib: String,
}

pub async fn deploy(
    State(state): State<AppState>,
    Viewer(me): Viewer,
    Path(id): Path<CourseId>,
    Form(f): Form<DeployForm>,
) -> PageResult {
    let mut invalid = Invalid::default();
    let template = TemplateId(number(&mut invalid, "template_id", &f.template_id));
    let size = (
        number(&mut invalid, "cpus", &f.cpus),
        number(&mut invalid, "memory_mib", &f.memory_mib),
        number(&mut invalid, "disk_gib", &f.disk_gib),
    );
    let result = match invalid.is_empty() {
        true => actions::courses::deploy(&state, &me.who(), id, template, size).await,
        false => Err(AppError::Invalid(invalid)),
    };
    match result {
        Ok(done) => Ok(see_other(&format!(
            "/courses/{id}?deployment={}",
            done.deployment.id
        ))),
        Err(AppError::Invalid(errors)) => {
            let mut page = course_page(&state, &me, id, None).await?;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

impl CoursesPage {
    fn is_teacher(part: &str) -> bool {
        part == Membership::Teacher.as_str()
    }
}
