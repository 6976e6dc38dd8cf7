//! Milestones an applied decision passes, told to webhook subscribers only: nothing of
//! the member's changes by them, so they are worked out from the state and the decision
//! rather than carried in either.

use super::tiers::qualifying_value;
use crate::decision::{Decision, MemberChange};
use crate::event::Event;
use crate::ids::TierCode;
use crate::program::Program;
use crate::state::MemberState;
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Milestone {
    /// The member came within the program's share of `tier`'s threshold.
    TierProgress { tier: TierCode, value: i64, threshold: i64, share: Decimal },
    /// The available balance rose from below `milestone` to it or past it.
    Balance { milestone: i64, balance: i64 },
}

/// The milestones `decision`, judged on `state`, passes under `program`'s `[notifications]`.
pub fn milestones(
    program: &Program,
    state: &MemberState,
    event: &Event,
    decision: &Decision,
) -> Vec<Milestone> {
    let mut passed = Vec::new();
    if let Some(m) = tier_progress(program, state, event, decision) {
        passed.push(m);
    }
    if let Some(m) = balance(program, state, decision) {
        passed.push(m);
    }
    passed
}

fn tier_progress(
    program: &Program,
    state: &MemberState,
    event: &Event,
    decision: &Decision,
) -> Option<Milestone> {
    let share = program.notifications().tier_progress_share?;
    let (before, after) = qualifying_value(program, state, event, decision)?;
    let tiers = program.tiers();
    let earned = match (&decision.standing, &decision.member, &state.member) {
        (Some(change), _, _) => change.tier.as_ref(),
        (None, MemberChange::Enrol(new), _) => new.profile.tier.as_ref(),
        (None, _, Some(member)) => member.profile.tier.as_ref(),
        (None, _, None) => None,
    };
    // A member who pays for a higher tier is not nudged toward a lower one.
    let paid = state
        .member
        .as_ref()
        .and_then(|m| m.standing.subscription.as_ref())
        .and_then(|s| s.tier_at(event.occurred_at()));
    let next = tiers.next_above(tiers.higher(earned, paid))?;
    let threshold = next.threshold?;
    let near = share * Decimal::from(threshold);
    let crossed = Decimal::from(before) < near && Decimal::from(after) >= near && after < threshold;
    crossed.then(|| Milestone::TierProgress { tier: next.code.clone(), value: after, threshold, share })
}

fn balance(program: &Program, state: &MemberState, decision: &Decision) -> Option<Milestone> {
    let milestones = &program.notifications().balance_milestones;
    if milestones.is_empty() {
        return None;
    }
    let before = state.member.as_ref().map_or(0, |m| m.balance.available.get());
    let after = decision.balance_after().available.get();
    milestones
        .iter()
        .rev()
        .find(|m| before < **m && after >= **m)
        .map(|m| Milestone::Balance { milestone: *m, balance: after })
}
