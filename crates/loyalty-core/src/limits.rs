//! Every input has a bound, and every bound is named here so that errors can state it.

use crate::money::MinorUnits;

/// Lines in one order.
pub const MAX_LINES_PER_ORDER: usize = 500;
/// Units on one line.
pub const MAX_QUANTITY_PER_LINE: i64 = 100_000;
/// Price of one unit, in minor units (10,000,000.00 in a two-digit currency).
pub const MAX_UNIT_PRICE: MinorUnits = MinorUnits::new(1_000_000_000);
/// How far in the future an event's `occurred_at` may be, to allow for clock skew at tills.
pub const MAX_FUTURE_SKEW_MICROS: i64 = 5 * 60 * 1_000_000;
/// Earning rules in one program.
pub const MAX_EARNING_RULES: usize = 100;
/// Rewards in one program's catalogue.
pub const MAX_REWARDS: usize = 1_000;
