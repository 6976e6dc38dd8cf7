//! `decide`: the one function that judges an event against a member's state. It reads no
//! clock and writes nothing; the store applies what it returns in one transaction.

mod adjust;
mod enrol;
mod purchase;
mod redeem;
mod returns;

use crate::decision::Decision;
use crate::event::Event;
use crate::ids::ExternalId;
use crate::limits::MAX_FUTURE_SKEW_MICROS;
use crate::points::Points;
use crate::program::{Program, Rounding};
use crate::rejection::Rejection;
use crate::state::{Member, MemberState};
use crate::time::Timestamp;
use rust_decimal::{Decimal, RoundingStrategy};

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
    match event {
        Event::Enrol(e) => enrol::decide(state, e),
        Event::Purchase(p) => purchase::decide(program, state, p),
        Event::Return(r) => returns::decide(program, state, r),
        Event::Redeem(r) => redeem::decide(program, state, r),
        Event::Adjust(a) => adjust::decide(state, a),
    }
}

fn existing_member<'s>(state: &'s MemberState, external_id: &ExternalId) -> Result<&'s Member, Rejection> {
    state.member.as_ref().ok_or_else(|| Rejection::MemberNotFound { external_id: external_id.to_string() })
}

/// Rounds an order's decimal points to whole points, once, as the program says.
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
