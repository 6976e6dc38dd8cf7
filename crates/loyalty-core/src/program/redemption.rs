//! How points are spent at the till: how long a hold lasts, what a point is worth when
//! it pays for a basket, and what an expired reward code gives back.

use super::DefinitionErrors;
use crate::money::MinorUnits;
use crate::points::Points;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RedemptionDef {
    /// Minutes a hold reserves points before the job releases it.
    #[serde(default = "default_hold_minutes")]
    pub hold_minutes: u32,
    /// What points are worth in money: `points` points pay `minor` minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point_value: Option<PointValue>,
    /// The rules of paying part of a basket with points.
    #[serde(default, skip_serializing_if = "PayWithPointsDef::is_default")]
    pub pay_with_points: PayWithPointsDef,
    /// Whether a reward code that expires unused gives its points back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refund_expired_codes: bool,
    /// Whether the part of an order paid with points earns points too. By default it does
    /// not: members earn on what they paid in money.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub earn_on_points_payment: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PointValue {
    pub points: i64,
    pub minor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PayWithPointsDef {
    /// The fewest points one payment may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_points: Option<i64>,
    /// The largest share of the basket points may pay (`0.5` is half).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::program::decimal::Strict>"))]
    pub max_share: Option<Decimal>,
    /// Payments are in multiples of this many points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<i64>,
}

impl PayWithPointsDef {
    fn is_default(&self) -> bool {
        *self == PayWithPointsDef::default()
    }
}

fn default_hold_minutes() -> u32 {
    15
}

impl Default for RedemptionDef {
    fn default() -> Self {
        RedemptionDef {
            hold_minutes: default_hold_minutes(),
            point_value: None,
            pay_with_points: PayWithPointsDef::default(),
            refund_expired_codes: false,
            earn_on_points_payment: false,
        }
    }
}

const MAX_HOLD_MINUTES: u32 = 7 * 24 * 60;

impl RedemptionDef {
    pub fn is_default(&self) -> bool {
        *self == RedemptionDef::default()
    }

    pub(super) fn check(&self, errors: &mut DefinitionErrors) {
        if !(1..=MAX_HOLD_MINUTES).contains(&self.hold_minutes) {
            errors.push(
                "redemption.hold_minutes",
                format!("must be between 1 and {MAX_HOLD_MINUTES}, not {}", self.hold_minutes),
            );
        }
        let most = Points::MAX_PER_EVENT.get();
        if let Some(v) = self.point_value {
            if !(1..=most).contains(&v.points) {
                errors.push("redemption.point_value.points", format!("must be between 1 and {most}"));
            }
            if !(1..=most).contains(&v.minor) {
                errors.push("redemption.point_value.minor", format!("must be between 1 and {most}"));
            }
        }
        let p = &self.pay_with_points;
        if !p.is_default() && self.point_value.is_none() {
            errors.push("redemption.pay_with_points", "needs redemption.point_value, the worth of a point");
        }
        for (field, value) in [("min_points", p.min_points), ("step", p.step)] {
            if let Some(v) = value
                && !(1..=most).contains(&v)
            {
                errors.push(
                    format!("redemption.pay_with_points.{field}"),
                    format!("must be between 1 and {most}"),
                );
            }
        }
        if let Some(share) = p.max_share
            && (share <= Decimal::ZERO || share > Decimal::ONE)
        {
            errors.push(
                "redemption.pay_with_points.max_share",
                format!("must be above 0 and at most 1, not {share}"),
            );
        }
    }
}

impl PointValue {
    /// The points that pay exactly `amount`, if a whole number of points does.
    pub fn points_for(self, amount: MinorUnits) -> Option<i64> {
        let scaled = i128::from(amount.get()) * i128::from(self.points);
        let minor = i128::from(self.minor);
        (scaled % minor == 0).then(|| i64::try_from(scaled / minor).ok()).flatten()
    }

    /// The money `points` are worth, rounded down to a minor unit.
    pub fn value_of(self, points: Points) -> MinorUnits {
        let value = i128::from(points.get()) * i128::from(self.minor) / i128::from(self.points);
        MinorUnits::new(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_value_converts_exact_amounts_only() {
        let value = PointValue { points: 100, minor: 100 };
        assert_eq!(value.points_for(MinorUnits::new(250)), Some(250));
        let value = PointValue { points: 10, minor: 1 };
        assert_eq!(value.points_for(MinorUnits::new(250)), Some(2_500));
        let value = PointValue { points: 1, minor: 2 };
        assert_eq!(value.points_for(MinorUnits::new(3)), None);
        assert_eq!(value.value_of(Points::new(3)), MinorUnits::new(6));
    }
}
