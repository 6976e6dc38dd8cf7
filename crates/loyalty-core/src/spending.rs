//! What spending leaves behind: issued reward codes and checkout holds, as `decide` sees
//! them and as the store keeps them.

use crate::ids::{HoldId, InstanceCode, LotId, OrderId, RewardCode};
use crate::points::Points;
use crate::program::RewardKind;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// An issued reward: the code a member shows at the till.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RewardInstance {
    pub code: InstanceCode,
    pub reward: RewardCode,
    pub kind: RewardKind,
    pub state: InstanceState,
    pub points: Points,
    pub issued_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// The order it was used on (for a gift card, the latest draw's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
    /// A gift card's value, and what is left of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_minor: Option<i64>,
    /// A donation's charity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charity: Option<String>,
    /// The achievement whose completion issued it, which a return that takes the
    /// achievement back cancels it with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achievement: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InstanceState {
    Issued,
    Used,
    Cancelled,
    Expired,
}

impl InstanceState {
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceState::Issued => "issued",
            InstanceState::Used => "used",
            InstanceState::Cancelled => "cancelled",
            InstanceState::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<InstanceState> {
        [InstanceState::Issued, InstanceState::Used, InstanceState::Cancelled, InstanceState::Expired]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// Points reserved for an order until the till captures or releases them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HoldRecord {
    pub hold_id: HoldId,
    pub order_id: OrderId,
    pub state: HoldState,
    pub points: Points,
    /// For pay-with-points: the money the points pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_minor: Option<i64>,
    /// For a reward: the reward and the code it will carry once captured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<HeldReward>,
    /// The lots the points came from, so that a release puts them back where they were.
    pub draws: Vec<HeldDraw>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Points of a captured payment already given back by returns of its order.
    #[serde(default)]
    pub refunded: Points,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HeldReward {
    pub reward: RewardCode,
    pub code: InstanceCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HeldDraw {
    pub lot: LotId,
    pub points: Points,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HoldState {
    Open,
    Captured,
    Released,
    Expired,
}

impl HoldState {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldState::Open => "open",
            HoldState::Captured => "captured",
            HoldState::Released => "released",
            HoldState::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<HoldState> {
        [HoldState::Open, HoldState::Captured, HoldState::Released, HoldState::Expired]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}
