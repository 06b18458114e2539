use crate::{
    api::extract::ApiQuery,
    auth::Admin,
    error::{AppResult, ErrorBody},
    list::{ListParams, Paged},
    state::AppState,
};
use axum::extract::State;
use vmportal_core::{machine::Drift, store::DriftQuery};

/// What the last reconciliation found: machines gone from their hypervisor behind the portal's
/// back (`state=missing`), and guests the portal does not know (`state=unknown`). By provider
/// unless sorted by `name`, `kind` or `detected`.
#[utoipa::path(get, path = "/api/v1/drift", tag = "admin", params(ListParams),
    responses((status = 200, body = Vec<Drift>, headers(
        ("X-Total-Count" = i64, description = "How many rows match"),
        ("Link" = String, description = "first, prev, next and last pages"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(params): ApiQuery<ListParams>,
) -> AppResult<Paged<Drift>> {
    let query: DriftQuery = params.query(None)?;
    let listed = state.store.drift(&query).await?;
    Ok(Paged::new("/api/v1/drift", &params, query.page, listed))
}
