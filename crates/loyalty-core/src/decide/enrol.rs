use super::earn::{Earning, earn};
use crate::decision::{Calculation, Decision, MemberChange, NewMember};
use crate::earning::Occasion;
use crate::event::Enrolment;
use crate::ids::MemberId;
use crate::ledger::EntryKind;
use crate::points::Points;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::state::{Balance, LotSource, Member, MemberState, MemberStatus, Profile};

pub(super) fn decide(program: &Program, state: &MemberState, e: &Enrolment) -> Result<Decision, Rejection> {
    if state.member.is_some() {
        let external_id = e.member.to_string();
        return Err(match e.referred_by {
            Some(_) => Rejection::RefereeAlreadyEnrolled { external_id },
            None => Rejection::MemberAlreadyExists { external_id },
        });
    }
    let referred_by = match &e.referred_by {
        None => None,
        Some(code) => {
            let referrer = state
                .referrer
                .as_ref()
                .filter(|r| &r.referral_code == code)
                .ok_or_else(|| Rejection::ReferralCodeNotFound { code: code.to_string() })?;
            let same_email = match (&referrer.profile.email, &e.email) {
                (Some(a), Some(b)) => a.as_str().eq_ignore_ascii_case(b.as_str()),
                _ => false,
            };
            if same_email || referrer.referral_code == e.referral_code {
                return Err(Rejection::SelfReferral);
            }
            Some(referrer.id)
        }
    };
    let member = Member {
        // The store gives the new member its id.
        id: MemberId(0),
        external_id: e.member.clone(),
        status: MemberStatus::Active,
        balance: Balance::default(),
        debt: Points::ZERO,
        profile: Profile {
            name: e.name.clone(),
            email: e.email.clone(),
            birth_date: e.birth_date,
            tier: None,
            tags: e.tags.clone(),
            ..Profile::default()
        },
        referral_code: e.referral_code.clone(),
        referred_by,
        enrolled_at: e.occurred_at,
        last_activity_at: e.occurred_at,
        standing: Default::default(),
    };
    let earned = earn(Earning {
        program,
        state,
        member: &member,
        occasion: Occasion::Enrolment,
        occurred_at: e.occurred_at,
        entry: EntryKind::Bonus,
        source: LotSource::Bonus,
        order_id: None,
    })?;
    let new = NewMember {
        external_id: member.external_id,
        profile: member.profile,
        status: member.status,
        referral_code: member.referral_code,
        referred_by,
        enrolled_at: e.occurred_at,
        balance: earned.balance,
    };
    Ok(earned.into_decision(MemberChange::Enrol(new), Calculation::Enrolment))
}
