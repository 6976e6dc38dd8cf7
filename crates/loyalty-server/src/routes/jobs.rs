//! Running the jobs on demand, and the test clock that lets a test walk a member through
//! months in seconds. The clock can be set only on a server started with a test clock
//! (`LOYALTY_TEST_CLOCK`); on the system clock the route answers that it is off.

use crate::analytics::{AnalyticsReport, analytics_due, run_analytics};
use crate::auth::AdminCaller;
use crate::error::ApiError;
use crate::jobs::{DEFAULT_BATCH, Job, JobReport, run_only};
use crate::json::{ApiJson, MaybeJson};
use crate::openapi::{Documented, doc, optional_body};
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
                let op = doc("run_jobs", "jobs", "Run the program's due jobs now")(op)
                    .answers::<200, JobRun>("What the run did")
                    .errors(&[400, 422]);
                // A request without a body runs every due job.
                optional_body(op)
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
    /// What the analytics job did, if it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    analytics: Option<AnalyticsReport>,
}

/// Which jobs to run; every due job if not given.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(example = serde_json::json!({ "jobs": ["analytics"] }))]
struct RunJobs {
    /// The jobs to run. Without it, every job that is due runs, and the analytics job
    /// when the segments are a day old or were never computed; named, analytics always runs.
    #[serde(default)]
    jobs: Option<Vec<JobName>>,
}

/// A job that `POST /v1/jobs/run` may be asked to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum JobName {
    Expiry,
    Release,
    Notices,
    Birthdays,
    TierReviews,
    Inactivity,
    Holds,
    Codes,
    /// RFM segments and churn risk, recomputed for every member.
    Analytics,
}

impl JobName {
    fn job(self) -> Option<Job> {
        Some(match self {
            JobName::Expiry => Job::Expiry,
            JobName::Release => Job::Release,
            JobName::Notices => Job::Notice,
            JobName::Birthdays => Job::Birthday,
            JobName::TierReviews => Job::TierReview,
            JobName::Inactivity => Job::Inactivity,
            JobName::Holds => Job::HoldExpiry,
            JobName::Codes => Job::CodeExpiry,
            JobName::Analytics => return None,
        })
    }
}

/// Runs the jobs of the caller's program that are due at the server's time (those named,
/// if the body names some).
async fn run<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    MaybeJson(body): MaybeJson<RunJobs>,
) -> Result<Json<JobRun>, ApiError> {
    let request = body.unwrap_or_default();
    let now = state.clock.now_for(caller.program.id());
    let metrics = Some(state.metrics.as_ref());
    let store = state.store.as_ref();
    let (only, analytics): (Vec<Job>, bool) = match &request.jobs {
        None => (Job::ALL.to_vec(), analytics_due(store, &caller.program, now).await?),
        Some(names) => (names.iter().filter_map(|n| n.job()).collect(), names.contains(&JobName::Analytics)),
    };
    let report = run_only(store, &caller.program, now, DEFAULT_BATCH, metrics, &mut |_, _| {}, &only).await?;
    let analytics = if analytics { Some(run_analytics(store, &caller.program, now).await?) } else { None };
    Ok(Json(JobRun { now, report, analytics }))
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
