use crate::{
    actions::leases,
    api::{
        extract::{ApiJson, ApiPath},
        requests::reject::RejectBody,
    },
    auth::Admin,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{
    Json,
    extract::{Query, State},
};
use serde::Deserialize;
use utoipa::IntoParams;
use vmportal_core::{ids::ExtensionId, lease::ExtensionRequest, request::RequestState};

#[derive(Deserialize, IntoParams)]
pub struct ExtensionFilter {
    /// `pending`, `approved`, `rejected`; all when absent.
    pub state: Option<RequestState>,
}

/// Extension requests, pending first (approvers).
#[utoipa::path(get, path = "/api/v1/extensions", tag = "machines", params(ExtensionFilter),
    responses((status = 200, body = Vec<ExtensionRequest>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Query(filter): Query<ExtensionFilter>,
) -> AppResult<Json<Vec<ExtensionRequest>>> {
    Ok(Json(
        leases::extensions(&state, &admin, filter.state).await?,
    ))
}

/// Approves an extension request: the machine's lease becomes what was asked for.
#[utoipa::path(post, path = "/api/v1/extensions/{id}/approve", tag = "machines",
    params(("id" = i64, Path, description = "Extension request id")),
    responses(
        (status = 200, body = ExtensionRequest),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not pending any more", body = ErrorBody),
    ))]
pub async fn approve(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath(id): ApiPath<ExtensionId>,
) -> AppResult<Json<ExtensionRequest>> {
    Ok(Json(
        leases::decide(&state, &admin, id, RequestState::Approved, None).await?,
    ))
}

/// Rejects an extension request with a reason; the lease stays as it is.
#[utoipa::path(post, path = "/api/v1/extensions/{id}/reject", tag = "machines", request_body = RejectBody,
    params(("id" = i64, Path, description = "Extension request id")),
    responses(
        (status = 200, body = ExtensionRequest),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    ))]
pub async fn reject(
    State(state): State<AppState>,
    Admin(admin): Admin,
    ApiPath(id): ApiPath<ExtensionId>,
    ApiJson(body): ApiJson<RejectBody>,
) -> AppResult<Json<ExtensionRequest>> {
    Ok(Json(
        leases::decide(
            &state,
            &admin,
            id,
            RequestState::Rejected,
            Some(&body.reason),
        )
        .await?,
    ))
}
