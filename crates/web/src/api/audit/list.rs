use crate::{
    api::extract::ApiQuery,
    auth::Admin,
    error::{AppResult, ErrorBody},
    list::{ListParams, Pager},
    state::AppState,
};
use axum::{
    Json,
    extract::State,
    response::{AppendHeaders, IntoResponse},
};
use serde::Serialize;
use utoipa::ToSchema;
use vmportal_core::{audit::AuditEvent, store::AuditQuery};

/// The audit log's body has been an object since it was first paginated; it stays one, and gains
/// the headers every list has.
#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// The audit log, newest first unless sorted by `at`, `actor` or `action`. `q` matches the actor,
/// action or detail; `owner` is the actor's name.
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(ListParams),
    responses((status = 200, body = AuditPage, headers(
        ("X-Total-Count" = i64, description = "How many rows match"),
        ("Link" = String, description = "first, prev, next and last pages"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(params): ApiQuery<ListParams>,
) -> AppResult<impl IntoResponse> {
    let query: AuditQuery = params.query(None)?;
    let listed = state.store.audit(&query).await?;
    let pager = Pager::new("/api/v1/audit", &params, query.page, listed.total);
    let body = AuditPage {
        events: listed.items,
        page: query.page.number(),
        per_page: query.page.size(),
        total: listed.total,
    };
    Ok((AppendHeaders(pager.headers()), Json(body)))
}
