use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_store::Store;
use serde_json::{Value, json};

/// Liveness that means something: the database answers.
pub async fn health<S: Store>(State(state): State<AppState<S>>) -> (StatusCode, Json<Value>) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(e) => {
            tracing::error!(error = %e, "health check cannot reach the database");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" })))
        }
    }
}
