//! The router: every route, and the layers every request passes through.

use crate::error::ApiError;
use crate::observe::{Observer, observe};
use crate::routes::{campaigns, events, health, jobs, members, program, rewards, standing};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::openapi::OpenApi;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use loyalty_store::Store;
use std::any::Any;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;

/// The largest request body accepted; an order of 500 lines fits many times over.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// A request still running after this long is answered `503 request_timeout` and abandoned.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Every route of the API, each documenting itself as it is registered (see `openapi`).
pub fn api_routes<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .merge(health::router())
        .merge(crate::docs::router())
        .merge(members::router())
        .merge(crate::routes::erasure::router())
        .merge(events::router())
        .merge(rewards::router())
        .merge(program::router())
        .merge(campaigns::router())
        .merge(jobs::router())
        .merge(standing::router())
        .merge(crate::routes::catalog::router())
        .merge(crate::routes::holds::router())
        .merge(crate::routes::codes::router())
        .merge(crate::routes::reports::router())
        .merge(crate::routes::webhooks::router())
        .merge(crate::routes::keys::router())
        .merge(crate::routes::engagement::router())
        .merge(crate::routes::leaderboards::router())
        .merge(crate::routes::segments::router())
        .merge(crate::routes::surveys::router())
        .merge(crate::routes::platform::router())
        .merge(crate::routes::member_tokens::router())
        .merge(crate::routes::audit::router())
}

pub fn app<S: Store>(state: AppState<S>) -> Router {
    // The document is built by `openapi::document`; the one the routes write here is dropped.
    let routes: Router<AppState<S>> = api_routes::<S>().finish_api(&mut OpenApi::default());
    // The same routes, bare, for the audit trail to read a resource before it changes.
    let reads = routes.clone().with_state(state.clone());
    let auditor = crate::audit::Auditor { state: state.clone(), reads };
    routes
        .layer(from_fn_with_state(auditor, crate::audit::record::<S>))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn_with_state(REQUEST_TIMEOUT, time_limit))
        // Outside the timeout and the panic catcher, so that their answers are counted too.
        .layer(from_fn_with_state(Observer::new(state.metrics.clone()), observe))
        .with_state(state)
}

/// `GET /metrics` alone, for `--metrics-listen`: a scraper on an internal port reaches
/// the metrics and nothing else. Its own scrapes are not counted.
pub fn metrics_app<S: Store>(state: AppState<S>) -> Router {
    Router::new()
        .route("/metrics", get(crate::metrics::scrape::<S>))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route; the API lives under /v1/")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    )
}

/// Answers a request that runs past `limit` with `503 request_timeout` in the API's error
/// body, and drops its handler (what it had not committed is not stored).
async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "request_timeout",
            format!("the request ran past the server's limit of {limit:?} and was abandoned"),
        )
        .into_response(),
    }
}

/// A panic is a bug; the client gets the usual opaque internal error, the log gets the cause.
fn panic_response(cause: Box<dyn Any + Send + 'static>) -> Response {
    let what = cause
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| cause.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    ApiError::internal(format!("request handler panicked: {what}")).into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use axum::body::{Body, to_bytes};
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_request_past_the_time_limit_is_answered_request_timeout_in_the_error_body() {
        let slow = Router::new()
            .route("/slow", get(|| tokio::time::sleep(Duration::from_secs(5))))
            .route("/quick", get(|| async { "done" }))
            .layer(from_fn_with_state(Duration::from_millis(50), time_limit));
        let ask = |path: &'static str| {
            let slow = slow.clone();
            async move {
                let response = slow.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
                let status = response.status();
                let body = to_bytes(response.into_body(), 1 << 16).await.unwrap();
                (status, body)
            }
        };
        let (status, body) = ask("/slow").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "request_timeout");
        assert_eq!(
            body["error"]["message"],
            "the request ran past the server's limit of 50ms and was abandoned"
        );
        assert_eq!(ask("/quick").await, (StatusCode::OK, axum::body::Bytes::from("done")));
    }
}
