//! A board's periods in the program's time zone: the calendar week starting on Monday,
//! the calendar month and year, each one score key; and the rolling 30 days, one score key
//! per window, named by its last day.
//!
//! A rolling window's score is kept whole rather than summed from its days when read:
//! an event counts in each of the 30 windows that hold its day (`30d<day>` … `30d<day +
//! 29>`), so today's board is the rows of one key, read from the same index as a calendar
//! board, and nothing has to move a window forward at midnight. The price is 30 score
//! rows written per event on such a board instead of one.

use crate::calendar::Calendar;
use crate::time::Timestamp;
use jiff::Span;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum BoardPeriod {
    #[serde(rename = "week")]
    Week,
    #[serde(rename = "month")]
    Month,
    #[serde(rename = "calendar_year")]
    CalendarYear,
    /// The local day of the request and the 29 before it.
    #[serde(rename = "30d")]
    Days30,
}

/// The period being shown, or the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Current,
    Previous,
}

impl Which {
    pub fn parse(text: &str) -> Option<Which> {
        match text {
            "current" => Some(Which::Current),
            "previous" => Some(Which::Previous),
            _ => None,
        }
    }
}

/// One period of a board: its key (the key of its scores), and its bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodSpan {
    /// `w2026-11-30` (the Monday), `m2026-11`, `y2026`, `30d2026-12-03` (the last day).
    pub key: String,
    pub starts_at: Timestamp,
    /// The first instant after the period.
    pub ends_at: Timestamp,
}

const ROLLING_DAYS: i32 = 30;

impl BoardPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            BoardPeriod::Week => "week",
            BoardPeriod::Month => "month",
            BoardPeriod::CalendarYear => "calendar_year",
            BoardPeriod::Days30 => "30d",
        }
    }

    /// The score keys an event at `at` counts under: its period's, or those of the rolling
    /// windows that hold its local day.
    pub fn score_keys(self, calendar: &Calendar, at: Timestamp) -> Vec<String> {
        let date = calendar.local(at).date();
        match self {
            BoardPeriod::Days30 => (0..ROLLING_DAYS)
                .filter_map(|ahead| date.checked_add(Span::new().days(ahead)).ok())
                .map(window_key)
                .collect(),
            _ => vec![self.key_of(date)],
        }
    }

    /// The key of the period holding the local `date`.
    fn key_of(self, date: Date) -> String {
        match self {
            BoardPeriod::Week => format!("w{}", monday(date)),
            BoardPeriod::Month => format!("m{:04}-{:02}", date.year(), date.month()),
            BoardPeriod::CalendarYear => format!("y{}", date.year()),
            BoardPeriod::Days30 => window_key(date),
        }
    }

    /// The current or previous period at `now`.
    pub fn span(self, calendar: &Calendar, now: Timestamp, which: Which) -> Option<PeriodSpan> {
        let today = calendar.local(now).date();
        let (first, after) = match self {
            BoardPeriod::Week => {
                let first = monday(today);
                (first, first.checked_add(Span::new().days(7)).ok()?)
            }
            BoardPeriod::Month => {
                let first = today.first_of_month();
                (first, first.checked_add(Span::new().months(1)).ok()?)
            }
            BoardPeriod::CalendarYear => {
                let first = today.first_of_year();
                (first, first.checked_add(Span::new().years(1)).ok()?)
            }
            BoardPeriod::Days30 => {
                let after = today.checked_add(Span::new().days(1)).ok()?;
                (after.checked_sub(Span::new().days(ROLLING_DAYS)).ok()?, after)
            }
        };
        let (first, after) = match which {
            Which::Current => (first, after),
            Which::Previous => {
                let back = match self {
                    BoardPeriod::Week => Span::new().days(7),
                    BoardPeriod::Month => Span::new().months(1),
                    BoardPeriod::CalendarYear => Span::new().years(1),
                    BoardPeriod::Days30 => Span::new().days(ROLLING_DAYS),
                };
                (first.checked_sub(back).ok()?, first)
            }
        };
        let starts_at = calendar.instant(first.to_datetime(jiff::civil::Time::midnight()))?;
        let ends_at = calendar.instant(after.to_datetime(jiff::civil::Time::midnight()))?;
        let last = after.checked_sub(Span::new().days(1)).ok()?;
        Some(PeriodSpan { key: self.key_of(last), starts_at, ends_at })
    }
}

/// `30d2026-12-03`: the rolling window ending with that local day.
fn window_key(last: Date) -> String {
    format!("30d{last}")
}

/// The Monday of the week holding `date`.
fn monday(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(Span::new().days(back)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    fn ny() -> Calendar {
        Calendar::new(jiff::tz::TimeZone::get("America/New_York").unwrap())
    }

    #[test]
    fn a_week_starts_on_monday_in_the_programs_time_zone() {
        // Monday 2026-11-30 02:00 UTC is still Sunday 29 November in New York.
        let now = at("2026-11-30T02:00:00Z");
        let span = BoardPeriod::Week.span(&ny(), now, Which::Current).unwrap();
        assert_eq!(span.key, "w2026-11-23");
        assert_eq!(span.starts_at, at("2026-11-23T05:00:00Z"));
        assert_eq!(span.ends_at, at("2026-11-30T05:00:00Z"));
        let previous = BoardPeriod::Week.span(&ny(), now, Which::Previous).unwrap();
        assert_eq!(previous.key, "w2026-11-16");
        assert_eq!(BoardPeriod::Week.score_keys(&ny(), now), vec!["w2026-11-23".to_owned()]);
    }

    #[test]
    fn months_and_years_follow_the_local_calendar() {
        let now = at("2027-01-01T03:00:00Z"); // 31 December 2026, 22:00 in New York
        let month = BoardPeriod::Month.span(&ny(), now, Which::Current).unwrap();
        assert_eq!((month.key.as_str(), month.ends_at), ("m2026-12", at("2027-01-01T05:00:00Z")));
        let year = BoardPeriod::CalendarYear.span(&ny(), now, Which::Previous).unwrap();
        assert_eq!(year.key, "y2025");
        assert_eq!(BoardPeriod::Month.score_keys(&ny(), now), vec!["m2026-12".to_owned()]);
    }

    #[test]
    fn an_event_counts_in_the_thirty_windows_that_hold_its_local_day() {
        // 2 December 2026, 23:30 in New York.
        let keys = BoardPeriod::Days30.score_keys(&ny(), at("2026-12-03T04:30:00Z"));
        assert_eq!(keys.len(), 30);
        assert_eq!(keys.first().map(String::as_str), Some("30d2026-12-02"));
        assert_eq!(keys.last().map(String::as_str), Some("30d2026-12-31"));
    }

    #[test]
    fn a_rolling_window_is_named_by_its_last_day() {
        let now = at("2026-12-03T12:00:00Z");
        let span = BoardPeriod::Days30.span(&Calendar::utc(), now, Which::Current).unwrap();
        assert_eq!(span.key, "30d2026-12-03");
        assert_eq!(span.starts_at, at("2026-11-04T00:00:00Z"));
        // The window of an event 29 days back still holds it; one of 30 days back does not.
        let day_29 = BoardPeriod::Days30.score_keys(&Calendar::utc(), at("2026-11-04T23:59:00Z"));
        assert_eq!(day_29.last(), Some(&span.key));
        let day_30 = BoardPeriod::Days30.score_keys(&Calendar::utc(), at("2026-11-03T12:00:00Z"));
        assert!(!day_30.contains(&span.key));
        let previous = BoardPeriod::Days30.span(&Calendar::utc(), now, Which::Previous).unwrap();
        assert_eq!(previous.key, "30d2026-11-03");
        assert_eq!(day_30.first(), Some(&previous.key));
        assert_eq!(previous.ends_at, span.starts_at);
    }
}
