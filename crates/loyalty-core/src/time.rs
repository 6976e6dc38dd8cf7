//! Instants in time. The core never reads a clock: every `now` is an argument.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A UTC instant with microsecond precision, stored as microseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Why a timestamp could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an RFC 3339 timestamp with an offset, such as 2026-11-02T09:15:00Z")]
pub struct TimestampError(pub String);

impl Timestamp {
    pub const fn from_micros(micros: i64) -> Self {
        Timestamp(micros)
    }

    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// Parses an RFC 3339 timestamp; an offset (or `Z`) is required so that no
    /// instant depends on the machine's time zone.
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, TimestampError> {
        let ts: jiff::Timestamp = text.parse().map_err(|_| TimestampError(text.to_owned()))?;
        Ok(Timestamp(ts.as_microsecond()))
    }

    pub fn checked_add_micros(self, micros: i64) -> Option<Timestamp> {
        self.0.checked_add(micros).map(Timestamp)
    }

    fn to_jiff(self) -> Option<jiff::Timestamp> {
        jiff::Timestamp::from_microsecond(self.0).ok()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_jiff() {
            Some(ts) => ts.fmt(f),
            None => write!(f, "@{}us", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Timestamp::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_rfc3339() {
        let ts = Timestamp::parse_rfc3339("2026-11-02T09:15:00Z").unwrap();
        assert_eq!(ts.as_micros(), 1_793_610_900_000_000);
        assert_eq!(ts.to_string(), "2026-11-02T09:15:00Z");
        let with_offset = Timestamp::parse_rfc3339("2026-11-02T04:15:00-05:00").unwrap();
        assert_eq!(with_offset, ts);
    }

    #[test]
    fn rejects_timestamps_without_offset() {
        assert!(Timestamp::parse_rfc3339("2026-11-02T09:15:00").is_err());
        assert!(Timestamp::parse_rfc3339("yesterday").is_err());
    }
}
