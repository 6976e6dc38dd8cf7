//! Tiers in time: a member moves up in the decision of the event that crosses a threshold,
//! and down only when the evaluation job finds them short after the grace period.

use super::existing_member;
use crate::decision::{Calculation, Decision, HistoryTopic, MemberChange, StandingChange, TierReviewCalc};
use crate::event::{DueTick, Event};
use crate::ids::TierCode;
use crate::needs::Needs;
use crate::program::{Downgrade, Program, TierLevel, Tiers};
use crate::rejection::Rejection;
use crate::state::{Member, MemberState};
use crate::time::Timestamp;

/// The windows the tier rules need for `event`.
pub(super) fn needs(program: &Program, event: &Event, needs: &mut Needs) {
    let tiers = program.tiers();
    if tiers.is_empty() {
        return;
    }
    let calendar = program.calendar();
    match event {
        Event::Purchase(_) | Event::Activity(_) | Event::Birthday(_) => {
            needs.window(tiers.current_window(calendar, event.occurred_at()));
        }
        Event::TierReview(t) => {
            needs.window(tiers.evaluated_window(calendar, t.due));
            needs.window(tiers.current_window(calendar, t.occurred_at));
        }
        _ => {}
    }
}

/// The tier a member has at `at`: the higher of the one they earned and the one they pay
/// for while its paid period runs.
pub fn tier_at<'m>(tiers: &Tiers, member: &'m Member, at: Timestamp) -> Option<&'m TierCode> {
    let paid = member.standing.subscription.as_ref().and_then(|s| s.tier_at(at));
    tiers.higher(member.profile.tier.as_ref(), paid)
}

/// The tier metric in the current window before and after what `decision` earned, for
/// an event that earns; points earned count for a points metric, an order's total for
/// spend.
pub(super) fn qualifying_value(
    program: &Program,
    state: &MemberState,
    event: &Event,
    decision: &Decision,
) -> Option<(i64, i64)> {
    let tiers = program.tiers();
    if tiers.is_empty() {
        return None;
    }
    let calc = match &decision.calculation {
        Calculation::Purchase(c)
        | Calculation::Activity(c)
        | Calculation::Birthday(c)
        | Calculation::Enrolment(c) => c,
        _ => return None,
    };
    let added = match (tiers.metric, event) {
        (crate::program::TierMetric::Points, _) => calc.points.get(),
        // What was paid in money for lines that earn, as the spend windows count it.
        (crate::program::TierMetric::Spend, Event::Purchase(_)) => calc.spend_minor,
        (crate::program::TierMetric::Spend, _) => 0,
    };
    let window = tiers.current_window(program.calendar(), event.occurred_at());
    let before = state.aggregates.window(&window);
    Some((before, before.saturating_add(added)))
}

/// Moves the member up if what `decision` earned takes them over a higher tier's
/// threshold. Points earned count for a points metric; an order's total for spend.
pub(super) fn upgrade(
    program: &Program,
    state: &MemberState,
    event: &Event,
    decision: &mut Decision,
) -> Result<(), Rejection> {
    let tiers = program.tiers();
    let Some((_, value)) = qualifying_value(program, state, event, decision) else { return Ok(()) };
    let at = event.occurred_at();
    let calendar = program.calendar();
    let Some(reached) = tiers.qualified(value) else { return Ok(()) };
    let mut change = match (decision.standing.take(), &state.member, &decision.member) {
        (Some(change), _, _) => *change,
        (None, Some(member), _) => StandingChange::of(member),
        (None, None, MemberChange::Enrol(new)) => StandingChange {
            status: new.status,
            tier: new.profile.tier.clone(),
            standing: Default::default(),
            history: Vec::new(),
        },
        (None, None, MemberChange::Update { .. }) => return Ok(()),
    };
    if tiers.rank(Some(&reached.code)) > tiers.rank(change.tier.as_ref()) {
        let reason = format!(
            "{value} {} in the window reaches the {} threshold of {}",
            metric_words(program),
            reached.name,
            reached.threshold.unwrap_or(0)
        );
        change.note(
            HistoryTopic::Tier,
            change.tier.as_ref().map(ToString::to_string),
            Some(reached.code.to_string()),
            reason,
        );
        change.tier = Some(reached.code.clone());
        change.standing.tier_review_at = tiers.next_review(calendar, at);
        if let MemberChange::Enrol(new) = &mut decision.member {
            new.profile.tier = Some(reached.code.clone());
        }
    }
    if !change.history.is_empty()
        || change.status != state.member.as_ref().map_or(change.status, |m| m.status)
    {
        decision.standing = Some(Box::new(change));
    }
    Ok(())
}

fn metric_words(program: &Program) -> String {
    match program.tiers().metric {
        crate::program::TierMetric::Spend => format!("{} minor units spent", program.currency().code()),
        crate::program::TierMetric::Points => format!("{} earned", program.points_name()),
    }
}

/// The evaluation due at `tick.due`, judged once the grace period is over: the member keeps
/// a tier that the evaluated window or the current one reaches, and otherwise moves down
/// one tier (or to the tier they reach, if the program says so).
pub(super) fn review(program: &Program, state: &MemberState, tick: &DueTick) -> Result<Decision, Rejection> {
    let member = existing_member(state, &tick.member)?;
    let tiers = program.tiers();
    let calendar = program.calendar();
    let not_due = || Rejection::NothingDue {
        external_id: member.external_id.to_string(),
        what: "tier evaluation",
        at: tick.occurred_at,
    };
    if member.standing.tier_review_at != Some(tick.due) || tiers.is_empty() {
        return Err(not_due());
    }
    if tiers.downgrade_from(calendar, tick.due).is_none_or(|from| tick.occurred_at < from) {
        return Err(not_due());
    }
    let evaluated = state.aggregates.window(&tiers.evaluated_window(calendar, tick.due));
    let current = state.aggregates.window(&tiers.current_window(calendar, tick.occurred_at));
    let reached = tiers.qualified(evaluated.max(current));
    let held = member.profile.tier.as_ref();
    let to = match (tiers.rank(reached.map(|l| &l.code)), tiers.rank(held)) {
        (r, h) if r >= h => reached.map(|l| l.code.clone()),
        (_, Some(h)) => step_down(tiers, h, reached, tiers.downgrade),
        (_, None) => None,
    };
    let mut change = StandingChange::of(member);
    if to.as_ref() != held {
        let reason = format!(
            "evaluation of {}: {evaluated} {} in the evaluated window, {current} since",
            tick.due,
            metric_words(program)
        );
        change.note(
            HistoryTopic::Tier,
            held.map(ToString::to_string),
            to.as_ref().map(ToString::to_string),
            reason,
        );
    }
    change.standing.tier_review_at = match &to {
        Some(_) => tiers.next_review(calendar, tick.due),
        None => None,
    };
    change.tier = to.clone();
    let calc = TierReviewCalc { evaluated, current, from: held.cloned(), to };
    Ok(Decision::about_standing(member, change, Calculation::TierReview(calc)))
}

/// The tier below rank `held` a member falls to: the next one down that a threshold
/// reaches (paid-only tiers are skipped), or the one they reached.
fn step_down(tiers: &Tiers, held: usize, reached: Option<&TierLevel>, how: Downgrade) -> Option<TierCode> {
    match how {
        Downgrade::ToQualified => reached.map(|l| l.code.clone()),
        Downgrade::OneTier => {
            tiers.levels[..held].iter().rev().find(|l| l.threshold.is_some()).map(|l| l.code.clone())
        }
    }
}
