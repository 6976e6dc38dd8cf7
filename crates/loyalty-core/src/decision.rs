//! What `decide` returns: everything the store must write for one event, and the
//! calculation that explains it.

use crate::earning::Award;
use crate::ids::{Email, ExternalId, InstanceCode, MemberId, OrderId, PersonName, RewardCode};
use crate::ledger::EntryDraft;
use crate::lots::LotChange;
use crate::points::Points;
use crate::program::SpentPointsPolicy;
use crate::state::{Balance, MemberStatus, OrderLineRecord};
use crate::time::Timestamp;
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub member: MemberChange,
    pub entries: Vec<EntryDraft>,
    pub lots: Vec<LotChange>,
    pub order: Option<OrderChange>,
    pub reward: Option<IssuedReward>,
    pub calculation: Calculation,
}

impl Decision {
    /// The member's balance once the decision is applied.
    pub fn balance_after(&self) -> Balance {
        match &self.member {
            MemberChange::Enrol(_) => Balance::default(),
            MemberChange::Balance { balance, .. } => *balance,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberChange {
    Enrol(NewMember),
    /// The projections of an existing member after the event.
    Balance {
        member: MemberId,
        balance: Balance,
        debt: Points,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    pub external_id: ExternalId,
    pub email: Option<Email>,
    pub name: Option<PersonName>,
    pub status: MemberStatus,
    pub enrolled_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderChange {
    Record { order_id: OrderId, awarded: Points, lines: Vec<OrderLineRecord> },
    Update { order_id: OrderId, awarded: Points, lines: Vec<OrderLineRecord> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedReward {
    pub reward: RewardCode,
    pub code: InstanceCode,
    pub points: Points,
}

/// The numbers behind a decision, kept structured so that deciding stays cheap; the
/// words are rendered once, in `outcome`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Calculation {
    Enrolment,
    Purchase(PurchaseCalc),
    Return(ReturnCalc),
    Redemption,
    Adjustment,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseCalc {
    pub awards: Vec<Award>,
    /// Points of each line before rounding.
    pub line_points: Vec<Decimal>,
    pub subtotal: Decimal,
    pub points: Points,
    pub debt_repaid: Points,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnCalc {
    /// Points the order held before the return.
    pub held_before: Points,
    /// What the lines still kept earn, before rounding.
    pub subtotal_after: Decimal,
    /// Points the order holds after the return.
    pub held_after: Points,
    pub reversed: Points,
    /// Points taken back that the member had already spent.
    pub shortfall: Points,
    pub policy: SpentPointsPolicy,
}
