use super::{add, existing_member, sub};
use crate::decision::{Calculation, Decision, MemberChange};
use crate::event::ReviewDecision;
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount, ProgramAccount};
use crate::lots::{self, LotChange};
use crate::points::Points;
use crate::rejection::Rejection;
use crate::state::{Balance, MemberState};

/// An administrator's decision on all the points a member has in review: make them
/// available (repaying any debt first, as earnings do) or take them back.
pub(super) fn decide(state: &MemberState, r: &ReviewDecision) -> Result<Decision, Rejection> {
    let member = existing_member(state, &r.member)?;
    let held: Vec<_> = state.lots.iter().filter(|l| l.in_review && l.remaining.is_positive()).collect();
    let total = held
        .iter()
        .try_fold(Points::ZERO, |acc, l| acc.checked_add(l.remaining))
        .ok_or(Rejection::PointsOverflow)?;
    if total.is_zero() {
        return Err(Rejection::NothingInReview { external_id: member.external_id.to_string() });
    }
    let review = Account::Member(MemberAccount::Review);
    let pending_review = sub(member.balance.pending_review, total)?;
    let (entry, lots, balance, debt) = if r.release {
        let (lots, owed) = lots::release(&held, member.debt);
        let entry = EntryDraft::transfer(
            EntryKind::ReviewRelease,
            review,
            Account::Member(MemberAccount::Available),
            total,
        );
        let balance =
            Balance { available: add(member.balance.available, total)?, pending_review, ..member.balance };
        (entry, lots, balance, owed)
    } else {
        let lots = held.iter().map(|l| LotChange::Void { lot: l.id }).collect();
        let entry = EntryDraft::transfer(
            EntryKind::ReviewVoid,
            review,
            Account::Program(ProgramAccount::Issued),
            total,
        );
        (entry, lots, Balance { pending_review, ..member.balance }, member.debt)
    };
    Ok(Decision {
        member: MemberChange::balance(member.id, balance, debt),
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
        calculation: Calculation::Review { points: total },
    })
}
