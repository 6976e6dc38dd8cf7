//! What the store keeps of the analytics job's results.

use loyalty_core::Timestamp;
use loyalty_core::insight::{ChurnRisk, MemberScore, Segment};

/// One member's stored scores.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSegment {
    pub external_id: String,
    pub score: MemberScore,
    pub computed_at: Timestamp,
}

/// How the scored members spread, from the last run: by recency score and the mean of
/// their frequency and monetary scores rounded up (`(r, fm, members)`, cells with members
/// only), and by churn risk.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SegmentSpread {
    pub grid: Vec<(i64, i64, i64)>,
    pub churn: Vec<(ChurnRisk, i64)>,
}

/// One segment's size and spend, from the last run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentTotals {
    pub segment: Segment,
    pub members: i64,
    /// The members' spend in the window, summed, in minor units.
    pub spend_minor: i64,
}

/// A page of one segment's members, in the order of the engine's member ids.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentPage {
    pub members: Vec<StoredSegment>,
    /// Where the next page starts, if there is one.
    pub next_after: Option<i64>,
}

/// A member's scores as of the last run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemberSegment {
    /// When the last run was; `None` before the first.
    pub computed_at: Option<Timestamp>,
    /// The member's scores, if the run scored them (a purchase in the window).
    pub scored: Option<StoredSegment>,
}
