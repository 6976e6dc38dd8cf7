//! Expiry: the unspent remainder of lots that reached their expiry date leaves the member
//! for the program's `expired` account, and members are warned ahead of it.

use super::{add, existing_member, sub};
use crate::decision::{Calculation, Decision, MemberChange};
use crate::event::{ExpiryNotice, JobTick};
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount, Posting, ProgramAccount};
use crate::lots::LotChange;
use crate::points::Points;
use crate::rejection::Rejection;
use crate::state::{Balance, Lot, MemberState};

/// Expires every lot due by the tick. Lots held for review wait for the review: their
/// points are neither the member's nor the program's to expire until it is decided.
pub(super) fn decide(state: &MemberState, tick: &JobTick) -> Result<Decision, Rejection> {
    let member = existing_member(state, &tick.member)?;
    let due = |l: &&Lot| {
        !l.in_review && l.remaining.is_positive() && l.expires_at.is_some_and(|x| x <= tick.occurred_at)
    };
    let (mut available, mut pending, mut lots) = (Points::ZERO, Points::ZERO, Vec::new());
    for lot in state.lots.iter().filter(due) {
        match lot.account() {
            MemberAccount::Pending => pending = add(pending, lot.remaining)?,
            _ => available = add(available, lot.remaining)?,
        }
        lots.push(LotChange::Draw { lot: lot.id, amount: lot.remaining });
    }
    let points = add(available, pending)?;
    if points.is_zero() {
        return Err(Rejection::NothingDue {
            external_id: member.external_id.to_string(),
            what: "points expiring",
            at: tick.occurred_at,
        });
    }
    let mut postings = Vec::with_capacity(3);
    for (account, amount) in [
        (Account::Member(MemberAccount::Available), available.checked_neg()),
        (Account::Member(MemberAccount::Pending), pending.checked_neg()),
        (Account::Program(ProgramAccount::Expired), Some(points)),
    ] {
        let amount = amount.ok_or(Rejection::PointsOverflow)?;
        if !amount.is_zero() {
            postings.push(Posting { account, amount });
        }
    }
    let balance = Balance {
        available: sub(member.balance.available, available)?,
        pending: sub(member.balance.pending, pending)?,
        ..member.balance
    };
    Ok(Decision {
        member: MemberChange::balance(member.id, balance, member.debt),
        entries: EntryDraft::balanced(EntryKind::Expiry, postings).into_iter().collect(),
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
        calculation: Calculation::Expiry { points },
    })
}

/// Records the warning that the points of the lots expiring at `notice.expires_at` will
/// go; nothing moves. Refused when no points are left to expire then.
pub(super) fn notice(state: &MemberState, notice: &ExpiryNotice) -> Result<Decision, Rejection> {
    let member = existing_member(state, &notice.member)?;
    let points = state
        .lots
        .iter()
        .filter(|l| !l.in_review && l.expires_at == Some(notice.expires_at))
        .try_fold(Points::ZERO, |acc, l| acc.checked_add(l.remaining))
        .ok_or(Rejection::PointsOverflow)?;
    if !points.is_positive() {
        return Err(Rejection::NothingDue {
            external_id: member.external_id.to_string(),
            what: "points to warn of",
            at: notice.expires_at,
        });
    }
    let calculation = Calculation::ExpiryNotice { points, expires_at: notice.expires_at };
    Ok(Decision::about_member(member, None, None, calculation))
}
