//! When a campaign runs, as written: wall-clock dates, week days and hours in the
//! program's time zone.

use jiff::civil::{DateTime, Weekday};

pub(super) const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

/// Parses a wall-clock time: `2026-11-27T09:00`, `2026-11-27 09:00:00` or `2026-11-27`.
pub fn parse_local(text: &str) -> Option<DateTime> {
    let text = text.trim().replace(' ', "T");
    text.parse::<DateTime>().ok().or_else(|| {
        text.parse::<jiff::civil::Date>().ok().map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    })
}

/// Parses `HH:MM-HH:MM` into minutes since midnight.
pub(super) fn parse_hours(text: &str) -> Option<(i32, i32)> {
    let minutes = |hm: &str| {
        let (h, m) = hm.trim().split_once(':')?;
        let (h, m) = (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?);
        ((0..=24).contains(&h) && (0..60).contains(&m) && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
    };
    let (from, to) = text.split_once('-')?;
    let (from, to) = (minutes(from)?, minutes(to)?);
    (from != to).then_some((from, to))
}
