use crate::{
    caller::Caller,
    error::{AppError, AppResult},
    list::ListParams,
    state::AppState,
};
use vmportal_core::{
    Invalid,
    authz::{Denied, Reach},
    course::Membership,
    ids::{CourseId, RequestId, TemplateId},
    msg, names,
    request::{MachineRequest, NewRequest, RequestInput},
    store::{Approval, Listed, RequestQuery},
};

/// Checks a request against its template (and its course, if any) without storing anything.
pub async fn validate(
    state: &AppState,
    by: &Caller,
    template_id: i64,
    course_id: Option<CourseId>,
    input: &RequestInput,
) -> AppResult<NewRequest> {
    let template = state
        .store
        .template(TemplateId(template_id))
        .await?
        .ok_or_else(|| Invalid::field("template_id", msg("err-no-such-template")))?;
    let mut new = NewRequest::parse(by.id, &template, input)?;
    if let Some(course_id) = course_id {
        let course = match state.store.course(course_id).await? {
            Some(c) if state.store.membership(c.id, by.id).await? == Some(Membership::Student) => c,
            _ => {
                return Err(Invalid::field("course_id", msg("err-not-a-student")).into());
            }
        };
        if !course.allows(template.id) {
            return Err(Invalid::field("template_id", msg("err-not-course-template")).into());
        }
        new.course_id = Some(course.id);
    }
    Ok(new)
}

/// Stores a validated request if the quota admits it: the course's for a course request, the
/// caller's own otherwise.
pub async fn submit(state: &AppState, by: &Caller, new: NewRequest) -> AppResult<MachineRequest> {
    let quota = match new.course_id {
        Some(course) => {
            state
                .store
                .course(course)
                .await?
                .ok_or(AppError::NotFound)?
                .quota
        }
        None => {
            let user = state
                .store
                .user(by.id)
                .await?
                .ok_or(AppError::Unauthenticated)?;
            state.quota_of(&user)
        }
    };
    Ok(state.store.create_request(new, quota, &by.actor).await?)
}

pub async fn create(
    state: &AppState,
    by: &Caller,
    template_id: i64,
    course_id: Option<CourseId>,
    input: &RequestInput,
) -> AppResult<MachineRequest> {
    let new = validate(state, by, template_id, course_id, input).await?;
    submit(state, by, new).await
}

/// The request and how the caller reaches it (its owner, an administrator, a teacher of its
/// course); otherwise "not found", whether it exists or not.
pub async fn reach(
    state: &AppState,
    by: &Caller,
    id: RequestId,
) -> AppResult<(MachineRequest, Reach)> {
    let request = state.store.request(id).await?.ok_or(AppError::NotFound)?;
    let teaching = match request.course_id {
        Some(course) if request.user_id != by.id && !by.is_admin() => {
            state.store.teaching(by.id, course).await?
        }
        _ => None,
    };
    let reach = by.authz().reach(request.user_id, teaching)?;
    Ok((request, reach))
}

pub async fn visible(state: &AppState, by: &Caller, id: RequestId) -> AppResult<MachineRequest> {
    Ok(reach(state, by, id).await?.0)
}

/// The caller's own requests and those of the courses they teach (administrators: everyone's), a
/// page at a time.
pub async fn list(
    state: &AppState,
    by: &Caller,
    params: &ListParams,
) -> AppResult<(RequestQuery, Listed<MachineRequest>)> {
    let query = RequestQuery {
        teaching: true,
        ..params.query(by.authz().listing_scope())?
    };
    let listed = state.store.requests(&query).await?;
    Ok((query, listed))
}

/// Administrators decide any request, a course's teachers its requests; anyone else is refused
/// (403, as before courses existed).
async fn may_decide(state: &AppState, by: &Caller, id: RequestId) -> AppResult<()> {
    if by.is_admin() {
        return Ok(());
    }
    match reach(state, by, id).await {
        Ok((_, reach)) => Ok(reach.may_decide()?),
        Err(AppError::NotFound) => Err(Denied::Forbidden.into()),
        Err(e) => Err(e),
    }
}

pub async fn approve(state: &AppState, by: &Caller, id: RequestId) -> AppResult<Approval> {
    may_decide(state, by, id).await?;
    Ok(state.store.approve_request(id, &by.actor).await?)
}

pub async fn reject(
    state: &AppState,
    by: &Caller,
    id: RequestId,
    reason: &str,
) -> AppResult<MachineRequest> {
    may_decide(state, by, id).await?;
    let reason = names::text("reason", reason, true, 1000)?;
    Ok(state.store.reject_request(id, &reason, &by.actor).await?)
}

pub async fn cancel(state: &AppState, by: &Caller, id: RequestId) -> AppResult<MachineRequest> {
    // Only the owner cancels; administrators and teachers reject instead, with a reason.
    let (request, reach) = reach(state, by, id).await?;
    if reach != Reach::Owner {
        return Err(Denied::Forbidden.into());
    }
    Ok(state.store.cancel_request(request.id, &by.actor).await?)
}
