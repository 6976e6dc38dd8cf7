//! The end of the return window: a purchase's pending points become available.

use super::{add, existing_member, sub};
use crate::decision::{Calculation, Decision, MemberChange};
use crate::event::JobTick;
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount};
use crate::lots;
use crate::points::Points;
use crate::rejection::Rejection;
use crate::state::{Balance, MemberState};

/// Releases every pending lot due by the tick, repaying any debt first, as earnings do.
pub(super) fn decide(state: &MemberState, tick: &JobTick) -> Result<Decision, Rejection> {
    let member = existing_member(state, &tick.member)?;
    let due: Vec<_> = state
        .lots
        .iter()
        .filter(|l| {
            !l.in_review
                && l.remaining.is_positive()
                && l.pending_until.is_some_and(|u| u <= tick.occurred_at)
        })
        .collect();
    let points = due
        .iter()
        .try_fold(Points::ZERO, |acc, l| acc.checked_add(l.remaining))
        .ok_or(Rejection::PointsOverflow)?;
    if points.is_zero() {
        return Err(Rejection::NothingDue {
            external_id: member.external_id.to_string(),
            what: "pending points",
            at: tick.occurred_at,
        });
    }
    let (lots, owed) = lots::release(&due, member.debt);
    let entry = EntryDraft::transfer(
        EntryKind::PendingRelease,
        Account::Member(MemberAccount::Pending),
        Account::Member(MemberAccount::Available),
        points,
    );
    let balance = Balance {
        available: add(member.balance.available, points)?,
        pending: sub(member.balance.pending, points)?,
        ..member.balance
    };
    Ok(Decision {
        member: MemberChange::balance(member.id, balance, owed),
        entries: entry.into_iter().collect(),
        lots,
        order: None,
        reward: None,
        holds: Vec::new(),
        notes: Vec::new(),
        counters: Vec::new(),
        referrer: None,
        standing: None,
        last_activity_at: None,
        engagement: Vec::new(),
        calculation: Calculation::PendingRelease { points },
    })
}
