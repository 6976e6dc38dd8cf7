//! Events of spending at the till: checkout holds and what happens to issued reward codes.

use crate::ids::{ExternalId, HoldId, InstanceCode, OrderId, RewardCode};
use crate::money::MinorUnits;
use crate::points::Points;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Points reserved for an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HoldRequest {
    pub member: ExternalId,
    /// Made at the edge, as random codes are, so that deciding stays deterministic.
    pub hold_id: HoldId,
    pub order_id: OrderId,
    pub spend: HoldSpend,
    pub occurred_at: Timestamp,
}

/// What a hold reserves points for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "for", rename_all = "snake_case")]
pub enum HoldSpend {
    /// A number of points.
    Points { points: Points },
    /// A reward of the catalogue, issued with `code` when the hold is captured.
    Reward { reward: RewardCode, code: InstanceCode },
    /// Paying `amount` of a basket worth `basket` with points.
    Payment { amount: MinorUnits, basket: Option<MinorUnits> },
}

/// The till's (or the job's) word on an open hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HoldSettlement {
    pub member: ExternalId,
    pub hold_id: HoldId,
    pub action: SettleAction,
    pub occurred_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SettleAction {
    /// The order went through: the points are spent.
    Capture,
    /// The order was abandoned: the points are free again.
    Release,
    /// The hold's time ran out (the job's call).
    Expire,
}

impl SettleAction {
    pub fn as_str(self) -> &'static str {
        match self {
            SettleAction::Capture => "capture",
            SettleAction::Release => "release",
            SettleAction::Expire => "expire",
        }
    }
}

/// Something that happens to an issued reward code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CodeUpdate {
    pub member: ExternalId,
    pub code: InstanceCode,
    pub action: CodeAction,
    pub occurred_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CodeAction {
    /// The till accepted the code for an order.
    Use { order_id: OrderId },
    /// A gift card paid part of an order.
    Draw { order_id: OrderId, amount: MinorUnits },
    /// The member gave the reward back: the points return as a new lot.
    Cancel,
    /// The code's validity ran out (the job's call).
    Expire,
}

impl CodeAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            CodeAction::Use { .. } => "use",
            CodeAction::Draw { .. } => "draw",
            CodeAction::Cancel => "cancel",
            CodeAction::Expire => "expire",
        }
    }
}
