use super::existing_member;
use crate::decision::{Calculation, Decision, MemberChange};
use crate::event::ProfileUpdate;
use crate::rejection::Rejection;
use crate::state::MemberState;

pub(super) fn decide(state: &MemberState, p: &ProfileUpdate) -> Result<Decision, Rejection> {
    let member = existing_member(state, &p.member)?;
    Ok(Decision {
        member: MemberChange::Update {
            member: member.id,
            balance: member.balance,
            debt: member.debt,
            profile: Some(p.changes.clone()),
            referred_by: None,
        },
        entries: Vec::new(),
        lots: Vec::new(),
        order: None,
        reward: None,
        counters: Vec::new(),
        referrer: None,
        calculation: Calculation::Profile,
    })
}
