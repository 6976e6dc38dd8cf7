//! What `decide` may know about a member: the projections the store loads for one event.

use crate::ids::{ExternalId, LotId, MemberId, OrderId, Sku};
use crate::points::Points;
use crate::time::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberState {
    /// `None` when no member has the event's external id.
    pub member: Option<Member>,
    /// The member's lots with points remaining, in any order. Loaded only for events that
    /// take points away (see `Event::spends_points`).
    pub lots: Vec<Lot>,
    /// The order named by the event, if it exists.
    pub order: Option<OrderRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Active => "active",
        }
    }

    pub fn parse(text: &str) -> Option<MemberStatus> {
        match text {
            "active" => Some(MemberStatus::Active),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub external_id: ExternalId,
    pub status: MemberStatus,
    pub balance: Balance,
    /// Points owed after a return took back points that were already spent; repaid
    /// first from the next points earned. `balance.available` already has it subtracted.
    pub debt: Points,
}

/// A member's balance as shown to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Balance {
    pub available: Points,
    pub pending: Points,
}

/// A parcel of points earned together, spent first-to-expire first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lot {
    pub id: LotId,
    pub amount: Points,
    pub remaining: Points,
    pub earned_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    /// The order whose purchase earned this lot, so that a return takes back from it first.
    pub order_id: Option<OrderId>,
}

/// A recorded purchase, as returns need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub order_id: OrderId,
    pub member_id: MemberId,
    /// Points the order holds now: what it earned less what returns took back.
    pub awarded: Points,
    pub lines: Vec<OrderLineRecord>,
}

/// One line of a recorded order with the (unrounded) points it earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineRecord {
    pub sku: Sku,
    pub quantity: u32,
    pub returned: u32,
    pub points: Decimal,
}
