use crate::{
    actions::{
        self,
        courses::{Imported, Synced},
    },
    api::extract::{ApiJson, ApiPath},
    caller::Caller,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa::ToSchema;
use vmportal_core::{Invalid, course::Roster, ids::CourseId};

/// The course's teachers and students by username (administrators and its teachers).
#[utoipa::path(get, path = "/api/v1/courses/{id}/members", tag = "courses",
    params(("id" = i64, Path, description = "Course id")),
    responses((status = 200, body = Roster), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    by: Caller,
    ApiPath(id): ApiPath<CourseId>,
) -> AppResult<Json<Roster>> {
    Ok(Json(actions::courses::roster(&state, &by, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterBody {
    /// Usernames. Only administrators change the teachers: a teacher sends them unchanged.
    pub teachers: Vec<String>,
    /// Usernames; leave out (or empty) with `ldap_group`.
    #[serde(default)]
    pub students: Vec<String>,
    /// A directory group whose members become the students, read again on demand
    /// (`POST .../members/sync`) and every five minutes; accounts are made for members new to
    /// the portal. A roster sent with `students` instead stops following the group.
    pub ldap_group: Option<String>,
}

/// Replaces the members; every username must exist (see the CSV upload to create accounts), or
/// the students follow a directory group.
#[utoipa::path(put, path = "/api/v1/courses/{id}/members", tag = "courses", request_body = RosterBody,
    params(("id" = i64, Path, description = "Course id")),
    responses((status = 200, body = Roster), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, description = "Unknown usernames, named", body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    by: Caller,
    ApiPath(id): ApiPath<CourseId>,
    ApiJson(body): ApiJson<RosterBody>,
) -> AppResult<Json<Roster>> {
    let group = body.ldap_group.as_deref().filter(|g| !g.trim().is_empty());
    Ok(Json(match group {
        Some(_) if !body.students.is_empty() => {
            return Err(
                Invalid::field("students", vmportal_core::msg("err-students-or-group")).into(),
            );
        }
        Some(group) => {
            actions::courses::follow_group(&state, &by, id, &body.teachers, group)
                .await?
                .roster
        }
        None => {
            actions::courses::set_roster(&state, &by, id, &body.teachers, &body.students).await?
        }
    }))
}

/// Reads the course's directory group again now: members new to the group become students (with
/// a directory account if they had none), those who left it leave the course.
#[utoipa::path(post, path = "/api/v1/courses/{id}/members/sync", tag = "courses",
    params(("id" = i64, Path, description = "Course id")),
    responses((status = 200, body = Synced), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, description = "The course follows no group, or the directory has no such group", body = ErrorBody),
        (status = 503, description = "The directory did not answer", body = ErrorBody)))]
pub async fn sync(
    State(state): State<AppState>,
    by: Caller,
    ApiPath(id): ApiPath<CourseId>,
) -> AppResult<Json<Synced>> {
    Ok(Json(actions::courses::sync_group(&state, &by, id).await?))
}

/// Adds students from a CSV, one per line: `username[,display name,email]`. Accounts that do not
/// exist are created: from the directory when it knows the name, otherwise local ones with a
/// generated password, returned here once.
#[utoipa::path(post, path = "/api/v1/courses/{id}/members/csv", tag = "courses",
    request_body(content = String, content_type = "text/csv"),
    params(("id" = i64, Path, description = "Course id")),
    responses((status = 200, body = Imported), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, description = "Lines that do not parse, named", body = ErrorBody)))]
pub async fn csv(
    State(state): State<AppState>,
    by: Caller,
    ApiPath(id): ApiPath<CourseId>,
    body: String,
) -> AppResult<Json<Imported>> {
    Ok(Json(
        actions::courses::import_csv(&state, &by, id, &body).await?,
    ))
}
