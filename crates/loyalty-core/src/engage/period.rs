//! The periods achievements count over and streaks run in, in the program's time zone.
//! Counts are kept in counters named by period, so that a member's progress is a few
//! counter reads, whatever their history.

use crate::calendar::Calendar;
use crate::time::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The window of an achievement's criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Window {
    /// The local day of the event and the six before.
    #[serde(rename = "7d")]
    Days7,
    /// The local day of the event and the 29 before.
    #[serde(rename = "30d")]
    Days30,
    #[serde(rename = "calendar_month")]
    CalendarMonth,
    #[serde(rename = "calendar_year")]
    CalendarYear,
    #[default]
    #[serde(rename = "lifetime")]
    Lifetime,
}

impl Window {
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Days7 => "7d",
            Window::Days30 => "30d",
            Window::CalendarMonth => "calendar_month",
            Window::CalendarYear => "calendar_year",
            Window::Lifetime => "lifetime",
        }
    }

    /// Days in a rolling window; `None` for the others.
    pub fn rolling_days(self) -> Option<i32> {
        match self {
            Window::Days7 => Some(7),
            Window::Days30 => Some(30),
            _ => None,
        }
    }

    /// The key of the period holding `at` (`m2026-11`, `y2026`, `all`), for windows that
    /// are one counter; a rolling window's counters are its days (see [`day_key`]).
    pub fn key(self, calendar: &Calendar, at: Timestamp) -> String {
        let local = calendar.local(at);
        match self {
            Window::CalendarMonth => format!("m{}", local.month_key()),
            Window::CalendarYear => format!("y{}", local.year()),
            Window::Lifetime => "all".to_owned(),
            Window::Days7 | Window::Days30 => day_key(local.date()),
        }
    }
}

/// `d2026-11-03`: the counter of one local day.
pub fn day_key(date: Date) -> String {
    format!("d{date}")
}

/// The local days of a rolling window of `days` ending with the day of `at`, oldest first,
/// none on or before `after` (the day of an earlier completion, for repeatable ones).
pub fn days_of(calendar: &Calendar, at: Timestamp, days: i32, after: Option<Date>) -> Vec<Date> {
    let last = calendar.local(at).date();
    (0..days)
        .rev()
        .filter_map(|back| last.checked_sub(jiff::Span::new().days(i64::from(back))).ok())
        .filter(|d| after.is_none_or(|a| *d > a))
        .collect()
}

/// A streak's period: a local day, a week starting on Monday, or a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StreakPeriod {
    Day,
    Week,
    Month,
}

/// 1 January 2001 was a Monday: weeks are counted from it.
const MONDAY: Date = jiff::civil::date(2001, 1, 1);

impl StreakPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            StreakPeriod::Day => "day",
            StreakPeriod::Week => "week",
            StreakPeriod::Month => "month",
        }
    }

    /// The number of the local period holding `date`, consecutive periods differing by one
    /// whatever the clocks do: days and weeks count from 1 January 2001, months from year 0.
    /// Never 0, which stands for "no period yet".
    pub fn index(self, date: Date) -> i64 {
        let days = i64::from((date - MONDAY).get_days());
        match self {
            StreakPeriod::Day => days + 1_000_000,
            StreakPeriod::Week => days.div_euclid(7) + 1_000_000,
            StreakPeriod::Month => i64::from(date.year()) * 12 + i64::from(date.month()),
        }
    }

    /// The last local day of the period numbered `index`.
    pub fn last_day(self, index: i64) -> Option<Date> {
        match self {
            StreakPeriod::Day => MONDAY.checked_add(jiff::Span::new().days(index - 1_000_000)).ok(),
            StreakPeriod::Week => {
                MONDAY.checked_add(jiff::Span::new().days((index - 1_000_000) * 7 + 6)).ok()
            }
            StreakPeriod::Month => {
                let (year, month) = ((index - 1).div_euclid(12), (index - 1).rem_euclid(12) + 1);
                let first = Date::new(i16::try_from(year).ok()?, i8::try_from(month).ok()?, 1).ok()?;
                Some(first.last_of_month())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn consecutive_periods_differ_by_one() {
        let day = StreakPeriod::Day;
        assert_eq!(day.index(date(2026, 3, 9)) - day.index(date(2026, 3, 8)), 1);
        let week = StreakPeriod::Week;
        // Sunday 8 March and Monday 9 March 2026 are in consecutive weeks.
        assert_eq!(week.index(date(2026, 3, 9)) - week.index(date(2026, 3, 8)), 1);
        assert_eq!(week.index(date(2026, 3, 8)), week.index(date(2026, 3, 2)));
        let month = StreakPeriod::Month;
        assert_eq!(month.index(date(2027, 1, 1)) - month.index(date(2026, 12, 31)), 1);
    }

    #[test]
    fn the_last_day_of_a_period() {
        assert_eq!(
            StreakPeriod::Day.last_day(StreakPeriod::Day.index(date(2026, 3, 8))),
            Some(date(2026, 3, 8))
        );
        let week = StreakPeriod::Week.index(date(2026, 3, 4));
        assert_eq!(StreakPeriod::Week.last_day(week), Some(date(2026, 3, 8)));
        let month = StreakPeriod::Month.index(date(2028, 2, 3));
        assert_eq!(StreakPeriod::Month.last_day(month), Some(date(2028, 2, 29)));
    }

    #[test]
    fn rolling_days_end_with_the_local_day() {
        let ny = Calendar::new(jiff::tz::TimeZone::get("America/New_York").unwrap());
        // 03:00 UTC on 10 March is still 9 March in New York.
        let at = Timestamp::parse_rfc3339("2026-03-10T03:00:00Z").unwrap();
        let days = days_of(&ny, at, 7, None);
        assert_eq!(days.first(), Some(&date(2026, 3, 3)));
        assert_eq!(days.last(), Some(&date(2026, 3, 9)));
        assert_eq!(days_of(&ny, at, 7, Some(date(2026, 3, 7))), vec![date(2026, 3, 8), date(2026, 3, 9)]);
    }
}
