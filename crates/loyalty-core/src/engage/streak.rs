//! Streaks: consecutive local periods (days, weeks, months) with a qualifying event. A
//! missed period ends the run unless a freeze covers it; milestones pay points.

use super::period::StreakPeriod;
use crate::calendar::Calendar;
use crate::ids::{ActivityKind, check_slug};
use crate::needs::{Aggregates, Counter};
use crate::points::Points;
use crate::program::DefinitionErrors;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// `[[streaks]]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StreakDef {
    pub code: String,
    pub name: String,
    pub period: StreakPeriod,
    /// `purchase`, or the kind of an activity.
    pub qualifies: String,
    /// Missed periods a member may skip each local month without losing the run.
    #[serde(default)]
    pub freezes_per_month: i64,
    /// Runs that pay `points_per_milestone` when reached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<i64>,
    #[serde(default)]
    pub points_per_milestone: i64,
}

/// What counts towards a streak.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Qualifies {
    Purchase,
    Activity(ActivityKind),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Streak {
    pub code: String,
    pub name: String,
    pub period: StreakPeriod,
    pub qualifies: Qualifies,
    pub freezes_per_month: i64,
    pub milestones: Vec<i64>,
    pub points_per_milestone: Points,
}

impl StreakDef {
    pub(crate) fn build(&self, path: &str, errors: &mut DefinitionErrors) -> Option<Streak> {
        let before = errors.len();
        if let Err(e) = check_slug("code", &self.code, 64) {
            errors.push(format!("{path}.code"), e.problem);
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            errors.push(format!("{path}.name"), "must be 1 to 200 characters");
        }
        let qualifies = if self.qualifies == "purchase" {
            Qualifies::Purchase
        } else {
            match ActivityKind::parse(self.qualifies.clone()) {
                Ok(kind) => Qualifies::Activity(kind),
                Err(e) => {
                    errors.push(format!("{path}.qualifies"), format!("`purchase` or an activity kind: {e}"));
                    Qualifies::Purchase
                }
            }
        };
        if !(0..=31).contains(&self.freezes_per_month) {
            errors.push(
                format!("{path}.freezes_per_month"),
                format!("must be between 0 and 31, not {}", self.freezes_per_month),
            );
        }
        let mut milestones = self.milestones.clone();
        milestones.sort_unstable();
        milestones.dedup();
        if milestones.len() != self.milestones.len() || milestones.iter().any(|m| !(1..=100_000).contains(m))
        {
            errors.push(format!("{path}.milestones"), "must be distinct runs between 1 and 100000");
        }
        if !(0..=Points::MAX_PER_EVENT.get()).contains(&self.points_per_milestone) {
            errors.push(
                format!("{path}.points_per_milestone"),
                "must be between 0 and the points of one event",
            );
        }
        (errors.len() == before).then(|| Streak {
            code: self.code.clone(),
            name: self.name.clone(),
            period: self.period,
            qualifies,
            freezes_per_month: self.freezes_per_month,
            milestones,
            points_per_milestone: Points::new(self.points_per_milestone),
        })
    }
}

/// A member's run, as its counters keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Run {
    pub current: i64,
    pub longest: i64,
    /// The number of the last period with a qualifying event; 0 if none yet.
    pub last: i64,
    /// Freezes used in the local month asked about.
    pub frozen: i64,
}

/// What one qualifying event did to a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub before: Run,
    pub after: Run,
    /// The milestone the run reached, if it reached one.
    pub milestone: Option<i64>,
}

impl Streak {
    pub fn current_counter(&self) -> Counter {
        Counter::member(format!("streak:{}:current", self.code))
    }

    fn longest_counter(&self) -> Counter {
        Counter::member(format!("streak:{}:longest", self.code))
    }

    fn last_counter(&self) -> Counter {
        Counter::member(format!("streak:{}:last", self.code))
    }

    /// Freezes are counted per local month of the event that uses them.
    fn frozen_counter(&self, calendar: &Calendar, at: Timestamp) -> Counter {
        Counter::member(format!("streak:{}:frozen:{}", self.code, calendar.local(at).month_key()))
    }

    /// The counters that hold the run, for an event or a view at `at`.
    pub fn counters(&self, calendar: &Calendar, at: Timestamp) -> [Counter; 4] {
        [
            self.current_counter(),
            self.longest_counter(),
            self.last_counter(),
            self.frozen_counter(calendar, at),
        ]
    }

    pub fn run(&self, calendar: &Calendar, counts: &Aggregates, at: Timestamp) -> Run {
        let [current, longest, last, frozen] = self.counters(calendar, at).map(|c| counts.counter(&c));
        Run { current, longest, last, frozen }
    }

    /// The run after a qualifying event at `at`. An event in a period already counted, or
    /// earlier than the last counted one (a late arrival), changes nothing.
    pub fn step(&self, calendar: &Calendar, counts: &Aggregates, at: Timestamp) -> Option<Step> {
        let before = self.run(calendar, counts, at);
        let period = self.period.index(calendar.local(at).date());
        if before.last != 0 && period <= before.last {
            return None;
        }
        let missed = if before.last == 0 { i64::MAX } else { period - before.last - 1 };
        let mut after = Run { last: period, ..before };
        let left = self.freezes_per_month - before.frozen;
        if before.current > 0 && missed == 0 {
            after.current = before.current + 1;
        } else if before.current > 0 && missed <= left {
            after.current = before.current + 1;
            after.frozen = before.frozen + missed;
        } else {
            after.current = 1;
        }
        after.longest = before.longest.max(after.current);
        let milestone = self.milestones.contains(&after.current).then_some(after.current);
        Some(Step { before, after, milestone })
    }

    /// The counter moves that take a run from `before` to `after`.
    pub fn moves(&self, calendar: &Calendar, at: Timestamp, step: &Step) -> Vec<(Counter, i64)> {
        let [current, longest, last, frozen] = self.counters(calendar, at);
        [
            (current, step.after.current - step.before.current),
            (longest, step.after.longest - step.before.longest),
            (last, step.after.last - step.before.last),
            (frozen, step.after.frozen - step.before.frozen),
        ]
        .into_iter()
        .filter(|(_, by)| *by != 0)
        .collect()
    }

    /// The run as a member sees it at `now`: ended if too many periods passed without a
    /// qualifying event, with the last local day the next one may come.
    pub fn view(&self, calendar: &Calendar, counts: &Aggregates, now: Timestamp) -> StreakView {
        let run = self.run(calendar, counts, now);
        let freezes_left = (self.freezes_per_month - run.frozen).max(0);
        let period = self.period.index(calendar.local(now).date());
        let deadline = run.last + 1 + freezes_left;
        let alive = run.current > 0 && period <= deadline;
        StreakView {
            code: self.code.clone(),
            name: self.name.clone(),
            period: self.period,
            current: if alive { run.current } else { 0 },
            longest: run.longest,
            freezes_left,
            next_due_by: if alive { self.period.last_day(deadline).map(|d| d.to_string()) } else { None },
        }
    }
}

/// A member's streak, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StreakView {
    pub code: String,
    pub name: String,
    pub period: StreakPeriod,
    pub current: i64,
    pub longest: i64,
    pub freezes_left: i64,
    /// The last local day on which a qualifying event keeps the run going; none when no
    /// run is going.
    pub next_due_by: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::DefinitionErrors;

    fn weekly(freezes: i64) -> (Streak, Calendar) {
        let def = StreakDef {
            code: "weekly".to_owned(),
            name: "Weekly".to_owned(),
            period: StreakPeriod::Week,
            qualifies: "review".to_owned(),
            freezes_per_month: freezes,
            milestones: vec![2],
            points_per_milestone: 10,
        };
        let mut errors = DefinitionErrors::default();
        let streak = def.build("streaks[0]", &mut errors).unwrap();
        (streak, Calendar::new(jiff::tz::TimeZone::get("Europe/Paris").unwrap()))
    }

    /// Runs qualifying events at each instant, moving the counters as the store would.
    fn run(streak: &Streak, calendar: &Calendar, instants: &[&str]) -> (Aggregates, Vec<Option<i64>>) {
        let mut counts = Aggregates::default();
        let mut milestones = Vec::new();
        for text in instants {
            let at = Timestamp::parse_rfc3339(text).unwrap();
            let Some(step) = streak.step(calendar, &counts, at) else {
                milestones.push(None);
                continue;
            };
            for (counter, by) in streak.moves(calendar, at, &step) {
                *counts.counters.entry(counter).or_insert(0) += by;
            }
            milestones.push(step.milestone);
        }
        (counts, milestones)
    }

    #[test]
    fn weeks_run_monday_to_sunday_in_the_program_s_time_zone() {
        let (streak, paris) = weekly(0);
        // Sunday 22:30 UTC is already Monday in Paris: the next week, so a run of two.
        let (counts, milestones) = run(&streak, &paris, &["2026-11-04T12:00:00Z", "2026-11-08T23:30:00Z"]);
        assert_eq!(milestones, [None, Some(2)]);
        let at = Timestamp::parse_rfc3339("2026-11-10T12:00:00Z").unwrap();
        let view = streak.view(&paris, &counts, at);
        assert_eq!((view.current, view.longest, view.freezes_left), (2, 2, 0));
        assert_eq!(view.next_due_by.as_deref(), Some("2026-11-22"));
    }

    #[test]
    fn a_freeze_covers_one_missed_week_and_the_second_miss_resets() {
        let (streak, paris) = weekly(1);
        let (counts, _) = run(
            &streak,
            &paris,
            // Weeks of 2 Nov and 16 Nov (9 Nov missed, frozen), then 7 Dec after two missed.
            &["2026-11-03T12:00:00Z", "2026-11-17T12:00:00Z", "2026-12-08T12:00:00Z"],
        );
        let at = Timestamp::parse_rfc3339("2026-12-08T13:00:00Z").unwrap();
        let run = streak.run(&paris, &counts, at);
        assert_eq!((run.current, run.longest), (1, 2));
        // A late event, in a week before the last counted, changes nothing.
        assert!(
            streak.step(&paris, &counts, Timestamp::parse_rfc3339("2026-11-20T12:00:00Z").unwrap()).is_none()
        );
    }

    #[test]
    fn bad_definitions_name_their_field() {
        let def = StreakDef {
            code: "Bad Code".to_owned(),
            name: String::new(),
            period: StreakPeriod::Day,
            qualifies: "Not A Kind".to_owned(),
            freezes_per_month: 40,
            milestones: vec![3, 3],
            points_per_milestone: -1,
        };
        let mut errors = DefinitionErrors::default();
        assert!(def.build("streaks[1]", &mut errors).is_none());
        let paths: Vec<String> = errors.iter().map(|e| e.path.clone()).collect();
        assert_eq!(
            paths,
            [
                "streaks[1].code",
                "streaks[1].name",
                "streaks[1].qualifies",
                "streaks[1].freezes_per_month",
                "streaks[1].milestones",
                "streaks[1].points_per_milestone"
            ]
        );
    }
}
