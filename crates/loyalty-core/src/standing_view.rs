//! Where a member stands, as their page shows it: their tier and what the next one needs,
//! and what a closure took.

use crate::decide::tier_at;
use crate::points::Points;
use crate::program::Program;
use crate::state::{Closure, Member};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TierProgress {
    /// The tier the member has now: earned or paid for, whichever is higher.
    pub tier: Option<String>,
    /// The tier the metric reached (or an administrator set).
    pub earned_tier: Option<String>,
    /// `spend` (minor units) or `points`.
    pub metric: String,
    /// The metric's window so far: from then until now.
    pub window_from: Timestamp,
    pub value: i64,
    /// The next tier a threshold reaches, and how much more of the metric it needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_tier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needed: Option<i64>,
    /// When the earned tier is next evaluated (a move down waits out the grace period).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_evaluation: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perks: Vec<String>,
}

impl TierProgress {
    /// The progress of `member` at `now`, whose metric in the current window is `value`;
    /// `None` for a program without tiers.
    pub fn of(program: &Program, member: &Member, value: i64, now: Timestamp) -> Option<TierProgress> {
        let tiers = program.tiers();
        if tiers.is_empty() {
            return None;
        }
        let window = tiers.current_window(program.calendar(), now);
        let tier = tier_at(tiers, member, now);
        let earned = member.profile.tier.as_ref();
        let next = tiers.next_above(earned);
        Some(TierProgress {
            tier: tier.map(ToString::to_string),
            earned_tier: earned.map(ToString::to_string),
            metric: tiers.metric.as_str().to_owned(),
            window_from: window.from,
            value,
            next_tier: next.map(|l| l.code.to_string()),
            needed: next.and_then(|l| l.threshold).map(|t| (t - value).max(0)),
            next_evaluation: member.standing.tier_review_at,
            perks: tier.and_then(|t| tiers.level(t)).map(|l| l.perks.clone()).unwrap_or_default(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ClosureView {
    pub closed_at: Timestamp,
    /// The points the closure forfeited, which a reinstatement gives back.
    pub forfeited: Points,
}

impl ClosureView {
    pub fn of(closure: &Closure) -> ClosureView {
        let forfeited = closure.forfeited.iter().map(|f| f.points.get()).sum();
        ClosureView { closed_at: closure.closed_at, forfeited: Points::new(forfeited) }
    }
}
