//! `decide`: the one function that judges an event against a member's state. It reads no
//! clock and writes nothing; the store applies what it returns in one transaction.

mod achievement_rewards;
mod activity;
mod adjust;
mod birthday;
mod bonuses;
mod code;
mod earn;
mod engage;
mod enrol;
mod expire;
mod hold;
mod milestones;
mod paid_after;
mod profile;
mod purchase;
mod redeem;
mod refer;
mod release_pending;
mod returns;
mod review;
mod status;
mod subscription;
mod survey;
mod tiers;

pub use engage::needs_after;
pub use milestones::{Milestone, milestones};
pub use tiers::tier_at;

use crate::decision::Decision;
use crate::event::Event;
use crate::ids::ExternalId;
use crate::limits::MAX_FUTURE_SKEW_MICROS;
use crate::needs::{Measure, Needs, Window};
use crate::points::Points;
use crate::program::{Program, Rounding};
use crate::rejection::Rejection;
use crate::state::{Member, MemberState, MemberStatus};
use crate::time::Timestamp;
use rust_decimal::{Decimal, RoundingStrategy};

/// What the store must load of the member's history before `decide` can judge `event`.
pub fn needs(program: &Program, event: &Event) -> Needs {
    let mut needs = Needs::default();
    for rule in program.rules() {
        rule.needs(event, program.calendar(), &mut needs);
    }
    match event {
        Event::Purchase(_) | Event::Activity(_) | Event::Birthday(_) => {
            earn::limit_needs(program, event.occurred_at(), &mut needs);
        }
        Event::Refer(r) => needs.window(ever(Measure::Purchases, r.occurred_at)),
        Event::Survey(s) => survey::needs(program, s, &mut needs),
        _ => {}
    }
    tiers::needs(program, event, &mut needs);
    redeem::needs(program, event, &mut needs);
    engage::needs(program, event, &mut needs);
    needs.segment = reads_segment(program, event);
    needs
}

/// Whether judging `event` reads the member's segment: campaigns and achievements judge
/// purchases, activities and birthdays, and only in programs that target some segment.
pub fn reads_segment(program: &Program, event: &Event) -> bool {
    matches!(event, Event::Purchase(_) | Event::Activity(_) | Event::Birthday(_))
        && program.targets_segments()
}

/// Everything up to (and at) `at`.
fn ever(measure: Measure, at: Timestamp) -> Window {
    Window { from: Timestamp::from_micros(i64::MIN), to: Timestamp::from_micros(at.as_micros() + 1), measure }
}

pub fn decide(
    program: &Program,
    state: &MemberState,
    event: &Event,
    now: Timestamp,
) -> Result<Decision, Rejection> {
    let latest = now.checked_add_micros(MAX_FUTURE_SKEW_MICROS).unwrap_or(now);
    if event.occurred_at() > latest {
        return Err(Rejection::OccurredAtInFuture { occurred_at: event.occurred_at(), now });
    }
    gate(state, event)?;
    let mut decision = match event {
        Event::Enrol(e) => enrol::decide(program, state, e),
        Event::Purchase(p) => purchase::decide(program, state, p),
        Event::Return(r) => returns::decide(program, state, r),
        Event::Redeem(r) => redeem::decide(program, state, r),
        Event::Adjust(a) => adjust::decide(program, state, a),
        Event::Activity(a) => activity::decide(program, state, a),
        Event::Birthday(b) => birthday::decide(program, state, b),
        Event::Review(r) => review::decide(state, r),
        Event::Refer(r) => refer::decide(state, r),
        Event::Profile(p) => profile::decide(program, state, p),
        Event::Expire(t) => expire::decide(state, t),
        Event::ReleasePending(t) => release_pending::decide(state, t),
        Event::ExpiryNotice(n) => expire::notice(state, n),
        Event::TierReview(t) => tiers::review(program, state, t),
        Event::CloseInactive(t) => status::close_inactive(program, state, t),
        Event::Subscription(u) => subscription::decide(program, state, u),
        Event::Status(s) => status::decide(program, state, s),
        Event::Hold(h) => hold::open(program, state, h),
        Event::Settle(s) => hold::settle(program, state, s),
        Event::Code(c) => code::decide(program, state, c),
        Event::Survey(s) => survey::decide(program, state, s),
    }?;
    if event.is_member_activity()
        && let Some(member) = &state.member
    {
        decision.last_activity_at = Some(member.last_activity_at.max(event.occurred_at()));
    }
    engage::judge(program, state, event, &mut decision)?;
    tiers::upgrade(program, state, event, &mut decision)?;
    Ok(decision)
}

/// What a member's status forbids before an event is judged: a closed account takes
/// nothing but a status change (a reinstatement), a suspended one redeems and holds
/// nothing. A hold still open, or a code still out, may be settled whatever the status.
fn gate(state: &MemberState, event: &Event) -> Result<(), Rejection> {
    let Some(member) = &state.member else { return Ok(()) };
    let external_id = || member.external_id.to_string();
    match event {
        Event::Enrol(_) | Event::Status(_) => Ok(()),
        Event::Settle(s) if s.action != crate::event::SettleAction::Capture => Ok(()),
        Event::Code(c) if matches!(c.action, crate::event::CodeAction::Expire) => Ok(()),
        // A repeated order is refused as such first, as the store refuses it.
        Event::Purchase(_) if state.order.is_some() => Ok(()),
        _ if member.status.is_closed() => Err(Rejection::MemberClosed { external_id: external_id() }),
        Event::Redeem(_) | Event::Hold(_) if member.status == MemberStatus::Suspended => {
            Err(Rejection::MemberSuspended { external_id: external_id() })
        }
        _ => Ok(()),
    }
}

fn existing_member<'s>(state: &'s MemberState, external_id: &ExternalId) -> Result<&'s Member, Rejection> {
    state.member.as_ref().ok_or_else(|| Rejection::MemberNotFound { external_id: external_id.to_string() })
}

/// Rounds an event's decimal points to whole points, once, as the program says.
fn round(rounding: Rounding, points: Decimal) -> Result<Points, Rejection> {
    let whole = match rounding {
        Rounding::Floor => points.floor(),
        Rounding::Ceil => points.ceil(),
        Rounding::HalfUp => points.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero),
    };
    i64::try_from(whole)
        .ok()
        .filter(|p| *p <= Points::MAX_PER_EVENT.get())
        .map(Points::new)
        .ok_or(Rejection::PointsOverflow)
}

fn add(a: Points, b: Points) -> Result<Points, Rejection> {
    a.checked_add(b).ok_or(Rejection::PointsOverflow)
}

fn sub(a: Points, b: Points) -> Result<Points, Rejection> {
    a.checked_sub(b).ok_or(Rejection::PointsOverflow)
}

#[cfg(test)]
mod tests;
