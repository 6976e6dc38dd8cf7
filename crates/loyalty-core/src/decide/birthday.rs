use super::earn::{Earning, earn};
use super::existing_member;
use crate::decision::{Calculation, Decision};
use crate::earning::{Occasion, is_birthday};
use crate::event::Birthday;
use crate::ledger::EntryKind;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::state::{LotSource, MemberState};

/// The job runner calls on members whose birthday it is; the program's birthday rule
/// decides the bonus and gives it once a year.
pub(super) fn decide(program: &Program, state: &MemberState, b: &Birthday) -> Result<Decision, Rejection> {
    let member = existing_member(state, &b.member)?;
    let external_id = member.external_id.to_string();
    let born = member
        .profile
        .birth_date
        .ok_or_else(|| Rejection::BirthDateUnknown { external_id: external_id.clone() })?;
    // A birthday the job catches up on may fall before the member joined: not theirs to take.
    if !is_birthday(born, program.calendar().local(b.occurred_at).date())
        || b.occurred_at < member.enrolled_at
    {
        return Err(Rejection::NotBirthday { external_id });
    }
    let earned = earn(Earning {
        program,
        state,
        member,
        occasion: Occasion::Birthday,
        occurred_at: b.occurred_at,
        entry: EntryKind::Bonus,
        source: LotSource::Bonus,
        order_id: None,
    })?;
    Ok(earned.for_member(member.id, Calculation::Birthday))
}
