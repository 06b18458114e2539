//! Live progress as Server-Sent Events: the job's events from the database, so a reconnecting
//! client (`Last-Event-ID`) resumes where it stopped and any portal instance can serve it.

use super::get::visible;
use crate::{
    actions::redact,
    api::extract::ApiPath,
    caller::Caller,
    error::{AppResult, ErrorBody},
    state::AppState,
};
use axum::{
    extract::State,
    http::HeaderMap,
    response::sse::{Event, KeepAlive, Sse},
};
use std::{convert::Infallible, time::Duration};
use tokio_stream::{Stream, StreamExt};
use vmportal_core::{ids::JobId, job::JobState};

const POLL: Duration = Duration::from_millis(500);

/// Streams the job's progress events (`data`: `{"id","at","progress","message"}`), then one
/// `done` event with the final job, and ends.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/events", tag = "machines",
    params(("id" = i64, Path, description = "Job id")),
    responses((status = 200, description = "text/event-stream of progress", content_type = "text/event-stream", body = String),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    viewer: Caller,
    ApiPath(id): ApiPath<JobId>,
    headers: HeaderMap,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    visible(&state, &viewer, id).await?;
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let stream = async_stream(state, viewer, id, after);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

fn async_stream(
    state: AppState,
    viewer: Caller,
    job: JobId,
    mut after: i64,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Event>(16);
    tokio::spawn(async move {
        while !tx.is_closed() {
            let finished = match state.store.job(job).await {
                Ok(Some(j)) => {
                    matches!(j.state, JobState::Succeeded | JobState::Failed).then_some(j)
                }
                _ => return,
            };
            let Ok(events) = state.store.job_events(job, after).await else {
                return;
            };
            for e in events {
                after = e.id;
                let event = Event::default()
                    .id(e.id.to_string())
                    .json_data(redact::event(&viewer, e))
                    .expect("events serialize");
                if tx.send(event).await.is_err() {
                    return; // the client went away
                }
            }
            if let Some(j) = finished {
                let _ = tx
                    .send(
                        Event::default()
                            .event("done")
                            .json_data(redact::job(&viewer, j))
                            .expect("jobs serialize"),
                    )
                    .await;
                return;
            }
            tokio::time::sleep(POLL).await;
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx).map(Ok)
}
