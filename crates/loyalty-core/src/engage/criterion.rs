//! An achievement's criteria: `{ measure, threshold, period?, filter?, kind? }` as
//! written, validated, and read from the member's counters.

use super::count::Count;
use super::period::Window;
use crate::calendar::Calendar;
use crate::ids::{ActivityKind, Category, Sku};
use crate::needs::Aggregates;
use crate::program::DefinitionErrors;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

const MAX_THRESHOLD: i64 = 1_000_000_000_000;

/// One criterion: `{ measure = "purchases", threshold = 3, period = "30d" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CriterionDef {
    pub measure: MeasureName,
    pub threshold: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Window>,
    /// A category or SKU (purchases, spend), or a streak's code (streak).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The activity's kind (activity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeasureName {
    Purchases,
    SpendMinor,
    PointsEarned,
    Activity,
    Referrals,
    DistinctCategories,
    VisitsOnDistinctDays,
    Streak,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub measure: MeasureName,
    pub count: Count,
    pub window: Window,
    pub threshold: i64,
}

impl CriterionDef {
    pub(super) fn build(
        &self,
        path: &str,
        streaks: &[String],
        errors: &mut DefinitionErrors,
    ) -> Option<Criterion> {
        let before = errors.len();
        let error = |errors: &mut DefinitionErrors, field: &str, message: String| {
            errors.push(format!("{path}.{field}"), message)
        };
        if !(1..=MAX_THRESHOLD).contains(&self.threshold) {
            error(
                errors,
                "threshold",
                format!("must be between 1 and {MAX_THRESHOLD}, not {}", self.threshold),
            );
        }
        let window = self.period.unwrap_or_default();
        let product = |errors: &mut DefinitionErrors| -> Option<String> {
            let f = self.filter.clone()?;
            let ok = Category::parse(f.clone()).is_ok() || Sku::parse(f.clone()).is_ok();
            if !ok {
                error(errors, "filter", format!("`{f}` is not a category or SKU"));
            }
            Some(f)
        };
        let no = |errors: &mut DefinitionErrors, field: &str, given: bool| {
            if given {
                error(errors, field, format!("is not used by the measure {}", self.measure.as_str()));
            }
        };
        let count = match self.measure {
            MeasureName::Purchases => Count::Purchases(product(errors)),
            MeasureName::SpendMinor => Count::Spend(product(errors)),
            MeasureName::PointsEarned | MeasureName::Referrals => {
                no(errors, "filter", self.filter.is_some());
                if self.measure == MeasureName::Referrals { Count::Referrals } else { Count::Points }
            }
            MeasureName::Activity => {
                no(errors, "filter", self.filter.is_some());
                match self.kind.as_ref().map(|k| ActivityKind::parse(k.clone())) {
                    Some(Ok(kind)) => Count::Activity(kind.to_string()),
                    Some(Err(e)) => {
                        error(errors, "kind", e.to_string());
                        Count::Activity(String::new())
                    }
                    None => {
                        error(errors, "kind", "the activity measure needs the activity's kind".to_owned());
                        Count::Activity(String::new())
                    }
                }
            }
            MeasureName::DistinctCategories | MeasureName::VisitsOnDistinctDays => {
                no(errors, "filter", self.filter.is_some());
                if self.measure == MeasureName::DistinctCategories && window.rolling_days().is_some() {
                    error(
                        errors,
                        "period",
                        "distinct_categories counts over a calendar period or lifetime".to_owned(),
                    );
                }
                if self.measure == MeasureName::VisitsOnDistinctDays {
                    Count::Visits
                } else {
                    Count::Categories
                }
            }
            MeasureName::Streak => {
                if self.period.is_some_and(|p| p != Window::Lifetime) {
                    error(errors, "period", "a streak criterion has no period".to_owned());
                }
                match &self.filter {
                    Some(code) if streaks.contains(code) => Count::Streak(code.clone()),
                    Some(code) => {
                        error(errors, "filter", format!("`{code}` is not one of the program's streaks"));
                        Count::Streak(code.clone())
                    }
                    None => {
                        error(errors, "filter", "a streak criterion names the streak's code".to_owned());
                        Count::Streak(String::new())
                    }
                }
            }
        };
        if self.measure != MeasureName::Activity {
            no(errors, "kind", self.kind.is_some());
        }
        (errors.len() == before).then_some(Criterion {
            measure: self.measure,
            count,
            window,
            threshold: self.threshold,
        })
    }
}

impl MeasureName {
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureName::Purchases => "purchases",
            MeasureName::SpendMinor => "spend_minor",
            MeasureName::PointsEarned => "points_earned",
            MeasureName::Activity => "activity",
            MeasureName::Referrals => "referrals",
            MeasureName::DistinctCategories => "distinct_categories",
            MeasureName::VisitsOnDistinctDays => "visits_on_distinct_days",
            MeasureName::Streak => "streak",
        }
    }
}

impl Criterion {
    pub fn value(
        &self,
        calendar: &Calendar,
        counts: &Aggregates,
        at: Timestamp,
        after: Option<jiff::civil::Date>,
    ) -> i64 {
        let counters = self.count.counters_at(self.window, calendar, at, after);
        let rolling_visits = self.count == Count::Visits && self.window.rolling_days().is_some();
        counters
            .iter()
            .map(|c| counts.counter(c))
            .map(|v| if rolling_visits { i64::from(v > 0) } else { v })
            .fold(0i64, i64::saturating_add)
    }

    /// The counters its value at `at` is read from.
    pub fn counters(
        &self,
        calendar: &Calendar,
        at: Timestamp,
        after: Option<jiff::civil::Date>,
    ) -> Vec<crate::needs::Counter> {
        self.count.counters_at(self.window, calendar, at, after)
    }
}
