//! The period a report covers, read the same way by every report and by `loyalty report`:
//! each end is a local day of the program (`YYYY-MM-DD`) or an instant (RFC 3339).
//!
//! A day as `from` starts the period at the start of that day; a day as `to` ends it at
//! the end of that day (the day is included). An instant as `from` starts it at that
//! instant (included); an instant as `to` ends it just before that instant (excluded).

use loyalty_core::Timestamp;
use loyalty_core::calendar::Calendar;
use loyalty_core::event::Date;
use std::fmt;

const DAY_MICROS: i64 = 86_400_000_000;

/// One end of a period, as it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// A whole local day of the program.
    Day(Date),
    /// An instant.
    At(Timestamp),
}

impl Bound {
    /// Reads `text` as an RFC 3339 time or as a `YYYY-MM-DD` day; `name` is the parameter's.
    pub fn parse(name: &str, text: &str) -> Result<Bound, String> {
        if let Ok(at) = Timestamp::parse_rfc3339(text) {
            return Ok(Bound::At(at));
        }
        // Only the bare date: a date with a time but no offset names no instant.
        match text.parse::<Date>() {
            Ok(day) if text.len() == 10 => Ok(Bound::Day(day)),
            _ => Err(format!(
                "{name}: `{text}` is neither a day like 2026-11-30 nor an RFC 3339 time like 2026-11-30T09:00:00Z"
            )),
        }
    }

    fn start(self, calendar: &Calendar) -> Option<Timestamp> {
        match self {
            Bound::Day(day) => calendar.instant(day.at(0, 0, 0, 0)),
            Bound::At(at) => Some(at),
        }
    }

    fn end(self, calendar: &Calendar) -> Option<Timestamp> {
        match self {
            Bound::Day(day) => day.tomorrow().ok().and_then(|next| Bound::Day(next).start(calendar)),
            Bound::At(at) => Some(at),
        }
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Day(day) => day.fmt(f),
            Bound::At(at) => at.fmt(f),
        }
    }
}

/// From `from` to `to`, each a day or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Bound,
    pub to: Bound,
}

impl Period {
    /// Reads `from` and `to`; absent, they are the first day of the month of `today` and
    /// `today` (the liability roll-forward's and the KPIs' default).
    pub fn parse(from: Option<&str>, to: Option<&str>, today: Date) -> Result<Period, String> {
        Period::parse_or(from, to, Period { from: Bound::Day(today.first_of_month()), to: Bound::Day(today) })
    }

    /// Reads `from` and `to`; an absent one is `default`'s.
    pub fn parse_or(from: Option<&str>, to: Option<&str>, default: Period) -> Result<Period, String> {
        let read = |name: &str, text: Option<&str>, default: Bound| {
            text.map_or(Ok(default), |t| Bound::parse(name, t))
        };
        Ok(Period { from: read("from", from, default.from)?, to: read("to", to, default.to)? })
    }

    /// From 365 days before `now` to the end of `today`, its local day: the breakage
    /// estimate's default window. (Ending at `now` would leave out what was booked at it.)
    pub fn year_to(now: Timestamp, today: Date) -> Period {
        let since = Timestamp::from_micros(now.as_micros().saturating_sub(365 * DAY_MICROS));
        Period { from: Bound::At(since), to: Bound::Day(today) }
    }

    /// The instants the period starts (included) and ends (excluded) in the program's time
    /// zone; refused when it does not end after it starts.
    pub fn instants(self, calendar: &Calendar) -> Result<(Timestamp, Timestamp), String> {
        match (self.from.start(calendar), self.to.end(calendar)) {
            (Some(from), Some(to)) if to > from => Ok((from, to)),
            (Some(_), Some(_)) => Err(format!(
                "to: the period from {} to {} is empty; it must end after it starts",
                self.from, self.to
            )),
            _ => Err(format!("the period {} to {} is outside the calendar", self.from, self.to)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn days_include_to_and_instants_exclude_it() {
        let today: Date = "2026-11-20".parse().unwrap();
        let utc = Calendar::utc();
        let days = Period::parse(Some("2026-11-01"), Some("2026-11-02"), today).unwrap();
        assert_eq!(days.instants(&utc).unwrap(), (at("2026-11-01T00:00:00Z"), at("2026-11-03T00:00:00Z")));
        let instants =
            Period::parse(Some("2026-11-01T06:00:00Z"), Some("2026-11-02T00:00:00+01:00"), today).unwrap();
        assert_eq!(
            instants.instants(&utc).unwrap(),
            (at("2026-11-01T06:00:00Z"), at("2026-11-01T23:00:00Z"))
        );
        let mixed = Period::parse(Some("2026-11-01T06:00:00Z"), None, today).unwrap();
        assert_eq!(mixed.instants(&utc).unwrap(), (at("2026-11-01T06:00:00Z"), at("2026-11-21T00:00:00Z")));
        let one_day = Period::parse(Some("2026-11-05"), Some("2026-11-05"), today).unwrap();
        assert_eq!(one_day.instants(&utc).unwrap().1, at("2026-11-06T00:00:00Z"));
    }

    #[test]
    fn anything_else_is_refused_naming_the_parameter() {
        let today: Date = "2026-11-20".parse().unwrap();
        for (from, to, message) in [
            (
                Some("2026-11-01T06:00:00"),
                None,
                "from: `2026-11-01T06:00:00` is neither a day like 2026-11-30 nor an RFC 3339 time like 2026-11-30T09:00:00Z",
            ),
            (
                None,
                Some("yesterday"),
                "to: `yesterday` is neither a day like 2026-11-30 nor an RFC 3339 time like 2026-11-30T09:00:00Z",
            ),
            (
                None,
                Some("2026-13-01"),
                "to: `2026-13-01` is neither a day like 2026-11-30 nor an RFC 3339 time like 2026-11-30T09:00:00Z",
            ),
        ] {
            assert_eq!(Period::parse(from, to, today).unwrap_err(), message);
        }
        let backwards = Period::parse(Some("2026-11-05"), Some("2026-11-04"), today).unwrap();
        assert_eq!(
            backwards.instants(&Calendar::utc()).unwrap_err(),
            "to: the period from 2026-11-05 to 2026-11-04 is empty; it must end after it starts"
        );
        let empty = Period::parse(Some("2026-11-05T00:00:00Z"), Some("2026-11-05T00:00:00Z"), today).unwrap();
        assert_eq!(
            empty.instants(&Calendar::utc()).unwrap_err(),
            "to: the period from 2026-11-05T00:00:00Z to 2026-11-05T00:00:00Z is empty; it must end after it starts"
        );
    }
}
