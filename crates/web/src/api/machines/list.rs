use crate::{
    actions::leases,
    api::extract::ApiQuery,
    auth::Signed,
    error::{AppResult, ErrorBody},
    list::{ListParams, Paged},
    state::AppState,
};
use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;
use vmportal_core::{
    ids::TemplateId,
    machine::Machine,
    store::{Listed, MachineQuery},
};

#[derive(Deserialize, IntoParams)]
pub struct LeaseFilter {
    /// Only machines whose lease ends within this many days (or is over), soonest first; `page`
    /// and `per_page` apply, the other list parameters do not.
    pub expiring_within_days: Option<i64>,
    /// With `expiring_within_days`: only machines of this template.
    pub template_id: Option<i64>,
}

/// The caller's machines (administrators: everyone's), with the current job's progress. Newest
/// first unless sorted by `created`, `name`, `state` or `owner`.
#[utoipa::path(get, path = "/api/v1/machines", tag = "machines", params(ListParams, LeaseFilter),
    responses((status = 200, body = Vec<Machine>, headers(
        ("X-Total-Count" = i64, description = "How many rows match"),
        ("Link" = String, description = "first, prev, next and last pages"))),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    ApiQuery(params): ApiQuery<ListParams>,
    Query(lease): Query<LeaseFilter>,
) -> AppResult<Paged<Machine>> {
    let query: MachineQuery = params.query(signed.caller().listing_scope())?;
    let listed = match lease.expiring_within_days {
        Some(days) => {
            let template = lease.template_id.map(TemplateId);
            let all = leases::expiring(&state, &signed, days, template).await?;
            let total = all.len() as i64;
            let items = all
                .into_iter()
                .skip(usize::try_from(query.page.offset()).unwrap_or(usize::MAX))
                .take(usize::try_from(query.page.size()).unwrap_or(usize::MAX))
                .collect();
            Listed { items, total }
        }
        None => state.store.machines(&query).await?,
    };
    let listed = Listed {
        items: crate::actions::redact::machines(&signed.who(), listed.items),
        total: listed.total,
    };
    Ok(Paged::new("/api/v1/machines", &params, query.page, listed))
}
