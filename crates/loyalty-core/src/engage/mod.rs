//! Engagement: achievements and streaks. Program data, one file per kind, judged in
//! `decide` with the event that moves them (see `decide::engage`), kept in member counters
//! so that replay rebuilds them like everything else.

pub mod achievement;
pub mod count;
pub mod criterion;
mod facts;
pub mod leaderboard;
pub mod period;
pub mod streak;
pub mod view;

pub use achievement::{Achievement, AchievementDef, Criterion, CriterionDef, MeasureName, Recurrence};
pub use count::Count;
pub use facts::{Fact, facts};
pub use period::{StreakPeriod, Window};
pub use streak::{Qualifies, Streak, StreakDef, StreakView};

use crate::calendar::Calendar;
use crate::needs::Counter;
use crate::program::DefinitionErrors;
use crate::time::Timestamp;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// A program's achievements and streaks, validated, and what they make the engine count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Engagement {
    pub achievements: Vec<Achievement>,
    pub streaks: Vec<Streak>,
    /// Every count some criterion reads, with the windows it is read over.
    pub tracked: BTreeMap<Count, BTreeSet<Window>>,
}

const MAX_ACHIEVEMENTS: usize = 200;
const MAX_STREAKS: usize = 20;

impl Engagement {
    pub fn build(
        achievements: &[AchievementDef],
        streaks: &[StreakDef],
        calendar: &Calendar,
        rewards: &[String],
        errors: &mut DefinitionErrors,
    ) -> Engagement {
        if achievements.len() > MAX_ACHIEVEMENTS {
            errors.push("achievements", format!("at most {MAX_ACHIEVEMENTS}"));
        }
        if streaks.len() > MAX_STREAKS {
            errors.push("streaks", format!("at most {MAX_STREAKS}"));
        }
        let streaks: Vec<Streak> = unique(streaks.iter().map(|s| s.code.as_str()), "streaks", errors)
            .then(|| {
                streaks.iter().enumerate().filter_map(|(i, s)| s.build(&format!("streaks[{i}]"), errors))
            })
            .into_iter()
            .flatten()
            .collect();
        let codes: Vec<String> = streaks.iter().map(|s| s.code.clone()).collect();
        let achievements: Vec<Achievement> =
            unique(achievements.iter().map(|a| a.code.as_str()), "achievements", errors)
                .then(|| {
                    achievements.iter().enumerate().filter_map(|(i, a)| {
                        a.build(&format!("achievements[{i}]"), calendar, &codes, rewards, errors)
                    })
                })
                .into_iter()
                .flatten()
                .collect();
        let mut tracked: BTreeMap<Count, BTreeSet<Window>> = BTreeMap::new();
        for criterion in achievements.iter().flat_map(|a| &a.criteria) {
            if !matches!(criterion.count, Count::Streak(_)) {
                tracked.entry(criterion.count.clone()).or_default().insert(criterion.window);
            }
        }
        Engagement { achievements, streaks, tracked }
    }

    pub fn is_empty(&self) -> bool {
        self.achievements.is_empty() && self.streaks.is_empty()
    }

    /// Whether a return may cancel a code an achievement issued: then the store loads
    /// the member's unused achievement codes for returns.
    pub fn rewards_revocable(&self) -> bool {
        self.achievements.iter().any(|a| a.reward.is_some() && a.revoke_on_return)
    }

    pub fn achievement(&self, code: &str) -> Option<&Achievement> {
        self.achievements.iter().find(|a| a.code == code)
    }
}

/// Refuses two entries with one code.
fn unique<'a>(codes: impl Iterator<Item = &'a str>, list: &str, errors: &mut DefinitionErrors) -> bool {
    let mut seen = HashSet::new();
    let mut ok = true;
    for (i, code) in codes.enumerate() {
        if !seen.insert(code) {
            errors.push(format!("{list}[{i}].code"), format!("`{code}` is used twice"));
            ok = false;
        }
    }
    ok
}

/// How many times a member has completed an achievement (net of those taken back).
pub fn times_counter(code: &str) -> Counter {
    Counter::member(format!("ach:{code}:times"))
}

/// The instant, in microseconds, of the member's latest completion still standing; 0 if none.
pub fn last_counter(code: &str) -> Counter {
    Counter::member(format!("ach:{code}:at"))
}

/// The latest completion's instant, from its counter's value.
pub fn last_completion(micros: i64) -> Option<Timestamp> {
    (micros != 0).then(|| Timestamp::from_micros(micros))
}
