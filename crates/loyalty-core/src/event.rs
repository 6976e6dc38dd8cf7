//! The events that change a member's points. Each is built from validated parts, so an
//! `Event` inside the core is always well-formed; `decide` only judges it against state.

use crate::ids::{Category, Email, ExternalId, InstanceCode, OrderId, PersonName, Reason, RewardCode, Sku};
use crate::limits::{MAX_LINES_PER_ORDER, MAX_QUANTITY_PER_LINE, MAX_UNIT_PRICE};
use crate::money::MinorUnits;
use crate::points::Points;
use crate::rejection::Rejection;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Enrol(Enrolment),
    Purchase(Purchase),
    Return(Return),
    Redeem(Redemption),
    Adjust(Adjustment),
}

/// What kind of event this is, for storage and for the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Enrol,
    Purchase,
    Return,
    Redeem,
    Adjust,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Enrol => "enrol",
            EventKind::Purchase => "purchase",
            EventKind::Return => "return",
            EventKind::Redeem => "redeem",
            EventKind::Adjust => "adjust",
        }
    }
}

impl Event {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Enrol(_) => EventKind::Enrol,
            Event::Purchase(_) => EventKind::Purchase,
            Event::Return(_) => EventKind::Return,
            Event::Redeem(_) => EventKind::Redeem,
            Event::Adjust(_) => EventKind::Adjust,
        }
    }

    /// The member the event is about.
    pub fn member(&self) -> &ExternalId {
        match self {
            Event::Enrol(e) => &e.member,
            Event::Purchase(e) => &e.member,
            Event::Return(e) => &e.member,
            Event::Redeem(e) => &e.member,
            Event::Adjust(e) => &e.member,
        }
    }

    pub fn occurred_at(&self) -> Timestamp {
        match self {
            Event::Enrol(e) => e.occurred_at,
            Event::Purchase(e) => e.occurred_at,
            Event::Return(e) => e.occurred_at,
            Event::Redeem(e) => e.occurred_at,
            Event::Adjust(e) => e.occurred_at,
        }
    }

    /// The order the event refers to, whose record `decide` must see.
    pub fn order_id(&self) -> Option<&OrderId> {
        match self {
            Event::Purchase(e) => Some(&e.order_id),
            Event::Return(e) => Some(&e.order_id),
            _ => None,
        }
    }

    /// What the journal notes beside the event's entries: the order, the reward or the
    /// reason.
    pub fn reference(&self) -> Option<&str> {
        match self {
            Event::Enrol(_) => None,
            Event::Purchase(e) => Some(e.order_id.as_str()),
            Event::Return(e) => Some(e.order_id.as_str()),
            Event::Redeem(e) => Some(e.reward.as_str()),
            Event::Adjust(e) => Some(e.reason.as_str()),
        }
    }

    /// Whether `decide` needs the member's open lots (it does whenever points may leave).
    pub fn spends_points(&self) -> bool {
        match self {
            Event::Return(_) | Event::Redeem(_) => true,
            Event::Adjust(a) => !a.points.is_positive(),
            Event::Enrol(_) | Event::Purchase(_) => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    pub member: ExternalId,
    pub email: Option<Email>,
    pub name: Option<PersonName>,
    pub occurred_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purchase {
    pub member: ExternalId,
    pub order_id: OrderId,
    pub occurred_at: Timestamp,
    pub lines: Vec<PurchaseLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseLine {
    pub sku: Sku,
    pub category: Option<Category>,
    pub quantity: Quantity,
    pub unit_price: MinorUnits,
}

impl PurchaseLine {
    /// Parses one line; `line` is its 1-based position, named in any error.
    pub fn parse(
        line: usize,
        sku: Sku,
        category: Option<Category>,
        quantity: i64,
        unit_price_minor: i64,
    ) -> Result<PurchaseLine, Rejection> {
        let quantity = Quantity::parse(line, quantity)?;
        if unit_price_minor < 0 {
            return Err(Rejection::PriceMustNotBeNegative { line, given: unit_price_minor });
        }
        if unit_price_minor > MAX_UNIT_PRICE.get() {
            return Err(Rejection::PriceExceedsLimit {
                line,
                given: unit_price_minor,
                max: MAX_UNIT_PRICE.get(),
            });
        }
        Ok(PurchaseLine { sku, category, quantity, unit_price: MinorUnits::new(unit_price_minor) })
    }

    /// The line's total; bounded by the limits, so it cannot overflow.
    pub fn amount(&self) -> MinorUnits {
        MinorUnits::new(self.unit_price.get() * i64::from(self.quantity.get()))
    }
}

/// A positive number of units on a line, at most `MAX_QUANTITY_PER_LINE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Quantity(u32);

impl Quantity {
    pub fn parse(line: usize, given: i64) -> Result<Quantity, Rejection> {
        if given <= 0 {
            return Err(Rejection::QuantityMustBePositive { line, given });
        }
        if given > MAX_QUANTITY_PER_LINE {
            return Err(Rejection::QuantityExceedsLimit { line, given, max: MAX_QUANTITY_PER_LINE });
        }
        u32::try_from(given).map(Quantity).map_err(|_| Rejection::QuantityExceedsLimit {
            line,
            given,
            max: MAX_QUANTITY_PER_LINE,
        })
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Quantity {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        Quantity::parse(0, value).map_err(|e| e.to_string())
    }
}

impl From<Quantity> for i64 {
    fn from(q: Quantity) -> i64 {
        i64::from(q.0)
    }
}

/// Checks the number of lines of an order or a return.
pub fn check_line_count(count: usize) -> Result<(), Rejection> {
    if count == 0 {
        return Err(Rejection::OrderHasNoLines);
    }
    if count > MAX_LINES_PER_ORDER {
        return Err(Rejection::TooManyLines { max: MAX_LINES_PER_ORDER, given: count });
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Return {
    pub member: ExternalId,
    pub order_id: OrderId,
    pub occurred_at: Timestamp,
    pub lines: Vec<ReturnLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLine {
    pub sku: Sku,
    pub quantity: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redemption {
    pub member: ExternalId,
    pub reward: RewardCode,
    /// The code the issued reward will carry; random codes are made at the edge so that
    /// the core stays deterministic and a replay issues the same code.
    pub code: InstanceCode,
    pub occurred_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub member: ExternalId,
    pub points: Points,
    pub reason: Reason,
    pub occurred_at: Timestamp,
}

impl Adjustment {
    pub fn parse_points(points: i64) -> Result<Points, Rejection> {
        if points == 0 {
            return Err(Rejection::AdjustmentMustNotBeZero);
        }
        if points.unsigned_abs() > Points::MAX_PER_EVENT.get().unsigned_abs() {
            return Err(Rejection::AdjustmentExceedsLimit { max: Points::MAX_PER_EVENT });
        }
        Ok(Points::new(points))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sku() -> Sku {
        Sku::parse("latte").unwrap()
    }

    #[test]
    fn lines_refuse_bad_quantities_and_prices_naming_the_line() {
        assert_eq!(
            PurchaseLine::parse(2, sku(), None, 0, 100),
            Err(Rejection::QuantityMustBePositive { line: 2, given: 0 })
        );
        assert_eq!(
            PurchaseLine::parse(1, sku(), None, -3, 100),
            Err(Rejection::QuantityMustBePositive { line: 1, given: -3 })
        );
        assert_eq!(
            PurchaseLine::parse(1, sku(), None, 100_001, 100).unwrap_err().code(),
            "quantity_exceeds_limit"
        );
        assert_eq!(
            PurchaseLine::parse(1, sku(), None, 1, -1).unwrap_err().code(),
            "price_must_not_be_negative"
        );
        assert_eq!(
            PurchaseLine::parse(1, sku(), None, 1, 1_000_000_001).unwrap_err().code(),
            "price_exceeds_limit"
        );
    }

    #[test]
    fn the_largest_line_stays_far_from_overflow() {
        let line = PurchaseLine::parse(1, sku(), None, 100_000, 1_000_000_000).unwrap();
        assert_eq!(line.amount().get(), 100_000_000_000_000);
    }

    #[test]
    fn line_counts_are_bounded() {
        assert_eq!(check_line_count(0), Err(Rejection::OrderHasNoLines));
        assert!(check_line_count(500).is_ok());
        assert_eq!(check_line_count(501), Err(Rejection::TooManyLines { max: 500, given: 501 }));
    }

    #[test]
    fn adjustments_must_move_points_within_the_limit() {
        assert_eq!(Adjustment::parse_points(0), Err(Rejection::AdjustmentMustNotBeZero));
        assert_eq!(Adjustment::parse_points(-20), Ok(Points::new(-20)));
        assert_eq!(Adjustment::parse_points(i64::MIN).unwrap_err().code(), "adjustment_exceeds_limit");
    }
}
