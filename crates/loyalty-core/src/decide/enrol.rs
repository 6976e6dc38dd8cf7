use crate::decision::{Calculation, Decision, MemberChange, NewMember};
use crate::event::Enrolment;
use crate::rejection::Rejection;
use crate::state::{MemberState, MemberStatus};

pub(super) fn decide(state: &MemberState, e: &Enrolment) -> Result<Decision, Rejection> {
    if state.member.is_some() {
        return Err(Rejection::MemberAlreadyExists { external_id: e.member.to_string() });
    }
    Ok(Decision {
        member: MemberChange::Enrol(NewMember {
            external_id: e.member.clone(),
            email: e.email.clone(),
            name: e.name.clone(),
            status: MemberStatus::Active,
            enrolled_at: e.occurred_at,
        }),
        entries: Vec::new(),
        lots: Vec::new(),
        order: None,
        reward: None,
        calculation: Calculation::Enrolment,
    })
}
