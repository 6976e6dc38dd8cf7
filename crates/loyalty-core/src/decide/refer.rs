use super::{ever, existing_member};
use crate::decision::{Calculation, Decision};
use crate::event::Referral;
use crate::needs::Measure;
use crate::rejection::Rejection;
use crate::state::MemberState;

/// Naming, after enrolment, the member who referred an existing member. Only a member who
/// has no referrer yet and has not bought anything can still be referred.
pub(super) fn decide(state: &MemberState, r: &Referral) -> Result<Decision, Rejection> {
    let member = existing_member(state, &r.member)?;
    let bought = state.aggregates.window(&ever(Measure::Purchases, r.occurred_at));
    if member.referred_by.is_some() || bought > 0 {
        return Err(Rejection::RefereeAlreadyEnrolled { external_id: member.external_id.to_string() });
    }
    let referrer = state
        .referrer
        .as_ref()
        .filter(|referrer| referrer.referral_code == r.code)
        .ok_or_else(|| Rejection::ReferralCodeNotFound { code: r.code.to_string() })?;
    if referrer.id == member.id {
        return Err(Rejection::SelfReferral);
    }
    if referrer.referred_by == Some(member.id) || state.referrer_chain.contains(&member.id) {
        return Err(Rejection::ReferralLoop { external_id: member.external_id.to_string() });
    }
    Ok(Decision::about_member(member, None, Some(referrer.id), Calculation::Referral))
}
