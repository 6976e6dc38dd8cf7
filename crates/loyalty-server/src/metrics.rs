//! What the server counts, through the `metrics` facade into a Prometheus recorder of the
//! app's own (so that two apps in one process, as in the tests, never mix their counts),
//! rendered by `metrics-exporter-prometheus` at `GET /metrics`. Every label takes values
//! from a bounded set: HTTP methods, route templates (never raw paths), status codes,
//! event types, error codes and the programs the server serves.
//!
//! - `loyalty_http_requests_total{method, route, status}`: requests answered.
//! - `loyalty_http_request_duration_seconds{method, route}`: a histogram of the time to
//!   answer, in fixed buckets.
//! - `loyalty_events_decided_total{program, type, result}`: events judged by the API's writes and
//!   by the server's jobs, `result` `accepted` or `refused`, a refusal with its error
//!   `code`. A replayed request (or job work done before) decides nothing and is not
//!   counted; an error that is not a refusal (the database down) neither.
//! - `loyalty_points_issued_total{program}`: points awarded by accepted purchases, activities and
//!   birthdays (`points_awarded`).
//! - `loyalty_points_redeemed_total{program}`: points spent by accepted redemptions (`points_spent`)
//!   and captured holds (the hold's `points`).
//!
//! The counters start at zero when the process starts, as Prometheus expects.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use loyalty_core::Outcome;
use loyalty_core::event::EventKind;
use loyalty_core::spending::HoldState;
use loyalty_store::{StoreError, Submitted};
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::time::Duration;

/// The upper bounds of the latency buckets, in seconds; the last is the request timeout.
const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The route label of a request no route matched.
pub const UNMATCHED: &str = "unmatched";

const REQUESTS: &str = "loyalty_http_requests_total";
const DURATION: &str = "loyalty_http_request_duration_seconds";
const DECIDED: &str = "loyalty_events_decided_total";
const ISSUED: &str = "loyalty_points_issued_total";
const REDEEMED: &str = "loyalty_points_redeemed_total";
const DELIVERIES: &str = "loyalty_webhook_deliveries";

pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        let builder = PrometheusBuilder::new();
        // The buckets are a constant, never empty, so the builder cannot refuse them.
        let builder =
            builder.set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), &BUCKETS).unwrap_or_default();
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        let metrics = Metrics { recorder, handle };
        metrics.record(|| {
            describe_counter!(REQUESTS, "HTTP requests answered, by method, route template and status.");
            describe_histogram!(DURATION, "Time to answer an HTTP request, by method and route template.");
            describe_counter!(
                DECIDED,
                "Events judged through the API and the jobs, by program and type, accepted or refused (with the error code)."
            );
            describe_counter!(ISSUED, "Points awarded by accepted purchases, activities and birthdays.");
            describe_counter!(REDEEMED, "Points spent by accepted redemptions and captured holds.");
            describe_gauge!(DELIVERIES, "Webhook deliveries by state: pending is the queue.");
        });
        metrics
    }
}

impl Metrics {
    /// Runs `f` with this app's recorder behind the facade's macros.
    fn record<T>(&self, f: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(&self.recorder, f)
    }

    /// Counts a request answered with `status` after `latency`. `route` is the matched
    /// route's template, or [`UNMATCHED`].
    pub fn request(&self, method: &Method, route: &str, status: StatusCode, latency: Duration) {
        let (method, route) = (method_label(method), route.to_owned());
        self.record(|| {
            let status = status.as_u16().to_string();
            counter!(REQUESTS, "method" => method, "route" => route.clone(), "status" => status).increment(1);
            histogram!(DURATION, "method" => method, "route" => route).record(latency.as_secs_f64());
        });
    }

    /// Counts what the store made of an event of `kind` for `program` (its code).
    pub fn decided(&self, program: &str, kind: EventKind, result: &Result<Submitted, StoreError>) {
        let program = program.to_owned();
        let kind = kind.as_str();
        self.record(|| match result {
            Ok(submitted) if submitted.replayed => {}
            Ok(submitted) => {
                counter!(DECIDED, "program" => program.clone(), "type" => kind, "result" => "accepted")
                    .increment(1);
                let (issued, redeemed) = points(&submitted.outcome);
                if issued > 0 {
                    counter!(ISSUED, "program" => program.clone()).increment(issued);
                }
                if redeemed > 0 {
                    counter!(REDEEMED, "program" => program).increment(redeemed);
                }
            }
            Err(StoreError::Rejected(rejection)) => {
                let code = rejection.code();
                counter!(DECIDED, "program" => program, "type" => kind, "result" => "refused", "code" => code)
                    .increment(1);
            }
            // Not a judgement: the database failed, and the request is answered 500.
            Err(_) => {}
        });
    }

    /// Every metric in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

/// Points issued and redeemed by an accepted outcome; counters never go down, and no
/// accepted outcome carries a negative award or spend.
fn points(outcome: &Outcome) -> (u64, u64) {
    let (issued, redeemed) = match outcome {
        Outcome::Purchase(o) => (o.points_awarded.get(), 0),
        Outcome::Earning(o) => (o.points_awarded.get(), 0),
        Outcome::Redemption(o) => (0, o.points_spent.get()),
        Outcome::Hold(o) if o.hold.state == HoldState::Captured => (0, o.hold.points.get()),
        _ => (0, 0),
    };
    (issued.max(0).unsigned_abs(), redeemed.max(0).unsigned_abs())
}

/// `GET /metrics`: no key needed, like `/health`; nothing in it names a member.
pub async fn scrape<S: loyalty_store::Store>(State(state): State<AppState<S>>) -> Response {
    // The webhook queue is read from the database: it is shared by every node.
    match state.store.webhook_backlog().await {
        Ok(backlog) => state.metrics.record(|| {
            for (delivery_state, count) in backlog {
                gauge!(DELIVERIES, "state" => delivery_state).set(count as f64);
            }
        }),
        Err(e) => tracing::warn!(error = %e, "the webhook queue could not be read for /metrics"),
    }
    let mut response = state.metrics.render().into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

/// The standard methods by name, any other as `other`, so a client cannot make new series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_fall_in_cumulative_buckets() {
        let metrics = Metrics::default();
        for ms in [1, 7, 7, 40_000] {
            metrics.request(&Method::GET, "/health", StatusCode::OK, Duration::from_millis(ms));
        }
        let text = metrics.render();
        for line in [
            r#"loyalty_http_request_duration_seconds_bucket{method="GET",route="/health",le="0.005"} 1"#,
            r#"loyalty_http_request_duration_seconds_bucket{method="GET",route="/health",le="0.01"} 3"#,
            r#"loyalty_http_request_duration_seconds_bucket{method="GET",route="/health",le="30"} 3"#,
            r#"loyalty_http_request_duration_seconds_bucket{method="GET",route="/health",le="+Inf"} 4"#,
            r#"loyalty_http_request_duration_seconds_sum{method="GET",route="/health"} 40.015"#,
            r#"loyalty_http_request_duration_seconds_count{method="GET",route="/health"} 4"#,
            r#"loyalty_http_requests_total{method="GET",route="/health",status="200"} 4"#,
        ] {
            assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
        }
    }
}
