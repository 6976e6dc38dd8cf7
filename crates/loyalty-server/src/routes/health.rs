//! What needs no key: liveness, the metrics, and the API document.

use crate::openapi::{Documented, answers_raw, doc};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::get_with;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_store::Store;
use schemars::{JsonSchema, json_schema};
use serde::Serialize;

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/health",
            get_with(health::<S>, |op| {
                doc("health", "system", "Liveness: 200 when the database answers")(op)
                    .answers::<200, Health>("The database answers")
                    .answers::<503, Health>("The database does not answer")
            }),
        )
        .api_route(
            "/metrics",
            get_with(crate::metrics::scrape::<S>, |op| {
                let text = json_schema!({ "type": "string" });
                doc("metrics", "system", "Prometheus metrics of requests and events")(op).with(answers_raw(
                    200,
                    "text/plain",
                    text,
                    "Prometheus text exposition",
                ))
            }),
        )
        .api_route(
            "/openapi.json",
            get_with(crate::openapi::serve, |op| {
                let document = json_schema!({ "type": "object", "description": "An OpenAPI 3.1 document." });
                doc("openapi", "system", "This document")(op).with(answers_raw(
                    200,
                    "application/json",
                    document,
                    "The OpenAPI 3.1 document",
                ))
            }),
        )
}

/// Whether the database answers.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Health {
    pub status: HealthStatus,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
    Unavailable,
}

/// Liveness that means something: the database answers.
pub async fn health<S: Store>(State(state): State<AppState<S>>) -> (StatusCode, Json<Health>) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(Health { status: HealthStatus::Ok })),
        Err(e) => {
            tracing::error!(error = %e, "health check cannot reach the database");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: HealthStatus::Unavailable }))
        }
    }
}
