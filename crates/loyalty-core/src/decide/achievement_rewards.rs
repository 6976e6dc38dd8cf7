//! The catalogue reward an achievement gives: a code issued with each completion, at no
//! cost in points, as a punch card's is, and voided (if still unused) when a return takes
//! the completion back.

use crate::decision::{Decision, HistoryNote, HistoryTopic};
use crate::engage::Achievement;
use crate::event::Event;
use crate::ids::{InstanceCode, RewardCode};
use crate::points::Points;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::spending::{InstanceState, RewardInstance};
use crate::state::MemberState;
use crate::time::Timestamp;

/// Issues the `n`th code (from 1) of the event's completions, and notes it in the
/// member's history.
pub(super) fn issue(
    program: &Program,
    event: &Event,
    achievement: &Achievement,
    reward: &RewardCode,
    n: usize,
    decision: &mut Decision,
) -> Result<Option<RewardInstance>, Rejection> {
    // Validation found the reward in the catalogue of this program version.
    let Some(reward) = program.reward(reward) else { return Ok(None) };
    let code = code(event, n)?;
    let mut instance = super::redeem::issue(program, reward, code, Points::ZERO, event.occurred_at());
    instance.achievement = Some(achievement.code.clone());
    decision.notes.push(HistoryNote {
        topic: HistoryTopic::Reward,
        from: None,
        to: Some(instance.state.as_str().to_owned()),
        reason: format!("{} issued as {}: {} completed", reward.name, instance.code, achievement.name),
    });
    Ok(Some(instance))
}

/// The code of the `n`th reward an event's achievements issue: the code the edge made for
/// the event, with `-A{n}` after it, so that one event may issue several and a punch
/// card's (which is the event's code itself) besides.
fn code(event: &Event, n: usize) -> Result<InstanceCode, Rejection> {
    let base = match event {
        Event::Purchase(p) => p.reward_code.as_ref(),
        Event::Activity(a) => a.reward_code.as_ref(),
        Event::Birthday(b) => b.reward_code.as_ref(),
        _ => None,
    };
    let refused = || {
        Rejection::InvalidRequest(
            "reward_code: this event completes an achievement with a reward and needs a code for it \
             (at most 60 characters)"
                .to_owned(),
        )
    };
    let base = base.ok_or_else(refused)?;
    InstanceCode::parse(format!("{base}-A{n}")).map_err(|_| refused())
}

/// Cancels the unused code that the completion at `last` issued, if there is one, and
/// notes it; a code already used stays the member's.
pub(super) fn void(
    state: &MemberState,
    achievement: &Achievement,
    last: Option<Timestamp>,
    decision: &mut Decision,
) -> Option<RewardInstance> {
    let issued = state.achievement_codes.iter().find(|i| {
        i.achievement.as_deref() == Some(achievement.code.as_str())
            && i.state == InstanceState::Issued
            && Some(i.issued_at) == last
    })?;
    let mut after = issued.clone();
    after.state = InstanceState::Cancelled;
    decision.notes.push(HistoryNote {
        topic: HistoryTopic::Reward,
        from: Some(InstanceState::Issued.as_str().to_owned()),
        to: Some(InstanceState::Cancelled.as_str().to_owned()),
        reason: format!("{} {}: a return took back {}", issued.reward, issued.code, achievement.name),
    });
    Some(after)
}
