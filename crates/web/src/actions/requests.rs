use crate::{
    auth::Signed,
    error::{AppError, AppResult},
    state::AppState,
};
use vmportal_core::{
    Invalid,
    ids::{RequestId, TemplateId},
    msg, names,
    request::{MachineRequest, NewRequest, RequestInput},
    store::{Approval, RequestFilter},
};

/// Checks a request against its template without storing anything.
pub async fn validate(
    state: &AppState,
    by: &Signed,
    template_id: i64,
    input: &RequestInput,
) -> AppResult<NewRequest> {
    let template = state
        .store
        .template(TemplateId(template_id))
        .await?
        .ok_or_else(|| Invalid::field("template_id", msg("err-no-such-template")))?;
    Ok(NewRequest::parse(by.user.id, &template, input)?)
}

/// Stores a validated request if the caller's quota admits it.
pub async fn submit(state: &AppState, by: &Signed, new: NewRequest) -> AppResult<MachineRequest> {
    let quota = state.quota_of(&by.user);
    Ok(state.store.create_request(new, quota, &by.actor()).await?)
}

pub async fn create(
    state: &AppState,
    by: &Signed,
    template_id: i64,
    input: &RequestInput,
) -> AppResult<MachineRequest> {
    let new = validate(state, by, template_id, input).await?;
    submit(state, by, new).await
}

/// The request, if the caller may see it; otherwise "not found", whether it exists or not.
pub async fn visible(state: &AppState, by: &Signed, id: RequestId) -> AppResult<MachineRequest> {
    let request = state.store.request(id).await?.ok_or(AppError::NotFound)?;
    by.caller().may_see_owned_by(request.user_id)?;
    Ok(request)
}

pub async fn list(
    state: &AppState,
    by: &Signed,
    filter_state: Option<&str>,
) -> AppResult<Vec<MachineRequest>> {
    let state_filter = filter_state
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|m| Invalid::field("state", m)))
        .transpose()?;
    Ok(state
        .store
        .requests(RequestFilter {
            owner: by.caller().listing_scope(),
            state: state_filter,
        })
        .await?)
}

pub async fn approve(state: &AppState, admin: &Signed, id: RequestId) -> AppResult<Approval> {
    admin.caller().require_admin()?;
    Ok(state.store.approve_request(id, &admin.actor()).await?)
}

pub async fn reject(
    state: &AppState,
    admin: &Signed,
    id: RequestId,
    reason: &str,
) -> AppResult<MachineRequest> {
    admin.caller().require_admin()?;
    let reason = names::text("reason", reason, true, 1000)?;
    Ok(state
        .store
        .reject_request(id, &reason, &admin.actor())
        .await?)
}

pub async fn cancel(state: &AppState, by: &Signed, id: RequestId) -> AppResult<MachineRequest> {
    let request = visible(state, by, id).await?;
    by.caller().may_cancel(request.user_id)?;
    Ok(state.store.cancel_request(request.id, &by.actor()).await?)
}
