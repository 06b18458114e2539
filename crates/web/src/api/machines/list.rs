use crate::{
    api::extract::ApiQuery,
    auth::Signed,
    error::{AppResult, ErrorBody},
    list::{ListParams, Paged},
    state::AppState,
};
use axum::extract::State;
use vmportal_core::{machine::Machine, store::MachineQuery};

/// The caller's machines (administrators: everyone's), with the current job's progress. Newest
/// first unless sorted by `created`, `name`, `state` or `owner`.
#[utoipa::path(get, path = "/api/v1/machines", tag = "machines", params(ListParams),
    responses((status = 200, body = Vec<Machine>, headers(
        ("X-Total-Count" = i64, description = "How many rows match"),
        ("Link" = String, description = "first, prev, next and last pages"))),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    ApiQuery(params): ApiQuery<ListParams>,
) -> AppResult<Paged<Machine>> {
    let query: MachineQuery = params.query(signed.caller().listing_scope())?;
    let listed = state.store.machines(&query).await?;
    Ok(Paged::new("/api/v1/machines", &params, query.page, listed))
}
