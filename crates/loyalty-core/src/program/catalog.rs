//! The reward catalogue: what points buy, and the limits on each reward.

use super::{DefinitionErrors, Tiers, check_name};
use crate::calendar::{Calendar, Local};
use crate::earning::parse_local;
use crate::ids::{Category, RewardCode, Sku, TierCode};
use crate::limits::MAX_REWARDS;
use crate::money::MinorUnits;
use crate::points::Points;
use crate::rejection::Rejection;
use crate::time::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A reward as written in the program file or posted to `/v1/rewards`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RewardDef {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub kind: RewardKind,
    pub points_cost: i64,
    /// `product`: the SKU given free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// `free_item`: any item of this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `discount`: a fixed amount off, in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_minor: Option<i64>,
    /// `discount`: a percentage off (`10` is 10 %), with `max_minor` as its cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::program::decimal::Strict>"))]
    pub percent: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_minor: Option<i64>,
    /// `gift_card`: the card's value in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_minor: Option<i64>,
    /// `donation`: the charity the points go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charity: Option<String>,
    /// Local date-times (`2026-12-01T00:00`) between which it may be redeemed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<String>,
    /// How many may ever be issued; unlimited when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<i64>,
    /// How many one member may redeem per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<RewardLimit>,
    /// Only members of these tiers may redeem it; any member when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// Days an issued code stays valid; forever when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_valid_days: Option<u32>,
    /// Archived rewards stay known to the codes already issued but cannot be redeemed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RewardKind {
    #[default]
    Product,
    Discount,
    GiftCard,
    FreeItem,
    Donation,
}

impl RewardKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RewardKind::Product => "product",
            RewardKind::Discount => "discount",
            RewardKind::GiftCard => "gift_card",
            RewardKind::FreeItem => "free_item",
            RewardKind::Donation => "donation",
        }
    }

    pub fn parse(text: &str) -> Option<RewardKind> {
        [
            RewardKind::Product,
            RewardKind::Discount,
            RewardKind::GiftCard,
            RewardKind::FreeItem,
            RewardKind::Donation,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RewardLimit {
    pub count: i64,
    pub period: LimitPeriod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LimitPeriod {
    Day,
    Month,
    Year,
    Ever,
}

impl LimitPeriod {
    /// The name of the period that contains a local instant (`2026-11`, `2026`, `ever`).
    pub fn key(self, local: Local) -> String {
        match self {
            LimitPeriod::Day => local.day_key(),
            LimitPeriod::Month => local.month_key(),
            LimitPeriod::Year => local.year().to_string(),
            LimitPeriod::Ever => "ever".to_owned(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LimitPeriod::Day => "day",
            LimitPeriod::Month => "month",
            LimitPeriod::Year => "year",
            LimitPeriod::Ever => "ever",
        }
    }
}

/// What a reward gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Benefit {
    Product { sku: Option<Sku> },
    Discount { off: DiscountOff },
    GiftCard { value: MinorUnits },
    FreeItem { category: Category },
    Donation { charity: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountOff {
    Amount(MinorUnits),
    Percent { percent: Decimal, max: Option<MinorUnits> },
}

impl Benefit {
    pub fn kind(&self) -> RewardKind {
        match self {
            Benefit::Product { .. } => RewardKind::Product,
            Benefit::Discount { .. } => RewardKind::Discount,
            Benefit::GiftCard { .. } => RewardKind::GiftCard,
            Benefit::FreeItem { .. } => RewardKind::FreeItem,
            Benefit::Donation { .. } => RewardKind::Donation,
        }
    }
}

/// A reward in the catalogue, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reward {
    pub code: RewardCode,
    pub name: String,
    pub benefit: Benefit,
    pub points_cost: Points,
    pub starts: Option<Timestamp>,
    pub ends: Option<Timestamp>,
    pub stock: Option<i64>,
    pub limit: Option<RewardLimit>,
    /// The tiers whose members may redeem it; all members when empty.
    pub tiers: Vec<TierCode>,
    pub code_valid_days: Option<u32>,
    pub archived: bool,
}

impl Reward {
    /// Whether it may be redeemed at `at`: not archived, and within its window.
    pub fn is_open_at(&self, at: Timestamp) -> bool {
        !self.archived && self.starts.is_none_or(|s| s <= at) && self.ends.is_none_or(|e| at < e)
    }

    /// Why a member of `tier` may not take it at `at`, if they may not: archived, outside
    /// its window, not for their tier, out of stock with `taken` issued, or over their
    /// limit with `taken_by_member` in the limit's current period. Checked in that order.
    pub fn refusal(
        &self,
        at: Timestamp,
        tier: Option<&TierCode>,
        taken: i64,
        taken_by_member: i64,
    ) -> Option<Rejection> {
        let reward = self.code.to_string();
        if self.archived {
            return Some(Rejection::RewardArchived { reward });
        }
        if !self.is_open_at(at) {
            let window = match (self.starts, self.ends) {
                (Some(s), Some(e)) => format!("from {s} until {e}"),
                (Some(s), None) => format!("from {s}"),
                (None, Some(e)) => format!("until {e}"),
                (None, None) => "never".to_owned(),
            };
            return Some(Rejection::RewardNotActive { reward, window });
        }
        if !self.tiers.is_empty() && tier.is_none_or(|t| !self.tiers.contains(t)) {
            let tiers: Vec<&str> = self.tiers.iter().map(|t| t.as_str()).collect();
            return Some(Rejection::TierRequired { reward, tiers: tiers.join(", ") });
        }
        if self.stock.is_some_and(|stock| taken >= stock) {
            return Some(Rejection::RewardOutOfStock { reward });
        }
        self.limit.filter(|l| taken_by_member >= l.count).map(|limit| Rejection::RewardLimitReached {
            reward,
            count: limit.count,
            period: limit.period.as_str(),
        })
    }

    /// The program counter of how many were issued (less those given back).
    pub fn stock_key(&self) -> String {
        format!("reward:{}:issued", self.code)
    }

    /// The member counter of how many the member redeemed in the period that holds `local`.
    pub fn limit_key(&self, limit: RewardLimit, local: Local) -> String {
        format!("reward:{}:{}", self.code, limit.period.key(local))
    }
}

const MAX_STOCK: i64 = 1_000_000_000;
const MAX_VALID_DAYS: u32 = 3_660;

pub(super) fn build_rewards(
    rewards: &[RewardDef],
    tiers: &Tiers,
    calendar: Option<&Calendar>,
    errors: &mut DefinitionErrors,
) -> Vec<Reward> {
    if rewards.len() > MAX_REWARDS {
        errors.push("rewards", format!("a catalogue may have at most {MAX_REWARDS} rewards"));
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut built = Vec::with_capacity(rewards.len());
    for (i, r) in rewards.iter().enumerate() {
        let path = format!("rewards[{i}]");
        let code = match RewardCode::parse(r.code.clone()) {
            Ok(code) => code,
            Err(e) => {
                errors.push(format!("{path}.code"), e.problem);
                continue;
            }
        };
        if !seen.insert(r.code.as_str()) {
            errors.push(format!("{path}.code"), format!("`{}` is used by another reward", r.code));
        }
        check_name(errors, &format!("{path}.name"), &r.name, 200);
        if r.points_cost <= 0 || r.points_cost > Points::MAX_PER_EVENT.get() {
            errors.push(
                format!("{path}.points_cost"),
                format!("must be between 1 and {}", Points::MAX_PER_EVENT),
            );
            // The reward's other fields are still checked, so that one run lists them all.
        }
        let Some(benefit) = benefit(r, &path, errors) else { continue };
        let mut eligible = Vec::with_capacity(r.tiers.len());
        for (j, t) in r.tiers.iter().enumerate() {
            match TierCode::parse(t.clone()) {
                Ok(code) if tiers.level(&code).is_some() => eligible.push(code),
                Ok(_) => errors
                    .push(format!("{path}.tiers[{j}]"), format!("`{t}` is not one of the program's tiers")),
                Err(e) => errors.push(format!("{path}.tiers[{j}]"), e.problem),
            }
        }
        let mut instant = |field: &str, text: &Option<String>| {
            let text = text.as_deref()?;
            let at = parse_local(text).and_then(|local| calendar.and_then(|c| c.instant(local)));
            if at.is_none() {
                errors.push(
                    format!("{path}.{field}"),
                    format!("`{text}` is not a local date-time like 2026-12-01T00:00"),
                );
            }
            at
        };
        let (starts, ends) = (instant("starts", &r.starts), instant("ends", &r.ends));
        if let (Some(s), Some(e)) = (starts, ends)
            && e <= s
        {
            errors.push(format!("{path}.ends"), "must be after starts");
        }
        if let Some(stock) = r.stock
            && !(0..=MAX_STOCK).contains(&stock)
        {
            errors.push(format!("{path}.stock"), format!("must be between 0 and {MAX_STOCK}, not {stock}"));
        }
        if let Some(limit) = r.limit
            && !(1..=1_000_000).contains(&limit.count)
        {
            errors.push(
                format!("{path}.limit.count"),
                format!("must be between 1 and 1000000, not {}", limit.count),
            );
        }
        if let Some(days) = r.code_valid_days
            && !(1..=MAX_VALID_DAYS).contains(&days)
        {
            errors.push(
                format!("{path}.code_valid_days"),
                format!("must be between 1 and {MAX_VALID_DAYS}, not {days}"),
            );
        }
        built.push(Reward {
            code,
            name: r.name.clone(),
            benefit,
            points_cost: Points::new(r.points_cost),
            starts,
            ends,
            stock: r.stock,
            limit: r.limit,
            tiers: eligible,
            code_valid_days: r.code_valid_days,
            archived: r.archived,
        });
    }
    built
}

/// The benefit of a reward's kind, from the fields that kind uses; every other kind's
/// field must be absent, so that a typo in the kind cannot go unnoticed.
fn benefit(r: &RewardDef, path: &str, errors: &mut DefinitionErrors) -> Option<Benefit> {
    let given = [
        ("sku", r.sku.is_some()),
        ("category", r.category.is_some()),
        ("amount_minor", r.amount_minor.is_some()),
        ("percent", r.percent.is_some()),
        ("max_minor", r.max_minor.is_some()),
        ("value_minor", r.value_minor.is_some()),
        ("charity", r.charity.is_some()),
    ];
    let allowed: &[&str] = match r.kind {
        RewardKind::Product => &["sku"],
        RewardKind::FreeItem => &["category"],
        RewardKind::Discount => &["amount_minor", "percent", "max_minor"],
        RewardKind::GiftCard => &["value_minor"],
        RewardKind::Donation => &["charity"],
    };
    let before = errors.len();
    for (field, _) in given.iter().filter(|(f, set)| *set && !allowed.contains(f)) {
        errors.push(format!("{path}.{field}"), format!("is not a field of a {} reward", r.kind.as_str()));
    }
    let mut required = |field: &str| {
        errors.push(format!("{path}.{field}"), format!("a {} reward needs it", r.kind.as_str()))
    };
    let money = |field: &str, v: i64, errors: &mut DefinitionErrors| {
        if !(1..=crate::limits::MAX_UNIT_PRICE.get()).contains(&v) {
            errors.push(
                format!("{path}.{field}"),
                format!("must be between 1 and {}, not {v}", crate::limits::MAX_UNIT_PRICE.get()),
            );
        }
        MinorUnits::new(v)
    };
    let benefit = match r.kind {
        RewardKind::Product => Benefit::Product {
            sku: r.sku.as_ref().and_then(|s| {
                Sku::parse(s.clone()).map_err(|e| errors.push(format!("{path}.sku"), e.problem)).ok()
            }),
        },
        RewardKind::FreeItem => match &r.category {
            Some(c) => match Category::parse(c.clone()) {
                Ok(category) => Benefit::FreeItem { category },
                Err(e) => {
                    errors.push(format!("{path}.category"), e.problem);
                    return None;
                }
            },
            None => {
                required("category");
                return None;
            }
        },
        RewardKind::Discount => match (r.amount_minor, r.percent) {
            (Some(amount), None) if r.max_minor.is_none() => {
                Benefit::Discount { off: DiscountOff::Amount(money("amount_minor", amount, errors)) }
            }
            (None, Some(percent)) => {
                if percent <= Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
                    errors.push(
                        format!("{path}.percent"),
                        format!("must be above 0 and at most 100, not {percent}"),
                    );
                }
                let max = r.max_minor.map(|m| money("max_minor", m, errors));
                Benefit::Discount { off: DiscountOff::Percent { percent, max } }
            }
            _ => {
                errors.push(
                    format!("{path}.amount_minor"),
                    "a discount needs either amount_minor, or percent with an optional max_minor",
                );
                return None;
            }
        },
        RewardKind::GiftCard => match r.value_minor {
            Some(v) => Benefit::GiftCard { value: money("value_minor", v, errors) },
            None => {
                required("value_minor");
                return None;
            }
        },
        RewardKind::Donation => match &r.charity {
            Some(c) => {
                check_name(errors, &format!("{path}.charity"), c, 200);
                Benefit::Donation { charity: c.clone() }
            }
            None => {
                required("charity");
                return None;
            }
        },
    };
    (errors.len() == before).then_some(benefit)
}
