//! Points: whole numbers of the program's loyalty currency.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A signed number of points. Balances may be negative (a member in debt after a
/// return), so the sign is not part of the type; amounts that must be positive are
/// checked where they enter the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct Points(i64);

impl Points {
    pub const ZERO: Points = Points(0);

    /// The largest number of points one event may move. Keeping single movements far below
    /// `i64::MAX` means sums over millions of events cannot overflow a database `BIGINT`.
    pub const MAX_PER_EVENT: Points = Points(1_000_000_000_000);

    pub const fn new(value: i64) -> Self {
        Points(value)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Points) -> Option<Points> {
        self.0.checked_add(other.0).map(Points)
    }

    pub fn checked_sub(self, other: Points) -> Option<Points> {
        self.0.checked_sub(other.0).map(Points)
    }

    pub fn checked_neg(self) -> Option<Points> {
        self.0.checked_neg().map(Points)
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// For `skip_serializing_if`, which passes a reference.
    pub fn is_zero_ref(&self) -> bool {
        self.0 == 0
    }

    pub fn min(self, other: Points) -> Points {
        Points(self.0.min(other.0))
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_arithmetic_reports_overflow_instead_of_wrapping() {
        assert_eq!(Points::new(i64::MAX).checked_add(Points::new(1)), None);
        assert_eq!(Points::new(i64::MIN).checked_sub(Points::new(1)), None);
        assert_eq!(Points::new(i64::MIN).checked_neg(), None);
        assert_eq!(Points::new(5).checked_sub(Points::new(7)), Some(Points::new(-2)));
    }
}
