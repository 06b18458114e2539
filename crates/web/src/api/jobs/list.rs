use crate::{
    api::extract::ApiQuery,
    auth::Signed,
    error::{AppResult, ErrorBody},
    list::{ListParams, Paged},
    state::AppState,
};
use axum::extract::State;
use vmportal_core::{job::Job, store::JobQuery};

/// The jobs on the caller's machines (administrators: every job). Newest first unless sorted by
/// `created`, `updated` or `state`; `q` and `owner` match the machine's name and owner.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "machines", params(ListParams),
    responses((status = 200, body = Vec<Job>, headers(
        ("X-Total-Count" = i64, description = "How many rows match"),
        ("Link" = String, description = "first, prev, next and last pages"))),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    ApiQuery(params): ApiQuery<ListParams>,
) -> AppResult<Paged<Job>> {
    let query: JobQuery = params.query(signed.caller().listing_scope())?;
    let listed = state.store.jobs(&query).await?;
    Ok(Paged::new("/api/v1/jobs", &params, query.page, listed))
}
