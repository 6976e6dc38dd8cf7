use super::earn::{Earning, earn};
use super::existing_member;
use crate::decision::{Calculation, Decision};
use crate::earning::{Occasion, rewards_activity};
use crate::event::Activity;
use crate::ledger::EntryKind;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::state::{LotSource, MemberState};

pub(super) fn decide(program: &Program, state: &MemberState, a: &Activity) -> Result<Decision, Rejection> {
    if !rewards_activity(program, &a.kind) {
        return Err(Rejection::ActivityNotRewarded { kind: a.kind.to_string() });
    }
    let member = existing_member(state, &a.member)?;
    let earned = earn(Earning {
        program,
        state,
        member,
        occasion: Occasion::Activity(a),
        occurred_at: a.occurred_at,
        entry: EntryKind::Activity,
        source: LotSource::Activity,
        order_id: None,
    })?;
    Ok(earned.for_member(member.id, Calculation::Activity))
}
