//! Running the jobs on demand, and the test clock that lets a test walk a member through
//! months in seconds. The clock can be set only on a server started with a test clock
//! (`LOYALTY_TEST_CLOCK`); on the system clock the route answers that it is off.

use crate::auth::AdminCaller;
use crate::error::ApiError;
use crate::jobs::{DEFAULT_BATCH, run_due};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use loyalty_core::Timestamp;
use loyalty_store::Store;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/v1/jobs/run", post(run::<S>))
        .route("/v1/admin/clock", get(read_clock::<S>).put(set_clock::<S>))
}

/// Runs every job of the caller's program that is due at the server's time.
async fn run<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Value>, ApiError> {
    let now = state.clock.now_for(caller.program.id());
    let metrics = Some(state.metrics.as_ref());
    let report =
        run_due(state.store.as_ref(), &caller.program, now, DEFAULT_BATCH, metrics, &mut |_, _| {}).await?;
    Ok(Json(json!({ "now": now, "report": report })))
}

async fn read_clock<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "now": state.clock.now_for(caller.program.id()), "settable": state.clock.is_manual() })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetClock {
    now: Timestamp,
}

async fn set_clock<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiJson(body): ApiJson<SetClock>,
) -> Result<Json<Value>, ApiError> {
    if !state.clock.set_for(caller.program.id(), body.now) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "test_clock_off",
            "this server runs on the system clock; start it with LOYALTY_TEST_CLOCK to set the time",
        ));
    }
    Ok(Json(json!({ "now": state.clock.now_for(caller.program.id()), "settable": true })))
}
