//! What the server counts, kept in memory and rendered in the Prometheus text format at
//! `GET /metrics`. Every label takes values from a bounded set: HTTP methods, route
//! templates (never raw paths), status codes, event types and error codes.
//!
//! - `loyalty_http_requests_total{method, route, status}`: requests answered.
//! - `loyalty_http_request_duration_seconds{method, route}`: a histogram of the time to
//!   answer, in fixed buckets.
//! - `loyalty_events_decided_total{type, result}`: events judged by the API's writes and
//!   by the server's jobs, `result` `accepted` or `refused`, a refusal with its error
//!   `code`. A replayed request (or job work done before) decides nothing and is not
//!   counted; an error that is not a refusal (the database down) neither.
//! - `loyalty_points_issued_total`: points awarded by accepted purchases, activities and
//!   birthdays (`points_awarded`).
//! - `loyalty_points_redeemed_total`: points spent by accepted redemptions (`points_spent`)
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
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// The upper bounds of the latency buckets, in seconds; the last is the request timeout.
const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The route label of a request no route matched.
pub const UNMATCHED: &str = "unmatched";

#[derive(Debug, Default)]
pub struct Metrics {
    http: Mutex<BTreeMap<(&'static str, String), RouteSeries>>,
    /// Per event type and, for a refusal, its error code.
    events: Mutex<BTreeMap<(&'static str, Option<&'static str>), u64>>,
    points_issued: AtomicU64,
    points_redeemed: AtomicU64,
}

/// What one method and route template answered.
#[derive(Debug, Default)]
struct RouteSeries {
    by_status: BTreeMap<u16, u64>,
    /// Requests per bucket, not cumulative; the last slot counts those over every bound.
    buckets: [u64; BUCKETS.len() + 1],
    sum_micros: u64,
    count: u64,
}

impl Metrics {
    /// Counts a request answered with `status` after `latency`. `route` is the matched
    /// route's template, or [`UNMATCHED`].
    pub fn request(&self, method: &Method, route: &str, status: StatusCode, latency: Duration) {
        let mut http = self.http.lock().unwrap_or_else(PoisonError::into_inner);
        let series = http.entry((method_label(method), route.to_owned())).or_default();
        *series.by_status.entry(status.as_u16()).or_default() += 1;
        let seconds = latency.as_secs_f64();
        let slot = BUCKETS.iter().position(|&bound| seconds <= bound).unwrap_or(BUCKETS.len());
        series.buckets[slot] += 1;
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        series.sum_micros = series.sum_micros.saturating_add(micros);
        series.count += 1;
    }

    /// Counts what the store made of an event of `kind`.
    pub fn decided(&self, kind: EventKind, result: &Result<Submitted, StoreError>) {
        let code = match result {
            Ok(submitted) if submitted.replayed => return,
            Ok(submitted) => {
                self.points(&submitted.outcome);
                None
            }
            Err(StoreError::Rejected(rejection)) => Some(rejection.code()),
            Err(_) => return,
        };
        let mut events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        *events.entry((kind.as_str(), code)).or_default() += 1;
    }

    fn points(&self, outcome: &Outcome) {
        let (issued, redeemed) = match outcome {
            Outcome::Purchase(o) => (o.points_awarded.get(), 0),
            Outcome::Earning(o) => (o.points_awarded.get(), 0),
            Outcome::Redemption(o) => (0, o.points_spent.get()),
            Outcome::Hold(o) if o.hold.state == HoldState::Captured => (0, o.hold.points.get()),
            _ => (0, 0),
        };
        // Counters never go down; no accepted outcome carries a negative award or spend.
        self.points_issued.fetch_add(issued.max(0).unsigned_abs(), Ordering::Relaxed);
        self.points_redeemed.fetch_add(redeemed.max(0).unsigned_abs(), Ordering::Relaxed);
    }

    /// Every metric in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        {
            let http = self.http.lock().unwrap_or_else(PoisonError::into_inner);
            family(
                &mut out,
                "loyalty_http_requests_total",
                "counter",
                "HTTP requests answered, by method, route template and status.",
            );
            for ((method, route), series) in http.iter() {
                for (status, n) in &series.by_status {
                    let labels = [("method", *method), ("route", route), ("status", &status.to_string())];
                    sample(&mut out, "loyalty_http_requests_total", &labels, &n.to_string());
                }
            }
            let name = "loyalty_http_request_duration_seconds";
            family(
                &mut out,
                name,
                "histogram",
                "Time to answer an HTTP request, by method and route template.",
            );
            for ((method, route), series) in http.iter() {
                let mut cumulative = 0;
                let bounds = BUCKETS.iter().map(|b| b.to_string()).chain(["+Inf".to_owned()]);
                for (bound, n) in bounds.zip(series.buckets) {
                    cumulative += n;
                    let labels = [("method", *method), ("route", route), ("le", &bound)];
                    sample(&mut out, &format!("{name}_bucket"), &labels, &cumulative.to_string());
                }
                let labels = [("method", *method), ("route", route.as_str())];
                let sum = format!("{}", series.sum_micros as f64 / 1e6);
                sample(&mut out, &format!("{name}_sum"), &labels, &sum);
                sample(&mut out, &format!("{name}_count"), &labels, &series.count.to_string());
            }
        }
        {
            let events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
            family(
                &mut out,
                "loyalty_events_decided_total",
                "counter",
                "Events judged through the API, by type, accepted or refused (with the error code).",
            );
            for ((kind, code), n) in events.iter() {
                let value = n.to_string();
                match code {
                    None => sample(
                        &mut out,
                        "loyalty_events_decided_total",
                        &[("type", kind), ("result", "accepted")],
                        &value,
                    ),
                    Some(code) => sample(
                        &mut out,
                        "loyalty_events_decided_total",
                        &[("type", kind), ("result", "refused"), ("code", code)],
                        &value,
                    ),
                }
            }
        }
        for (name, help, counter) in [
            (
                "loyalty_points_issued_total",
                "Points awarded by accepted purchases, activities and birthdays.",
                &self.points_issued,
            ),
            (
                "loyalty_points_redeemed_total",
                "Points spent by accepted redemptions and captured holds.",
                &self.points_redeemed,
            ),
        ] {
            family(&mut out, name, "counter", help);
            sample(&mut out, name, &[], &counter.load(Ordering::Relaxed).to_string());
        }
        out
    }
}

/// `GET /metrics`: no key needed, like `/health`; nothing in it names a program or a member.
pub async fn scrape<S: loyalty_store::Store>(State(state): State<AppState<S>>) -> Response {
    let mut text = state.metrics.render();
    // The webhook queue is read from the database: it is shared by every node.
    match state.store.webhook_backlog().await {
        Ok(backlog) => {
            family(
                &mut text,
                "loyalty_webhook_deliveries",
                "gauge",
                "Webhook deliveries by state: pending is the queue.",
            );
            for (state, count) in backlog {
                sample(&mut text, "loyalty_webhook_deliveries", &[("state", state)], &count.to_string());
            }
        }
        Err(e) => tracing::warn!(error = %e, "the webhook queue could not be read for /metrics"),
    }
    let mut response = text.into_response();
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

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: &str) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (i, (label, v)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{label}=\"{}\"", escape(v));
        }
        out.push('}');
    }
    let _ = writeln!(out, " {value}");
}

/// A label value as the text format spells it.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
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

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
