use super::existing_member;
use crate::decision::{Calculation, Decision, HistoryNote, HistoryTopic, StandingChange};
use crate::event::ProfileUpdate;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::state::MemberState;

/// Changes what is known of a member. A tier set by hand is kept in the member's history
/// and, when the program has tiers, evaluated like one reached.
pub(super) fn decide(
    program: &Program,
    state: &MemberState,
    p: &ProfileUpdate,
) -> Result<Decision, Rejection> {
    let member = existing_member(state, &p.member)?;
    let mut decision = Decision::about_member(member, Some(p.changes.clone()), None, Calculation::Profile);
    if let Some(opt_in) = p.changes.leaderboard_opt_in.filter(|o| *o != member.profile.leaderboard_opt_in) {
        let (from, to, reason) = if opt_in {
            ("out", "in", "the member opted in to leaderboards")
        } else {
            ("in", "out", "the member opted out of leaderboards")
        };
        decision.notes.push(HistoryNote {
            topic: HistoryTopic::Leaderboard,
            from: Some(from.to_owned()),
            to: Some(to.to_owned()),
            reason: reason.to_owned(),
        });
    }
    let tiers = program.tiers();
    if let Some(tier) = p.changes.tier.as_ref().filter(|t| member.profile.tier.as_ref() != Some(*t)) {
        if !tiers.is_empty() && tiers.level(tier).is_none() {
            return Err(Rejection::TierNotFound { tier: tier.to_string() });
        }
        let mut change = StandingChange::of(member);
        change.note(
            HistoryTopic::Tier,
            member.profile.tier.as_ref().map(ToString::to_string),
            Some(tier.to_string()),
            "set by an administrator".into(),
        );
        change.tier = Some(tier.clone());
        if !tiers.is_empty() {
            change.standing.tier_review_at = tiers.next_review(program.calendar(), p.occurred_at);
        }
        decision.standing = Some(Box::new(change));
    }
    Ok(decision)
}
