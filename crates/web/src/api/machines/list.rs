use crate::{
    actions::leases,
    auth::Signed,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{
    Json,
    extract::{Query, State},
};
use serde::Deserialize;
use utoipa::IntoParams;
use vmportal_core::{ids::TemplateId, machine::Machine};

#[derive(Deserialize, IntoParams)]
pub struct MachineFilter {
    /// Only machines whose lease ends within this many days (or is over), soonest first.
    pub expiring_within_days: Option<i64>,
    /// With `expiring_within_days`: only machines of this template.
    pub template_id: Option<i64>,
}

/// The caller's machines (administrators: everyone's), with the current job's progress.
#[utoipa::path(get, path = "/api/v1/machines", tag = "machines", params(MachineFilter),
    responses((status = 200, body = Vec<Machine>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(filter): Query<MachineFilter>,
) -> AppResult<Json<Vec<Machine>>> {
    let machines = match filter.expiring_within_days {
        Some(days) => {
            let template = filter.template_id.map(TemplateId);
            leases::expiring(&state, &signed, days, template).await?
        }
        None => {
            state
                .store
                .machines(signed.caller().listing_scope())
                .await?
        }
    };
    Ok(Json(crate::actions::redact::machines(
        &signed.who(),
        machines,
    )))
}
