//! The analytics job: reads every member's purchase facts of the program's window from the
//! store in one query, scores them in the core (RFM quintiles, segments, churn), and
//! writes the scores back in bulk, replacing the previous run's. It writes no event and
//! no journal entry: segments are a view, recomputed whole each run.

use crate::state::Versions;
use loyalty_core::Timestamp;
use loyalty_core::insight::score_members;
use loyalty_store::{Store, StoreError};
use schemars::JsonSchema;
use serde::Serialize;

/// The scheduler recomputes segments when the last run is at least this old.
pub const ANALYTICS_EVERY_MICROS: i64 = 24 * 3_600_000_000;

/// What one analytics run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AnalyticsReport {
    /// Members scored: those with a purchase in the program's window.
    pub scored: u64,
    pub computed_at: Timestamp,
}

/// Whether the scheduler should recompute the program's segments at `now`: never computed,
/// or last computed a day or more ago.
pub async fn analytics_due<S: Store>(
    store: &S,
    versions: &Versions,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let last = store.segment_totals(versions.id()).await?.map(|(at, _)| at);
    Ok(last.is_none_or(|at| now.as_micros().saturating_sub(at.as_micros()) >= ANALYTICS_EVERY_MICROS))
}

/// Scores every member with a purchase in the window that ends at `now`, and stores the
/// scores in place of the last run's.
pub async fn run_analytics<S: Store>(
    store: &S,
    versions: &Versions,
    now: Timestamp,
) -> Result<AnalyticsReport, StoreError> {
    let program = &versions.at(now).program;
    let def = *program.analytics();
    let since = program.calendar().months_before(now, def.window_months).unwrap_or(Timestamp::from_micros(0));
    let facts = store.purchase_facts(versions.id(), since, now).await?;
    let scores = score_members(&facts, now, &def);
    store.replace_segments(versions.id(), &scores, now).await?;
    Ok(AnalyticsReport { scored: scores.len() as u64, computed_at: now })
}
