//! What achievements count, and the counters that keep each count per period. Only what
//! some achievement of the program counts is kept, from the day it is in the program.

use super::period::{Window, day_key};
use crate::calendar::Calendar;
use crate::needs::Counter;
use crate::time::Timestamp;

/// One thing counted for a member.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Count {
    /// Purchases, or those with a line of a category or SKU; an order returned in full
    /// stops counting.
    Purchases(Option<String>),
    /// Money spent, net of returns, on every line or on those of a category or SKU.
    Spend(Option<String>),
    /// Points earned by purchases and activities, net of returns.
    Points,
    /// Activities of one kind.
    Activity(String),
    /// Members this one referred who made their first qualifying purchase.
    Referrals,
    /// Categories bought from.
    Categories,
    /// Local days with a purchase.
    Visits,
    /// The current run of a streak.
    Streak(String),
}

impl Count {
    /// The counter's name without its period: `eng:purchases=coffee`.
    fn stem(&self) -> String {
        let with = |name: &str, filter: &Option<String>| match filter {
            Some(f) => format!("eng:{name}={f}"),
            None => format!("eng:{name}"),
        };
        match self {
            Count::Purchases(f) => with("purchases", f),
            Count::Spend(f) => with("spend", f),
            Count::Points => "eng:points".to_owned(),
            Count::Activity(kind) => format!("eng:activity={kind}"),
            Count::Referrals => "eng:referrals".to_owned(),
            Count::Categories => "eng:categories".to_owned(),
            Count::Visits => "eng:visits".to_owned(),
            Count::Streak(code) => format!("streak:{code}:current"),
        }
    }

    /// The counter of this count in the period keyed `period` (see [`Window::key`]).
    pub fn counter(&self, period: &str) -> Counter {
        match self {
            Count::Streak(_) => Counter::member(self.stem()),
            // A rolling count of visits counts the days whose purchases still stand.
            Count::Visits if period.starts_with('d') => Counter::member(format!("eng:day:{period}")),
            _ => Counter::member(format!("{}:{period}", self.stem())),
        }
    }

    /// The counters whose values make up this count's value at `at` over `window`, with
    /// days on or before `after` left out.
    pub fn counters_at(
        &self,
        window: Window,
        calendar: &Calendar,
        at: Timestamp,
        after: Option<jiff::civil::Date>,
    ) -> Vec<Counter> {
        if matches!(self, Count::Streak(_)) {
            return vec![self.counter("")];
        }
        match window.rolling_days() {
            Some(days) => super::period::days_of(calendar, at, days, after)
                .into_iter()
                .map(|d| self.counter(&day_key(d)))
                .collect(),
            None => vec![self.counter(&window.key(calendar, at))],
        }
    }

    /// Whether the count is of distinct things, each counted once per period.
    pub fn is_distinct(&self) -> bool {
        matches!(self, Count::Categories | Count::Visits)
    }
}

/// The counter of one category's purchases in a period, behind the count of categories.
pub fn category_counter(category: &str, period: &str) -> Counter {
    Counter::member(format!("eng:category={category}:{period}"))
}

/// The counter of one local day's purchases, behind the count of visits.
pub fn day_counter(date: jiff::civil::Date) -> Counter {
    Counter::member(format!("eng:day:{}", day_key(date)))
}
