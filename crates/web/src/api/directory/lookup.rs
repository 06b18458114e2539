use crate::{
    actions,
    api::extract::ApiQuery,
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vmportal_core::directory::DirectoryEntry;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The name a person would type at sign-in.
    pub username: String,
}

#[derive(Serialize, ToSchema)]
pub struct DirectoryLookup {
    /// `null` when the directory has no such person.
    pub entry: Option<DirectoryEntry>,
}

/// What a username resolves to in the sign-in directory (DN, groups, role), without a password:
/// a test of the directory settings.
#[utoipa::path(get, path = "/api/v1/directory/lookup", tag = "admin", params(LookupQuery),
    responses(
        (status = 200, body = DirectoryLookup),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No directory is configured", body = ErrorBody),
        (status = 503, description = "The directory is unreachable or does not fit the settings; the message says why", body = ErrorBody),
    ))]
pub async fn lookup(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiQuery(q): ApiQuery<LookupQuery>,
) -> AppResult<Json<DirectoryLookup>> {
    let entry = actions::directory::lookup(&state, &admin, &q.username).await?;
    Ok(Json(DirectoryLookup { entry }))
}
