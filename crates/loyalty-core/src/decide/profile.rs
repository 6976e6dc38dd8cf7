use super::existing_member;
use crate::decision::{Calculation, Decision};
use crate::event::ProfileUpdate;
use crate::rejection::Rejection;
use crate::state::MemberState;

pub(super) fn decide(state: &MemberState, p: &ProfileUpdate) -> Result<Decision, Rejection> {
    let member = existing_member(state, &p.member)?;
    Ok(Decision::about_member(member, Some(p.changes.clone()), None, Calculation::Profile))
}
