//! Running the jobs on demand, and the test clock that lets a test walk a member through
//! months in seconds. The clock can be set only on a server started with a test clock
//! (`LOYALTY_TEST_CLOCK`); on the system clock the route answers that it is off.

use crate::auth::AdminCaller;
use crate::error::ApiError;
use crate::jobs::{DEFAULT_BATCH, JobReport, run_due};
use crate::json::ApiJson;
use crate::openapi::{Documented, doc};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, post_with};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_core::Timestamp;
use loyalty_store::Store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/jobs/run",
            post_with(run::<S>, |op| {
                doc("run_jobs", "jobs", "Run the program's due jobs now")(op)
                    .answers::<200, JobRun>("What the run did")
            }),
        )
        .api_route(
            "/v1/admin/clock",
            get_with(read_clock::<S>, |op| {
                doc("get_clock", "jobs", "The caller's program's time (its test clock, or the system's)")(op)
                    .answers::<200, Clock>("The program's time")
            })
            .put_with(set_clock::<S>, |op| {
                doc(
                    "set_clock",
                    "jobs",
                    "Set the caller's program's test clock, and no other program's (only on a server started with LOYALTY_TEST_CLOCK)",
                )(op)
                .answers::<200, Clock>("The program's time, as set")
                .errors(&[409])
            }),
        )
}

/// A run of the jobs, on demand.
#[derive(Debug, Serialize, JsonSchema)]
struct JobRun {
    /// The program's time the jobs ran at.
    now: Timestamp,
    report: JobReport,
}

/// Runs every job of the caller's program that is due at the server's time.
async fn run<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<JobRun>, ApiError> {
    let now = state.clock.now_for(caller.program.id());
    let metrics = Some(state.metrics.as_ref());
    let report =
        run_due(state.store.as_ref(), &caller.program, now, DEFAULT_BATCH, metrics, &mut |_, _| {}).await?;
    Ok(Json(JobRun { now, report }))
}

/// The time of the caller's program.
#[derive(Debug, Serialize, JsonSchema)]
struct Clock {
    now: Timestamp,
    /// Whether the server runs on a test clock, which `PUT /v1/admin/clock` sets.
    settable: bool,
}

async fn read_clock<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Clock>, ApiError> {
    Ok(Json(Clock { now: state.clock.now_for(caller.program.id()), settable: state.clock.is_manual() }))
}

/// The time to set the caller's program's test clock to.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SetClock {
    now: Timestamp,
}

async fn set_clock<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiJson(body): ApiJson<SetClock>,
) -> Result<Json<Clock>, ApiError> {
    if !state.clock.set_for(caller.program.id(), body.now) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "test_clock_off",
            "this server runs on the system clock; start it with LOYALTY_TEST_CLOCK to set the time",
        ));
    }
    Ok(Json(Clock { now: state.clock.now_for(caller.program.id()), settable: true }))
}
