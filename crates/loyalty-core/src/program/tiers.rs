//! Tiers as written: ordered levels with the thresholds that reach them, the metric and
//! window they are measured on, how members fall back, and what each level gives.

use super::DefinitionErrors;
use crate::calendar::Calendar;
use crate::ids::TierCode;
use crate::needs::{Measure, Window};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TiersDef {
    /// What qualifies a member: money spent (minor units) or points earned.
    #[serde(default)]
    pub metric: TierMetric,
    /// The period the metric is summed over.
    #[serde(default)]
    pub window: TierWindow,
    /// Days after the evaluation date before a member who fell short is moved down; what
    /// they earn in those days still counts.
    #[serde(default)]
    pub grace_days: u32,
    #[serde(default)]
    pub downgrade: Downgrade,
    /// Lowest first.
    #[serde(default)]
    pub levels: Vec<TierLevelDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TierMetric {
    #[default]
    Spend,
    Points,
}

impl TierMetric {
    pub fn as_str(self) -> &'static str {
        match self {
            TierMetric::Spend => "spend",
            TierMetric::Points => "points",
        }
    }

    fn measure(self) -> Measure {
        match self {
            TierMetric::Spend => Measure::Spend,
            TierMetric::Points => Measure::Earned,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TierWindow {
    /// The calendar year in the program's time zone; tiers are evaluated each 1 January.
    #[default]
    CalendarYear,
    /// The 12 months before; a tier is evaluated 12 months after it was reached or kept.
    #[serde(rename = "rolling_12_months")]
    Rolling12Months,
}

impl TierWindow {
    pub fn as_str(self) -> &'static str {
        match self {
            TierWindow::CalendarYear => "calendar_year",
            TierWindow::Rolling12Months => "rolling_12_months",
        }
    }
}

/// How far a member who fell short falls at one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Downgrade {
    #[default]
    OneTier,
    ToQualified,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TierLevelDef {
    pub code: String,
    pub name: String,
    /// The metric's value in the window that reaches this tier; a tier without one is
    /// reached only by paying for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<i64>,
    /// A member may subscribe to this tier for this price a month, in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_minor: Option<i64>,
    /// What the tier gives besides earning multipliers and rewards, in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perks: Vec<String>,
}

/// A validated tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierLevel {
    pub code: TierCode,
    pub name: String,
    pub threshold: Option<i64>,
    pub price_minor: Option<i64>,
    pub perks: Vec<String>,
}

/// The validated tiers of a program, lowest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tiers {
    pub metric: TierMetric,
    pub window: TierWindow,
    pub grace_days: u32,
    pub downgrade: Downgrade,
    pub levels: Vec<TierLevel>,
}

const MAX_LEVELS: usize = 20;
const MAX_GRACE_DAYS: u32 = 366;
const MAX_PERKS: usize = 20;
const MAX_TEXT_CHARS: usize = 200;
/// Thresholds and prices stay far from overflow when summed over a year.
const MAX_AMOUNT: i64 = 1_000_000_000_000;

impl TiersDef {
    pub fn is_empty(&self) -> bool {
        *self == TiersDef::default()
    }

    pub(super) fn build(&self, errors: &mut DefinitionErrors) -> Tiers {
        if self.levels.len() > MAX_LEVELS {
            errors.push("tiers.levels", format!("a program may have at most {MAX_LEVELS} tiers"));
        }
        if self.grace_days > MAX_GRACE_DAYS {
            errors.push(
                "tiers.grace_days",
                format!("must be at most {MAX_GRACE_DAYS}, not {}", self.grace_days),
            );
        }
        let mut levels: Vec<TierLevel> = Vec::with_capacity(self.levels.len());
        for (i, level) in self.levels.iter().enumerate() {
            let path = format!("tiers.levels[{i}]");
            let code = match TierCode::parse(level.code.clone()) {
                Ok(code) => code,
                Err(e) => {
                    errors.push(format!("{path}.code"), e.problem);
                    continue;
                }
            };
            if levels.iter().any(|l| l.code == code) {
                errors.push(format!("{path}.code"), format!("`{code}` is used by another tier"));
            }
            if level.name.trim().is_empty() || level.name.chars().count() > MAX_TEXT_CHARS {
                errors.push(format!("{path}.name"), format!("must be 1 to {MAX_TEXT_CHARS} characters"));
            }
            for (field, value, min) in
                [("threshold", level.threshold, 0), ("price_minor", level.price_minor, 1)]
            {
                if let Some(v) = value
                    && !(min..=MAX_AMOUNT).contains(&v)
                {
                    errors.push(
                        format!("{path}.{field}"),
                        format!("must be between {min} and {MAX_AMOUNT}, not {v}"),
                    );
                }
            }
            if level.threshold.is_none() && level.price_minor.is_none() {
                errors.push(path.clone(), "needs a threshold, a price_minor, or both");
            }
            let below = levels.iter().filter_map(|l| l.threshold).max();
            if let (Some(below), Some(this)) = (below, level.threshold)
                && this <= below
            {
                errors.push(
                    format!("{path}.threshold"),
                    format!(
                        "must be above the threshold of the tiers before it ({below}): tiers go lowest first"
                    ),
                );
            }
            if level.perks.len() > MAX_PERKS
                || level.perks.iter().any(|p| p.trim().is_empty() || p.chars().count() > MAX_TEXT_CHARS)
            {
                errors.push(
                    format!("{path}.perks"),
                    format!("at most {MAX_PERKS} perks of 1 to {MAX_TEXT_CHARS} characters each"),
                );
            }
            levels.push(TierLevel {
                code,
                name: level.name.clone(),
                threshold: level.threshold,
                price_minor: level.price_minor,
                perks: level.perks.clone(),
            });
        }
        Tiers {
            metric: self.metric,
            window: self.window,
            grace_days: self.grace_days,
            downgrade: self.downgrade,
            levels,
        }
    }
}

impl Tiers {
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    /// The tier's place in the order, lowest 0; `None` for no tier or one not defined.
    pub fn rank(&self, code: Option<&TierCode>) -> Option<usize> {
        code.and_then(|c| self.levels.iter().position(|l| &l.code == c))
    }

    pub fn level(&self, code: &TierCode) -> Option<&TierLevel> {
        self.levels.iter().find(|l| &l.code == code)
    }

    /// The higher of two tiers; a tier the program does not define ranks below every one
    /// it does.
    pub fn higher<'a>(&self, a: Option<&'a TierCode>, b: Option<&'a TierCode>) -> Option<&'a TierCode> {
        match (self.rank(a), self.rank(b)) {
            (_, None) => a.or(b),
            (None, Some(_)) => b,
            (Some(x), Some(y)) => {
                if y > x {
                    b
                } else {
                    a
                }
            }
        }
    }

    /// The highest tier whose threshold `value` reaches.
    pub fn qualified(&self, value: i64) -> Option<&TierLevel> {
        self.levels.iter().rev().find(|l| l.threshold.is_some_and(|t| value >= t))
    }

    /// The next tier above `current` that a threshold reaches, and that threshold.
    pub fn next_above(&self, current: Option<&TierCode>) -> Option<&TierLevel> {
        let from = self.rank(current).map_or(0, |r| r + 1);
        self.levels.iter().skip(from).find(|l| l.threshold.is_some())
    }

    /// The window of the metric as it stands at `at`: this calendar year so far, or the
    /// 12 months before, `at` included.
    pub fn current_window(&self, calendar: &Calendar, at: Timestamp) -> Window {
        let from = match self.window {
            TierWindow::CalendarYear => calendar.start_of_year(at),
            TierWindow::Rolling12Months => {
                calendar.months_before(at, 12).unwrap_or(Timestamp::from_micros(0))
            }
        };
        // Events at `at` itself are in: two purchases stamped the same second both count.
        Window {
            from,
            to: Timestamp::from_micros(at.as_micros().saturating_add(1)),
            measure: self.metric.measure(),
        }
    }

    /// The 12 months that an evaluation on `due` judges: for calendar years, the year
    /// that ended then.
    pub fn evaluated_window(&self, calendar: &Calendar, due: Timestamp) -> Window {
        let from = calendar.months_before(due, 12).unwrap_or(Timestamp::from_micros(0));
        Window { from, to: due, measure: self.metric.measure() }
    }

    /// When a tier reached or kept at `at` is next evaluated.
    pub fn next_review(&self, calendar: &Calendar, at: Timestamp) -> Option<Timestamp> {
        match self.window {
            TierWindow::CalendarYear => calendar.start_of_year_after(at, 1),
            TierWindow::Rolling12Months => calendar.add_months(at, 12),
        }
    }

    /// When an evaluation due on `due` may move a member down: after the grace period.
    pub fn downgrade_from(&self, calendar: &Calendar, due: Timestamp) -> Option<Timestamp> {
        calendar.add_days(due, self.grace_days)
    }
}
