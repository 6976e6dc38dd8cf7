//! Calendar arithmetic in a program's time zone: days, months, years, weekdays and hours as
//! the members live them, daylight saving included.

use crate::time::Timestamp;
use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;

#[derive(Debug, Clone)]
pub struct Calendar {
    tz: TimeZone,
}

/// A moment as the program's clock on the wall shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local(DateTime);

impl Calendar {
    pub fn new(tz: TimeZone) -> Calendar {
        Calendar { tz }
    }

    pub fn utc() -> Calendar {
        Calendar { tz: TimeZone::UTC }
    }

    pub fn local(&self, at: Timestamp) -> Local {
        Local(self.tz.to_datetime(to_jiff(at)))
    }

    /// The instant a wall-clock time happens. A time skipped by a change to summer time is
    /// taken as the same length after the change; a repeated one as its first occurrence.
    pub fn instant(&self, local: DateTime) -> Option<Timestamp> {
        self.tz.to_timestamp(local).ok().map(from_jiff)
    }

    /// Midnight (or the first moment) of the local day of `at`.
    pub fn start_of_day(&self, at: Timestamp) -> Timestamp {
        let day = self.local(at).0.start_of_day();
        self.instant(day).unwrap_or(at)
    }

    /// The first moment of the local month of `at`.
    pub fn start_of_month(&self, at: Timestamp) -> Timestamp {
        let first = self.local(at).0.first_of_month().start_of_day();
        self.instant(first).unwrap_or(at)
    }

    /// The first moment of the local day after the one of `at`.
    pub fn end_of_day(&self, at: Timestamp) -> Timestamp {
        // 36 hours past midnight is always the next day, whatever the clocks did.
        let next = self.start_of_day(at).checked_add_micros(36 * 3_600_000_000).unwrap_or(at);
        self.start_of_day(next)
    }

    /// The first moment of the local month after the one of `at`.
    pub fn end_of_month(&self, at: Timestamp) -> Timestamp {
        let next = self.start_of_month(at).checked_add_micros(32 * 86_400_000_000).unwrap_or(at);
        self.start_of_month(next)
    }

    /// The same wall-clock time `months` months after `at` (the last day of the month when
    /// that month is shorter).
    pub fn add_months(&self, at: Timestamp, months: u32) -> Option<Timestamp> {
        let later = self.local(at).0.checked_add(jiff::Span::new().months(i64::from(months))).ok()?;
        self.instant(later)
    }

    /// The same wall-clock time `months` months before `at`.
    pub fn months_before(&self, at: Timestamp, months: u32) -> Option<Timestamp> {
        let earlier = self.local(at).0.checked_sub(jiff::Span::new().months(i64::from(months))).ok()?;
        self.instant(earlier)
    }

    /// The same wall-clock time `days` days after `at`.
    pub fn add_days(&self, at: Timestamp, days: u32) -> Option<Timestamp> {
        let later = self.local(at).0.checked_add(jiff::Span::new().days(i64::from(days))).ok()?;
        self.instant(later)
    }

    /// The first moment of the `n`th local calendar quarter after the one of `at`.
    pub fn start_of_quarter_after(&self, at: Timestamp, n: u32) -> Option<Timestamp> {
        let date = self.local(at).0.date();
        let first_month = (date.month() - 1) / 3 * 3 + 1;
        let start = Date::new(date.year(), first_month, 1).ok()?;
        let later = start.checked_add(jiff::Span::new().months(i64::from(n) * 3)).ok()?;
        self.instant(later.to_datetime(jiff::civil::Time::midnight()))
    }

    /// The first moment of the `n`th local calendar year after the one of `at`.
    pub fn start_of_year_after(&self, at: Timestamp, n: u32) -> Option<Timestamp> {
        let year = i16::try_from(i64::from(self.local(at).0.year()) + i64::from(n)).ok()?;
        let first = Date::new(year, 1, 1).ok()?;
        self.instant(first.to_datetime(jiff::civil::Time::midnight()))
    }

    /// The first moment of the local year of `at`.
    pub fn start_of_year(&self, at: Timestamp) -> Timestamp {
        let date = self.local(at).0.date();
        let first = Date::new(date.year(), 1, 1).map(|d| d.to_datetime(jiff::civil::Time::midnight()));
        first.ok().and_then(|dt| self.instant(dt)).unwrap_or(at)
    }
}

impl Local {
    /// `2026-11-02T07:00:00`: the wall-clock time to the second.
    pub fn wall_clock(self) -> String {
        self.0.strftime("%Y-%m-%dT%H:%M:%S").to_string()
    }

    pub fn date(self) -> Date {
        self.0.date()
    }

    pub fn weekday(self) -> Weekday {
        self.0.weekday()
    }

    /// Minutes since local midnight.
    pub fn minute_of_day(self) -> i32 {
        i32::from(self.0.hour()) * 60 + i32::from(self.0.minute())
    }

    /// `2026-11-02`, for keys of daily counters.
    pub fn day_key(self) -> String {
        self.0.date().to_string()
    }

    /// `2026-11`, for keys of monthly counters.
    pub fn month_key(self) -> String {
        format!("{:04}-{:02}", self.0.year(), self.0.month())
    }

    pub fn year(self) -> i16 {
        self.0.year()
    }
}

fn to_jiff(at: Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(at.as_micros()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

fn from_jiff(at: jiff::Timestamp) -> Timestamp {
    Timestamp::from_micros(at.as_microsecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_york() -> Calendar {
        Calendar::new(TimeZone::get("America/New_York").unwrap())
    }

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn days_and_months_start_at_local_midnight() {
        let ny = new_york();
        // 02:30 UTC on 3 Nov is still 2 Nov in New York (EST, UTC-5).
        let t = at("2026-11-03T02:30:00Z");
        assert_eq!(ny.local(t).day_key(), "2026-11-02");
        assert_eq!(ny.start_of_day(t), at("2026-11-02T05:00:00Z"));
        assert_eq!(ny.start_of_month(t), at("2026-11-01T04:00:00Z"), "1 November starts in summer time");
        assert_eq!(ny.start_of_year(t), at("2026-01-01T05:00:00Z"));
        assert_eq!(ny.local(t).month_key(), "2026-11");
    }

    #[test]
    fn months_quarters_and_years_later_are_local() {
        let ny = new_york();
        // 10:00 in New York on 31 January; a month later is the last day of February.
        let t = at("2026-01-31T15:00:00Z");
        assert_eq!(ny.add_months(t, 1), Some(at("2026-02-28T15:00:00Z")));
        // Twelve months later the wall clock is the same, in winter time again.
        assert_eq!(ny.add_months(t, 12), Some(at("2027-01-31T15:00:00Z")));
        // Across the change to summer time the wall clock stays at 10:00 (UTC-4).
        assert_eq!(ny.add_days(at("2026-03-07T15:00:00Z"), 1), Some(at("2026-03-08T14:00:00Z")));
        // 1 April 01:00 UTC is still 31 March in New York: the first quarter.
        let q1 = at("2026-04-01T01:00:00Z");
        assert_eq!(ny.start_of_quarter_after(q1, 1), Some(at("2026-04-01T04:00:00Z")));
        assert_eq!(ny.start_of_quarter_after(q1, 4), Some(at("2027-01-01T05:00:00Z")));
        assert_eq!(ny.start_of_year_after(q1, 1), Some(at("2027-01-01T05:00:00Z")));
        assert_eq!(ny.start_of_year_after(q1, 2), Some(at("2028-01-01T05:00:00Z")));
    }

    #[test]
    fn wall_clock_times_survive_the_change_of_clocks() {
        let ny = new_york();
        // Clocks go back at 02:00 on 1 Nov 2026: 01:30 happens twice; the first is meant.
        let twice = DateTime::new(2026, 11, 1, 1, 30, 0, 0).unwrap();
        assert_eq!(ny.instant(twice), Some(at("2026-11-01T05:30:00Z")));
        // Clocks go forward at 02:00 on 8 Mar 2026: 02:30 does not exist, 03:30 is meant.
        let skipped = DateTime::new(2026, 3, 8, 2, 30, 0, 0).unwrap();
        assert_eq!(ny.instant(skipped), Some(at("2026-03-08T07:30:00Z")));
        // The day of the change is 23 hours long, and still one day.
        assert_eq!(ny.start_of_day(at("2026-03-08T20:00:00Z")), at("2026-03-08T05:00:00Z"));
    }
}
