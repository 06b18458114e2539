use crate::{
    actions,
    api::extract::ApiQuery,
    auth::Signed,
    error::{AppResult, ErrorBody},
    list::{ListParams, Paged},
    state::AppState,
};
use axum::extract::State;
use vmportal_core::request::MachineRequest;

/// The caller's requests; administrators see everyone's. Pending first, then newest first, unless
/// sorted by `created`, `name`, `state` or `owner`. `state` is `pending`, `approved`, `rejected`
/// or `cancelled`.
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", params(ListParams),
    responses((status = 200, body = Vec<MachineRequest>, headers(
        ("X-Total-Count" = i64, description = "How many rows match"),
        ("Link" = String, description = "first, prev, next and last pages"))),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    ApiQuery(params): ApiQuery<ListParams>,
) -> AppResult<Paged<MachineRequest>> {
    let (query, listed) = actions::requests::list(&state, &signed.who(), &params).await?;
    Ok(Paged::new("/api/v1/requests", &params, query.page, listed))
}
