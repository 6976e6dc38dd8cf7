use super::{add, existing_member, sub};
use crate::decision::{Calculation, Decision, MemberChange};
use crate::event::Adjustment;
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount, ProgramAccount};
use crate::lots::{self, LotChange, NewLot};
use crate::program::Program;
use crate::rejection::Rejection;
use crate::state::{Balance, LotSource, MemberState};

/// A positive adjustment is earned like a purchase (a new lot, repaying any debt first);
/// a negative one is spent like a redemption and may not overdraw the balance.
pub(super) fn decide(program: &Program, state: &MemberState, a: &Adjustment) -> Result<Decision, Rejection> {
    let member = existing_member(state, &a.member)?;
    let available = Account::Member(MemberAccount::Available);
    let adjusted = Account::Program(ProgramAccount::Adjusted);

    let (entry, lot_changes, balance, debt) = if a.points.is_positive() {
        let repaid = a.points.min(member.debt);
        let lot = LotChange::Open(NewLot {
            amount: a.points,
            remaining: sub(a.points, repaid)?,
            earned_at: a.occurred_at,
            expires_at: program.expires_at(a.occurred_at),
            order_id: None,
            source: LotSource::Adjustment,
            in_review: false,
            pending_until: None,
        });
        (
            EntryDraft::transfer(EntryKind::Adjustment, adjusted, available, a.points),
            vec![lot],
            add(member.balance.available, a.points)?,
            sub(member.debt, repaid)?,
        )
    } else {
        let taken = a.points.checked_neg().ok_or(Rejection::PointsOverflow)?;
        let insufficient =
            || Rejection::InsufficientPoints { available: member.balance.available, required: taken };
        if member.balance.available < taken {
            return Err(insufficient());
        }
        let (draws, drawn) = lots::draw(&state.lots, taken, None);
        if drawn < taken {
            return Err(insufficient());
        }
        (
            EntryDraft::transfer(EntryKind::Adjustment, available, adjusted, taken),
            draws,
            sub(member.balance.available, taken)?,
            member.debt,
        )
    };

    Ok(Decision {
        member: MemberChange::balance(member.id, Balance { available: balance, ..member.balance }, debt),
        entries: entry.into_iter().collect(),
        lots: lot_changes,
        order: None,
        reward: None,
        holds: Vec::new(),
        notes: Vec::new(),
        counters: Vec::new(),
        referrer: None,
        standing: None,
        last_activity_at: None,
        engagement: Vec::new(),
        calculation: Calculation::Adjustment,
    })
}
