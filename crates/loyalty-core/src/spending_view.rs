//! Holds and reward codes as the API shows them.

use crate::decision::{Calculation, Decision};
use crate::event::Event;
use crate::ids::{ExternalId, HoldId, OrderId};
use crate::outcome::Outcome;
use crate::points::Points;
use crate::spending::{HeldReward, HoldRecord, HoldState, RewardInstance};
use crate::state::Balance;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A hold, without the lots it drew from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HoldView {
    pub hold_id: HoldId,
    pub order_id: OrderId,
    pub state: HoldState,
    pub points: Points,
    /// For pay-with-points: the money the points pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_minor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<HeldReward>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Points of a captured payment given back by returns of its order.
    #[serde(default, skip_serializing_if = "Points::is_zero_ref")]
    pub refunded: Points,
}

impl HoldView {
    pub fn of(hold: &HoldRecord) -> HoldView {
        HoldView {
            hold_id: hold.hold_id.clone(),
            order_id: hold.order_id.clone(),
            state: hold.state,
            points: hold.points,
            amount_minor: hold.amount_minor,
            reward: hold.reward.clone(),
            created_at: hold.created_at,
            expires_at: hold.expires_at,
            refunded: hold.refunded,
        }
    }
}

/// A hold after an event on it (opened, captured, released, expired), with the member's
/// balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HoldOutcome {
    pub member: ExternalId,
    #[serde(flatten)]
    pub hold: HoldView,
    /// The reward code a captured hold of a reward issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<RewardInstance>,
    pub occurred_at: Timestamp,
    pub balance: Balance,
}

/// A reward code after an event on it (used, drawn on, cancelled, expired), with the
/// member's balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CodeOutcome {
    pub member: ExternalId,
    #[serde(flatten)]
    pub instance: RewardInstance,
    /// Points given back to the member (a cancellation).
    #[serde(default, skip_serializing_if = "Points::is_zero_ref")]
    pub points_refunded: Points,
    pub occurred_at: Timestamp,
    pub balance: Balance,
}

/// The outcome of a hold or code event; `None` if the decision does not belong to it.
pub(crate) fn render(event: &Event, decision: &Decision) -> Option<Outcome> {
    let balance = decision.balance_after();
    match (event, &decision.calculation) {
        (Event::Hold(_) | Event::Settle(_), Calculation::Hold { .. }) => Some(Outcome::Hold(HoldOutcome {
            member: event.member().clone(),
            hold: HoldView::of(decision.holds.first()?.record()),
            issued: decision.reward.as_ref().map(|r| r.instance().clone()),
            occurred_at: event.occurred_at(),
            balance,
        })),
        (Event::Code(c), Calculation::Code { refunded }) => Some(Outcome::Code(CodeOutcome {
            member: c.member.clone(),
            instance: decision.reward.as_ref()?.instance().clone(),
            points_refunded: *refunded,
            occurred_at: c.occurred_at,
            balance,
        })),
        _ => None,
    }
}
