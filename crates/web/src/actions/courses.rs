//! Courses: administrators create them and name teachers; teachers manage the rest of their own
//! courses (students, deployments, their students' requests and course machines).

use crate::{
    caller::Caller,
    error::{AppError, AppResult},
    state::AppState,
};
use serde::Serialize;
use utoipa::ToSchema;
use vmportal_core::{
    Invalid,
    audit::Actor,
    authz::Denied,
    course::{
        Course, CourseInput, Membership, NewCourse, Roster, RosterLine, machine_name,
        parse_roster_csv,
    },
    directory::DirectoryEntry,
    ids::{CourseId, TemplateId, UserId},
    msg,
    names::Username,
    password::Password,
    resources::Resources,
    store::{Deployed, NewDeployment},
    user::{NewUser, Role, User, UserSource},
};

/// Courses the caller may see: all for administrators, otherwise those they teach or attend.
pub async fn list(state: &AppState, by: &Caller) -> AppResult<Vec<Course>> {
    let member = (!by.is_admin()).then_some(by.id);
    Ok(state.store.courses(member).await?)
}

/// The course and what the caller is in it (`None` for an administrator who is not a member);
/// "not found" for someone who is neither.
pub async fn visible(
    state: &AppState,
    by: &Caller,
    id: CourseId,
) -> AppResult<(Course, Option<Membership>)> {
    let course = state.store.course(id).await?.ok_or(AppError::NotFound)?;
    let membership = state.store.membership(id, by.id).await?;
    if membership.is_none() && !by.is_admin() {
        return Err(AppError::NotFound);
    }
    Ok((course, membership))
}

/// The course, if the caller administers or teaches it; students get 403.
pub async fn managed(state: &AppState, by: &Caller, id: CourseId) -> AppResult<Course> {
    match visible(state, by, id).await? {
        (course, Some(Membership::Teacher)) => Ok(course),
        (course, _) if by.is_admin() => Ok(course),
        _ => Err(Denied::Forbidden.into()),
    }
}

pub async fn create(state: &AppState, by: &Caller, input: &CourseInput) -> AppResult<Course> {
    by.authz().require_admin()?;
    let new = NewCourse::parse(input)?;
    Ok(state.store.create_course(new, &by.actor).await?)
}

/// A change to a course; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct CourseChange {
    pub name: Option<String>,
    pub code: Option<String>,
    pub term_end: Option<Option<String>>,
    pub template_ids: Option<Vec<TemplateId>>,
    pub quota: Option<vmportal_core::quota::Quota>,
    pub teacher_full_console: Option<bool>,
    pub teacher_may_delete: Option<bool>,
}

/// Teachers may rename their course and move its term end; its code, templates, quota and what
/// teachers may do are the administrators' to set.
pub async fn update(
    state: &AppState,
    by: &Caller,
    id: CourseId,
    change: CourseChange,
) -> AppResult<Course> {
    let course = managed(state, by, id).await?;
    let admin_only = change.code.is_some()
        || change.template_ids.is_some()
        || change.quota.is_some()
        || change.teacher_full_console.is_some()
        || change.teacher_may_delete.is_some();
    if admin_only && !by.is_admin() {
        return Err(Denied::Forbidden.into());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let input = CourseInput {
        name: change.name.unwrap_or(course.name),
        code: change.code.unwrap_or_else(|| course.code.to_string()),
        term_end: change
            .term_end
            .unwrap_or_else(|| course.term_end.and_then(|d| d.format(format).ok())),
        template_ids: change.template_ids.unwrap_or(course.template_ids),
        quota: change.quota.unwrap_or(course.quota),
        settings: vmportal_core::course::CourseSettings {
            teacher_full_console: change
                .teacher_full_console
                .unwrap_or(course.settings.teacher_full_console),
            teacher_may_delete: change
                .teacher_may_delete
                .unwrap_or(course.settings.teacher_may_delete),
        },
    };
    let new = NewCourse::parse(&input)?;
    Ok(state.store.update_course(id, new, &by.actor).await?)
}

pub async fn delete(state: &AppState, by: &Caller, id: CourseId) -> AppResult<()> {
    visible(state, by, id).await?;
    by.authz().require_admin()?;
    Ok(state.store.delete_course(id, &by.actor).await?)
}

pub async fn roster(state: &AppState, by: &Caller, id: CourseId) -> AppResult<Roster> {
    managed(state, by, id).await?;
    Ok(state.store.roster(id).await?)
}

/// Replaces the members. Only administrators name teachers: a teacher's roster must keep the
/// teachers as they are.
pub async fn set_roster(
    state: &AppState,
    by: &Caller,
    id: CourseId,
    teachers: &[String],
    students: &[String],
) -> AppResult<Roster> {
    managed(state, by, id).await?;
    let teacher_ids = checked_teachers(state, by, id, teachers).await?;
    let student_ids = existing_users(state, "students", students).await?;
    state
        .store
        .set_roster(id, &teacher_ids, &student_ids, &by.actor)
        .await?;
    if state.store.roster(id).await?.ldap_group.is_some() {
        state.store.set_roster_group(id, None, &by.actor).await?;
    }
    Ok(state.store.roster(id).await?)
}

/// The teachers asked for, all existing; only administrators change them.
async fn checked_teachers(
    state: &AppState,
    by: &Caller,
    id: CourseId,
    teachers: &[String],
) -> AppResult<Vec<UserId>> {
    let teacher_ids = existing_users(state, "teachers", teachers).await?;
    if !by.is_admin() {
        let current = state.store.roster(id).await?;
        let mut now: Vec<&str> = current.teachers.iter().map(Username::as_str).collect();
        let mut asked: Vec<String> = teachers.iter().map(|t| t.trim().to_lowercase()).collect();
        now.sort_unstable();
        asked.sort_unstable();
        asked.dedup();
        if now != asked {
            return Err(Denied::Forbidden.into());
        }
    }
    Ok(teacher_ids)
}

async fn existing_users(state: &AppState, field: &str, names: &[String]) -> AppResult<Vec<UserId>> {
    let mut invalid = Invalid::default();
    let mut ids = Vec::with_capacity(names.len());
    for name in names {
        match state
            .store
            .user_for_login(&name.trim().to_lowercase())
            .await?
        {
            Some((user, _)) => ids.push(user.id),
            None => invalid.push(field, msg("err-no-user").arg("name", name.as_str())),
        }
    }
    invalid.or(|| ids).map_err(Into::into)
}

/// An account a roster upload created; the password is shown once, for local accounts.
#[derive(Serialize, ToSchema)]
pub struct CreatedAccount {
    #[schema(value_type = String)]
    pub username: Username,
    /// `null` for a directory account, which signs in with the directory's password.
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Imported {
    pub roster: Roster,
    pub created: Vec<CreatedAccount>,
}

/// Adds the students of a CSV (`username[,display name,email]`), creating the accounts that do
/// not exist: from the directory when it knows the name, otherwise local with a generated password.
pub async fn import_csv(
    state: &AppState,
    by: &Caller,
    id: CourseId,
    csv: &str,
) -> AppResult<Imported> {
    managed(state, by, id).await?;
    let lines = parse_roster_csv(csv)?;
    let roster = state.store.roster(id).await?;
    if let Some(group) = &roster.ldap_group {
        return Err(Invalid::field(
            "csv",
            msg("err-roster-follows-group").arg("group", group.as_str()),
        )
        .into());
    }
    let mut students = Vec::new();
    let mut created = Vec::new();
    for line in &lines {
        let user = match state.store.user_for_login(line.username.as_str()).await? {
            Some((user, _)) => user,
            None => {
                let (user, password) = create_account(state, &by.actor, line).await?;
                created.push(CreatedAccount {
                    username: user.username.clone(),
                    password: password.map(|p| p.expose().to_owned()),
                });
                user
            }
        };
        if roster.teachers.contains(&user.username) {
            return Err(Invalid::field(
                "csv",
                msg("err-is-teacher").arg("name", user.username.as_str()),
            )
            .into());
        }
        students.push(user.id);
    }
    let mut teachers = Vec::new();
    for name in roster.teachers.iter() {
        teachers.extend(existing_users(state, "teachers", &[name.to_string()]).await?);
    }
    students.extend(existing_users(state, "students", &names(&roster.students)).await?);
    students.sort_unstable();
    students.dedup();
    state
        .store
        .set_roster(id, &teachers, &students, &by.actor)
        .await?;
    Ok(Imported {
        roster: state.store.roster(id).await?,
        created,
    })
}

fn names(users: &[Username]) -> Vec<String> {
    users.iter().map(ToString::to_string).collect()
}

async fn create_account(
    state: &AppState,
    actor: &Actor,
    line: &RosterLine,
) -> AppResult<(User, Option<Password>)> {
    let from_directory = match &state.directory {
        Some(dir) => dir.lookup(line.username.as_str()).await.map_err(|e| {
            // The cause is for the log: teachers read no detail of the directory.
            tracing::warn!(error = %e, "directory lookup for a roster impossible");
            AppError::DirectoryUnavailable(None)
        })?,
        None => None,
    };
    let (new, password) = match from_directory {
        Some(entry) => {
            let mut new = directory_account(line.username.clone(), &entry);
            new.email = new.email.or_else(|| line.email.clone());
            (new, None)
        }
        None => {
            let password = Password::generate();
            let hash = state.hashing.hash(password.clone()).await?;
            let display_name = if line.display_name.is_empty() {
                line.username.to_string()
            } else {
                line.display_name.clone()
            };
            (
                NewUser {
                    username: line.username.clone(),
                    display_name,
                    email: line.email.clone(),
                    role: Role::User,
                    source: UserSource::Local,
                    password_hash: Some(hash),
                    // Shown once to the teacher: the student chooses their own at first sign-in.
                    must_change_password: true,
                },
                Some(password),
            )
        }
    };
    Ok((state.store.create_user(new, actor).await?, password))
}

/// An account for a directory member: they sign in with the directory's password, which also
/// decides their role then.
fn directory_account(username: Username, entry: &DirectoryEntry) -> NewUser {
    NewUser {
        display_name: if entry.display_name.is_empty() {
            username.to_string()
        } else {
            entry.display_name.clone()
        },
        username,
        email: entry.email.clone(),
        role: Role::User,
        source: UserSource::Ldap,
        password_hash: None,
        must_change_password: false,
    }
}

/// What reading a course's directory group again changed.
#[derive(Serialize, ToSchema)]
pub struct Synced {
    pub roster: Roster,
    /// Directory accounts made for members new to the portal (no password: the directory's).
    pub created: Vec<CreatedAccount>,
    /// Members whose login name the portal cannot take as a username, left out.
    pub skipped: Vec<String>,
}

/// The directory group's members, or a clear refusal when there is no directory or no such group.
async fn group_members(state: &AppState, group: &str) -> AppResult<Vec<DirectoryEntry>> {
    let no_group = || Invalid::field("ldap_group", msg("err-no-group").arg("group", group));
    let Some(dir) = &state.directory else {
        return Err(Invalid::field("ldap_group", msg("err-no-directory")).into());
    };
    dir.group_members(group)
        .await
        .map_err(|e| {
            // The cause is for the log: teachers read no detail of the directory.
            tracing::warn!(error = %e, "directory group lookup impossible");
            AppError::DirectoryUnavailable(None)
        })?
        .ok_or_else(|| no_group().into())
}

/// Makes the course's students follow a directory group (teachers as in [`set_roster`]).
pub async fn follow_group(
    state: &AppState,
    by: &Caller,
    id: CourseId,
    teachers: &[String],
    group: &str,
) -> AppResult<Synced> {
    managed(state, by, id).await?;
    let group = group.trim();
    // Read before anything changes: an unknown group or an outage leaves the course as it was.
    let members = group_members(state, group).await?;
    let teacher_ids = checked_teachers(state, by, id, teachers).await?;
    state
        .store
        .set_roster_group(id, Some(group), &by.actor)
        .await?;
    sync_students(state, &by.actor, id, teacher_ids, members).await
}

/// Reads the course's directory group again, now.
pub async fn sync_group(state: &AppState, by: &Caller, id: CourseId) -> AppResult<Synced> {
    managed(state, by, id).await?;
    sync_course(state, &by.actor, id).await
}

/// Reads every group-following course's group again (the web app's housekeeping).
pub async fn sync_all(state: &AppState) -> AppResult<()> {
    let actor = Actor::system("roster sync");
    for id in state.store.group_courses().await? {
        if let Err(e) = sync_course(state, &actor, id).await {
            tracing::warn!(course = id.0, error = %e, "could not read the course's group again");
        }
    }
    Ok(())
}

async fn sync_course(state: &AppState, actor: &Actor, id: CourseId) -> AppResult<Synced> {
    let roster = state.store.roster(id).await?;
    let Some(group) = roster.ldap_group else {
        return Err(Invalid::field("ldap_group", msg("err-no-course-group")).into());
    };
    let members = group_members(state, &group).await?;
    let teachers = existing_users(state, "teachers", &names(&roster.teachers)).await?;
    sync_students(state, actor, id, teachers, members).await
}

/// Students become exactly the group's members (its teachers stay teachers), with an account made
/// for each member new to the portal. Nothing is written when nothing changed.
async fn sync_students(
    state: &AppState,
    actor: &Actor,
    id: CourseId,
    teachers: Vec<UserId>,
    members: Vec<DirectoryEntry>,
) -> AppResult<Synced> {
    let before = state.store.roster(id).await?;
    let (mut students, mut created, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    for entry in members {
        let Ok(username) = Username::parse("username", &entry.username.to_lowercase()) else {
            skipped.push(entry.username);
            continue;
        };
        let user = match state.store.user_for_login(username.as_str()).await? {
            Some((user, _)) => user,
            None => {
                let new = directory_account(username, &entry);
                let user = state.store.create_user(new, actor).await?;
                created.push(CreatedAccount {
                    username: user.username.clone(),
                    password: None,
                });
                user
            }
        };
        if !teachers.contains(&user.id) {
            students.push(user.id);
        }
    }
    students.sort_unstable();
    students.dedup();
    let mut current = existing_users(state, "students", &names(&before.students)).await?;
    current.sort_unstable();
    let mut teachers_before = existing_users(state, "teachers", &names(&before.teachers)).await?;
    teachers_before.sort_unstable();
    let mut teachers_now = teachers.clone();
    teachers_now.sort_unstable();
    if current != students || teachers_before != teachers_now {
        state
            .store
            .set_roster(id, &teachers, &students, actor)
            .await?;
    }
    Ok(Synced {
        roster: state.store.roster(id).await?,
        created,
        skipped,
    })
}

/// One machine per student of the course who has none in it, of `template` and size.
pub async fn deploy(
    state: &AppState,
    by: &Caller,
    id: CourseId,
    template_id: TemplateId,
    size: (i64, i64, i64),
) -> AppResult<Deployed> {
    let course = managed(state, by, id).await?;
    let template = state
        .store
        .template(template_id)
        .await?
        .filter(|t| t.enabled && course.allows(t.id))
        .ok_or_else(|| Invalid::field("template_id", msg("err-not-course-template")))?;
    let resources = Resources::parse_within(size.0, size.1, size.2, &template.limits)?;
    let roster = state.store.roster(id).await?;
    let mut students = Vec::with_capacity(roster.students.len());
    for name in &roster.students {
        let (user, _) = state
            .store
            .user_for_login(name.as_str())
            .await?
            .ok_or(AppError::NotFound)?;
        students.push((user.id, machine_name(&course.code, name)?));
    }
    let new = NewDeployment {
        course_id: id,
        template_id,
        resources,
        students,
    };
    Ok(state.store.deploy(new, &by.actor).await?)
}
