//! Achievements: badges a member earns when every criterion holds, judged with the event
//! that completes them, and taken back by a return that undoes them.

pub use super::criterion::{Criterion, CriterionDef, MeasureName};
use super::period::Window;
use crate::calendar::Calendar;
use crate::earning::parse_local;
use crate::ids::{RewardCode, Tag, TierCode, check_slug};
use crate::insight::Segment;
use crate::needs::Aggregates;
use crate::points::Points;
use crate::program::DefinitionErrors;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// `[[achievements]]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AchievementDef {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// An image URL or a short emoji or icon name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
    pub criteria: Vec<CriterionDef>,
    #[serde(default)]
    pub recurrence: Recurrence,
    /// How many times a repeatable achievement may be earned; unbounded if unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_completions: Option<i64>,
    /// A limited-time challenge: local date or date-time in the program's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
    /// Only members of these tiers take part; everyone if empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// Only members with one of these tags take part; everyone if empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Only members whose segment is one of these take part; everyone if empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<String>,
    /// Points for completing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// A catalogue reward whose code each completion issues, at no cost in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<String>,
    /// Whether a return that makes a criterion fail takes the achievement back.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub revoke_on_return: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    #[default]
    Once,
    /// Earned again in each period of its criteria.
    EachPeriod,
}

/// A validated achievement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Achievement {
    pub code: String,
    pub name: String,
    pub description: String,
    pub badge: Option<String>,
    pub criteria: Vec<Criterion>,
    pub recurrence: Recurrence,
    pub max_completions: Option<i64>,
    pub starts_at: Option<Timestamp>,
    pub ends_at: Option<Timestamp>,
    pub tiers: Vec<TierCode>,
    pub tags: Vec<Tag>,
    pub segments: Vec<Segment>,
    pub points: Points,
    pub reward: Option<RewardCode>,
    pub revoke_on_return: bool,
}

const MAX_CRITERIA: usize = 10;
const MAX_BADGE_CHARS: usize = 500;

impl AchievementDef {
    pub(crate) fn build(
        &self,
        path: &str,
        calendar: &Calendar,
        streaks: &[String],
        rewards: &[String],
        errors: &mut DefinitionErrors,
    ) -> Option<Achievement> {
        let before = errors.len();
        let error = |errors: &mut DefinitionErrors, field: &str, message: String| {
            errors.push(format!("{path}.{field}"), message)
        };
        if let Err(e) = check_slug("code", &self.code, 64) {
            error(errors, "code", e.problem);
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            error(errors, "name", "must be 1 to 200 characters".to_owned());
        }
        if self.badge.as_ref().is_some_and(|b| b.is_empty() || b.chars().count() > MAX_BADGE_CHARS) {
            error(errors, "badge", format!("must be 1 to {MAX_BADGE_CHARS} characters"));
        }
        if self.criteria.is_empty() || self.criteria.len() > MAX_CRITERIA {
            error(errors, "criteria", format!("needs 1 to {MAX_CRITERIA} criteria"));
        }
        let criteria: Vec<Criterion> = self
            .criteria
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.build(&format!("{path}.criteria[{i}]"), streaks, errors))
            .collect();
        if self.recurrence == Recurrence::EachPeriod {
            let windows: Vec<Window> = criteria.iter().map(|c| c.window).collect();
            if windows.iter().any(|w| *w == Window::Lifetime || *w != windows[0]) {
                error(
                    errors,
                    "recurrence",
                    "each_period needs every criterion over the same period, not lifetime".to_owned(),
                );
            }
        }
        if let Some(max) = self.max_completions
            && !(1..=1_000_000).contains(&max)
        {
            error(errors, "max_completions", format!("must be between 1 and 1000000, not {max}"));
        }
        let mut instant = |field: &str, text: &Option<String>| {
            let text = text.as_ref()?;
            let at = parse_local(text).and_then(|local| calendar.instant(local));
            if at.is_none() {
                error(errors, field, format!("`{text}` is not a date or local date-time (2026-12-01)"));
            }
            at
        };
        let starts_at = instant("starts_at", &self.starts_at);
        let ends_at = instant("ends_at", &self.ends_at);
        if let (Some(s), Some(e)) = (starts_at, ends_at)
            && e <= s
        {
            error(errors, "ends_at", "must be after starts_at".to_owned());
        }
        let tiers = parse_all(path, "tiers", &self.tiers, TierCode::parse, errors);
        let tags = parse_all(path, "tags", &self.tags, Tag::parse, errors);
        let segments = Segment::parse_list(path, &self.segments, errors);
        let reward = match &self.reward {
            Some(code) if rewards.contains(code) => {
                RewardCode::parse(code.clone()).map_err(|e| error(errors, "reward", e.to_string())).ok()
            }
            Some(code) => {
                error(errors, "reward", format!("`{code}` is not a reward of the catalogue"));
                None
            }
            None => None,
        };
        let points = self.points.unwrap_or(0);
        if !(0..=Points::MAX_PER_EVENT.get()).contains(&points) {
            error(
                errors,
                "points",
                format!("must be between 0 and {}, not {points}", Points::MAX_PER_EVENT.get()),
            );
        }
        (errors.len() == before).then(|| Achievement {
            code: self.code.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            badge: self.badge.clone(),
            criteria,
            recurrence: self.recurrence,
            max_completions: self.max_completions,
            starts_at,
            ends_at,
            tiers,
            tags,
            segments,
            points: Points::new(points),
            reward,
            revoke_on_return: self.revoke_on_return,
        })
    }
}

fn parse_all<T, E: std::fmt::Display>(
    path: &str,
    field: &str,
    values: &[String],
    parse: impl Fn(String) -> Result<T, E>,
    errors: &mut DefinitionErrors,
) -> Vec<T> {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            parse(v.clone()).map_err(|e| errors.push(format!("{path}.{field}[{i}]"), e.to_string())).ok()
        })
        .collect()
}

impl Achievement {
    /// Whether a member takes part at `at`: within its dates, in its tiers, tags and
    /// segments.
    pub fn open_to(
        &self,
        tier: Option<&str>,
        has_tag: impl Fn(&Tag) -> bool,
        segment: Option<Segment>,
        at: Timestamp,
    ) -> bool {
        self.starts_at.is_none_or(|s| at >= s)
            && self.ends_at.is_none_or(|e| at < e)
            && (self.tiers.is_empty() || tier.is_some_and(|t| self.tiers.iter().any(|c| c.as_str() == t)))
            && (self.tags.is_empty() || self.tags.iter().any(has_tag))
            && Segment::admits(&self.segments, segment)
    }

    /// Whether it may be completed once more, given how often and when it last was.
    pub fn repeatable(
        &self,
        calendar: &Calendar,
        times: i64,
        last: Option<Timestamp>,
        at: Timestamp,
    ) -> bool {
        match self.recurrence {
            Recurrence::Once => times == 0,
            Recurrence::EachPeriod => {
                let under_max = self.max_completions.is_none_or(|max| times < max);
                let window = self.criteria.first().map(|c| c.window).unwrap_or_default();
                // A calendar period is earned once; a rolling window counts afresh after each.
                let new_period = match (last, window.rolling_days()) {
                    (Some(last), None) => window.key(calendar, last) != window.key(calendar, at),
                    _ => true,
                };
                under_max && new_period
            }
        }
    }

    /// Each criterion's value at `at`, counting for a repeatable rolling achievement only
    /// the days after its last completion.
    pub fn progress(
        &self,
        calendar: &Calendar,
        counts: &Aggregates,
        at: Timestamp,
        last: Option<Timestamp>,
    ) -> Vec<i64> {
        let after = self.counting_after(calendar, last);
        self.criteria.iter().map(|c| c.value(calendar, counts, at, after)).collect()
    }

    /// The local day after which its criteria count: for a repeatable achievement, that of
    /// its last completion, so a rolling window counts afresh; otherwise none.
    pub fn counting_after(&self, calendar: &Calendar, last: Option<Timestamp>) -> Option<jiff::civil::Date> {
        match self.recurrence {
            Recurrence::EachPeriod => last.map(|l| calendar.local(l).date()),
            Recurrence::Once => None,
        }
    }
}
