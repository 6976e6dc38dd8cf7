//! The program definition as written (TOML on disk, JSON over the API).

use super::catalog::RewardDef;
use super::expiry::ExpiryDef;
use super::lifecycle::LifecycleDef;
use super::notifications::NotificationsDef;
use super::redemption::RedemptionDef;
use super::tiers::TiersDef;
use crate::earning::RuleDef;
use crate::engage::leaderboard::LeaderboardDef;
use crate::engage::{AchievementDef, StreakDef};
use crate::feedback::SurveyDef;
use crate::insight::AnalyticsDef;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgramDef {
    /// The program's code, unique in a deployment (`coffee`).
    pub id: String,
    pub name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Needed only for currencies the engine does not know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_minor_digits: Option<u8>,
    /// IANA time zone for calendar rules (`America/New_York`).
    pub time_zone: String,
    /// What members call the points ("beans").
    #[serde(default = "default_points_name")]
    pub points_name: String,
    /// What members call one point ("bean"); unset, `points_name` without a final "s".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_name_singular: Option<String>,
    /// How an order's points, summed as decimals, become whole points.
    #[serde(default)]
    pub rounding: Rounding,
    #[serde(default)]
    pub earning: Vec<RuleDef>,
    #[serde(default)]
    pub rewards: Vec<RewardDef>,
    /// Holds, pay-with-points and reward codes.
    #[serde(default, skip_serializing_if = "RedemptionDef::is_default")]
    pub redemption: RedemptionDef,
    #[serde(default)]
    pub returns: ReturnsDef,
    #[serde(default, skip_serializing_if = "LimitsDef::is_unlimited")]
    pub limits: LimitsDef,
    /// When points expire; never, unless the program says.
    #[serde(default, skip_serializing_if = "ExpiryDef::is_never")]
    pub expiry: ExpiryDef,
    /// Ordered tiers and how members reach and keep them; none unless the program says.
    #[serde(default, skip_serializing_if = "TiersDef::is_empty")]
    pub tiers: TiersDef,
    /// When dormant accounts close and may come back.
    #[serde(default, skip_serializing_if = "LifecycleDef::is_default")]
    pub lifecycle: LifecycleDef,
    /// Badges members earn when criteria hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub achievements: Vec<AchievementDef>,
    /// Runs of consecutive periods with a qualifying event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub streaks: Vec<StreakDef>,
    /// Milestones told to webhook subscribers: nearing the next tier, balances passing
    /// round amounts.
    #[serde(default, skip_serializing_if = "NotificationsDef::is_default")]
    pub notifications: NotificationsDef,
    /// Members ranked by what they did in a period, for those who opted in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaderboards: Vec<LeaderboardDef>,
    /// How the segments job scores members (RFM window, churn fallback, offers).
    #[serde(default, skip_serializing_if = "AnalyticsDef::is_default")]
    pub analytics: AnalyticsDef,
    /// Questions put to members (NPS, CSAT), with points for answering.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub surveys: Vec<SurveyDef>,
}

/// Limits on what a member may earn, whatever the rules say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LimitsDef {
    /// Points a member may earn in one local day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points_per_day: Option<i64>,
    /// Points a member may earn in one local month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points_per_month: Option<i64>,
    /// Earning faster than this holds the new points for review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub velocity: Option<VelocityDef>,
}

impl LimitsDef {
    fn is_unlimited(&self) -> bool {
        *self == LimitsDef::default()
    }
}

/// More than `max_purchases` purchases, or more than `max_points` points, within `minutes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct VelocityDef {
    pub minutes: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_purchases: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points: Option<i64>,
}

fn default_points_name() -> String {
    "points".to_owned()
}

/// Rounding of an order's points, applied once per order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    #[default]
    Floor,
    HalfUp,
    Ceil,
}

impl Rounding {
    pub fn as_str(self) -> &'static str {
        match self {
            Rounding::Floor => "floor",
            Rounding::HalfUp => "half_up",
            Rounding::Ceil => "ceil",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnsDef {
    #[serde(default)]
    pub when_points_spent: SpentPointsPolicy,
    /// Points a purchase earns stay pending this many days, the window in which the goods
    /// may be returned, before they can be spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_days: Option<u32>,
}

/// What a return does when the points it takes back were already spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SpentPointsPolicy {
    /// The member's balance goes below zero; the debt is repaid from the next points earned.
    #[default]
    NegativeBalance,
    /// The balance stops at zero and the shortfall is booked to `program:return_loss`.
    Clamp,
}

impl SpentPointsPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            SpentPointsPolicy::NegativeBalance => "negative_balance",
            SpentPointsPolicy::Clamp => "clamp",
        }
    }
}
