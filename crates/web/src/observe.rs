//! Prometheus metrics: requests by route and status, and their duration.

use axum::{
    extract::{MatchedPath, Request},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::{sync::OnceLock, time::Instant};

/// The recorder is process-wide (the `metrics` facade has one global); every app in the process
/// shares it.
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .install_recorder()
            .expect("no other metrics recorder is installed")
    })
}

pub async fn record(req: Request, next: Next) -> Response {
    handle();
    let started = Instant::now();
    let method = req.method().to_string();
    // The route pattern, not the raw path: ids must not multiply the series.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route)];
    metrics::histogram!("vmportal_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    let [m, r] = labels;
    metrics::counter!("vmportal_http_requests_total", &[m, r, ("status", status)]).increment(1);
    response
}

pub async fn metrics() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}
