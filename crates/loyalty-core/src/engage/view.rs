//! Where a member stands on each achievement, from their counters, as the API shows it.

use super::achievement::{Achievement, MeasureName, Recurrence};
use super::period::Window;
use super::{Engagement, last_completion, last_counter, times_counter};
use crate::calendar::Calendar;
use crate::ids::{InstanceCode, RewardCode, Tag};
use crate::insight::Segment;
use crate::needs::{Aggregates, Counter};
use crate::points::Points;
use crate::spending::{InstanceState, RewardInstance};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AchievementStatus {
    NotStarted,
    InProgress,
    /// Completed, and not to be earned again now (once, or already in this period).
    Completed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AchievementProgress {
    pub code: String,
    pub name: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
    pub status: AchievementStatus,
    pub progress: Vec<CriterionProgress>,
    /// Σ min(current, threshold) / Σ threshold, as "2/5".
    pub fraction: String,
    pub points: Points,
    /// The catalogue reward each completion issues a code of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<RewardCode>,
    /// The codes its completions issued the member, oldest first, with their states (one
    /// a return took back is cancelled); filled by the caller from the member's codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<AchievementCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Timestamp>,
    pub times_completed: i64,
}

/// A code an achievement issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AchievementCode {
    pub code: InstanceCode,
    pub state: InstanceState,
    pub issued_at: Timestamp,
}

/// Puts each of the member's codes under the achievement that issued it.
pub fn attach_codes(list: &mut [AchievementProgress], codes: &[RewardInstance]) {
    for progress in list {
        progress.codes = codes
            .iter()
            .filter(|c| c.achievement.as_deref() == Some(progress.code.as_str()))
            .map(|c| AchievementCode { code: c.code.clone(), state: c.state, issued_at: c.issued_at })
            .collect();
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CriterionProgress {
    pub measure: MeasureName,
    pub period: Window,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    pub current: i64,
    pub threshold: i64,
}

/// A member's counters, by key, as the store reads them.
pub fn counts(counters: &BTreeMap<String, i64>) -> Aggregates {
    Aggregates {
        windows: BTreeMap::new(),
        counters: counters.iter().map(|(k, v)| (Counter::member(k.clone()), *v)).collect(),
    }
}

/// Every achievement the member may take part in at `now`, or has completed.
pub fn achievements(
    engagement: &Engagement,
    calendar: &Calendar,
    counts: &Aggregates,
    tier: Option<&str>,
    has_tag: impl Fn(&Tag) -> bool,
    segment: Option<Segment>,
    now: Timestamp,
) -> Vec<AchievementProgress> {
    engagement
        .achievements
        .iter()
        .filter_map(|a| {
            let times = counts.counter(&times_counter(&a.code));
            (times > 0 || a.open_to(tier, &has_tag, segment, now))
                .then(|| progress_of(a, calendar, counts, times, now))
        })
        .collect()
}

fn progress_of(
    a: &Achievement,
    calendar: &Calendar,
    counts: &Aggregates,
    times: i64,
    now: Timestamp,
) -> AchievementProgress {
    let last = last_completion(counts.counter(&last_counter(&a.code)));
    let values = a.progress(calendar, counts, now, last);
    let progress: Vec<CriterionProgress> = a
        .criteria
        .iter()
        .zip(&values)
        .map(|(c, v)| CriterionProgress {
            measure: c.measure,
            period: c.window,
            filter: match &c.count {
                super::Count::Purchases(f) | super::Count::Spend(f) => f.clone(),
                super::Count::Activity(kind) => Some(kind.clone()),
                super::Count::Streak(code) => Some(code.clone()),
                _ => None,
            },
            current: (*v).max(0),
            threshold: c.threshold,
        })
        .collect();
    let done: i64 = progress.iter().map(|p| p.current.min(p.threshold)).sum();
    let of: i64 = progress.iter().map(|p| p.threshold).sum();
    let finished =
        times > 0 && (a.recurrence == Recurrence::Once || !a.repeatable(calendar, times, last, now));
    let status = if finished {
        AchievementStatus::Completed
    } else if done > 0 {
        AchievementStatus::InProgress
    } else {
        AchievementStatus::NotStarted
    };
    AchievementProgress {
        code: a.code.clone(),
        name: a.name.clone(),
        description: a.description.clone(),
        badge: a.badge.clone(),
        status,
        progress,
        fraction: format!("{done}/{of}"),
        points: a.points,
        reward: a.reward.clone(),
        codes: Vec::new(),
        completed_at: last,
        times_completed: times,
    }
}
