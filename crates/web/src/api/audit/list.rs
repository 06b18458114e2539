use crate::{
    api::extract::ApiQuery,
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vmportal_core::{audit::AuditEvent, store::Page};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based.
    pub page: Option<i64>,
    /// 1 to 200; 50 unless given.
    pub per_page: Option<i64>,
}

impl PageQuery {
    pub fn page(&self) -> Page {
        Page {
            number: self.page.unwrap_or(1).max(1),
            size: self.per_page.unwrap_or(50).clamp(1, 200),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(PageQuery),
    responses((status = 200, body = AuditPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<AuditPage>> {
    let page = q.page();
    let (events, total) = state.store.audit(page).await?;
    Ok(Json(AuditPage {
        events,
        page: page.number,
        per_page: page.size,
        total,
    }))
}
