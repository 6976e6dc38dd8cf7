//! Insight: views computed over per-member purchase summaries by a job, never per
//! request over the journal. RFM scores and named segments (`rfm`, `segment`), churn risk
//! from the gap between purchases (`churn`), and next best offers (`offers`). Scores may
//! use floats (they are analytics, never written to the journal), but every function here
//! is deterministic: the same summaries at the same time give the same answer.

pub mod churn;
pub mod offers;
pub mod rfm;
pub mod segment;

pub use churn::{Churn, ChurnRisk};
pub use rfm::{MemberFacts, MemberScore, Rfm, score_members};
pub use segment::Segment;

use serde::{Deserialize, Serialize};

/// One day in microseconds.
pub const DAY_MICROS: i64 = 86_400_000_000;

/// The longest analytics window a program may ask for, in months.
pub const MAX_WINDOW_MONTHS: u32 = 120;

/// `[analytics]`: how the segments job looks at members' purchases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AnalyticsDef {
    /// Members with a purchase in the last this many months are scored (1 to 120).
    #[serde(default = "default_window_months")]
    pub window_months: u32,
    /// The typical gap between purchases, in days, when no member of the program has
    /// bought twice in the window (1 to 3650).
    #[serde(default = "default_gap_days")]
    pub default_gap_days: u32,
    /// A reward is "nearly affordable" when the points still needed are at most this
    /// percentage of its cost (1 to 100).
    #[serde(default = "default_near_percent")]
    pub near_afford_percent: u32,
}

fn default_window_months() -> u32 {
    12
}

fn default_gap_days() -> u32 {
    30
}

fn default_near_percent() -> u32 {
    50
}

impl Default for AnalyticsDef {
    fn default() -> AnalyticsDef {
        AnalyticsDef {
            window_months: default_window_months(),
            default_gap_days: default_gap_days(),
            near_afford_percent: default_near_percent(),
        }
    }
}

impl AnalyticsDef {
    pub fn is_default(&self) -> bool {
        *self == AnalyticsDef::default()
    }

    /// What is wrong with the section, as (field, problem) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if !(1..=MAX_WINDOW_MONTHS).contains(&self.window_months) {
            problems.push(("analytics.window_months", format!("must be 1 to {MAX_WINDOW_MONTHS}")));
        }
        if !(1..=3650).contains(&self.default_gap_days) {
            problems.push(("analytics.default_gap_days", "must be 1 to 3650".to_owned()));
        }
        if !(1..=100).contains(&self.near_afford_percent) {
            problems.push(("analytics.near_afford_percent", "must be 1 to 100".to_owned()));
        }
        problems
    }
}

/// Rounds an analytics figure to two decimals, so that what is stored, shown and judged
/// (a churn risk) is the same number.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
