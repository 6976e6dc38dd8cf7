//! A paid tier, month to month. The merchant's billing system takes the money and tells
//! the engine: a start, each renewal, a failed payment, a cancellation. Whatever happens,
//! the tier lasts until the paid period ends.

use super::existing_member;
use crate::decision::{Calculation, Decision, HistoryTopic, StandingChange};
use crate::event::{SubscriptionAction, SubscriptionUpdate};
use crate::program::Program;
use crate::rejection::Rejection;
use crate::state::{MemberState, Subscription, SubscriptionStatus};

pub(super) fn decide(
    program: &Program,
    state: &MemberState,
    u: &SubscriptionUpdate,
) -> Result<Decision, Rejection> {
    let member = existing_member(state, &u.member)?;
    let external_id = || member.external_id.to_string();
    let calendar = program.calendar();
    let at = u.occurred_at;
    let month_after = |from| calendar.add_months(from, 1).ok_or(Rejection::PointsOverflow);
    let current = member.standing.subscription.as_ref();
    let live = current.filter(|s| s.status != SubscriptionStatus::Cancelled);
    let next = match (&u.action, live) {
        (SubscriptionAction::Start { .. }, Some(s)) if s.paid_until > at => {
            return Err(Rejection::AlreadySubscribed {
                external_id: external_id(),
                tier: s.tier.to_string(),
            });
        }
        // A cancelled or lapsed subscription starts afresh.
        (SubscriptionAction::Start { tier }, _) => {
            let level = program
                .tiers()
                .level(tier)
                .ok_or_else(|| Rejection::TierNotFound { tier: tier.to_string() })?;
            let price_minor =
                level.price_minor.ok_or_else(|| Rejection::TierNotForSale { tier: tier.to_string() })?;
            Subscription {
                tier: tier.clone(),
                status: SubscriptionStatus::Active,
                price_minor,
                started_at: at,
                paid_until: month_after(at)?,
            }
        }
        (_, None) => return Err(Rejection::NotSubscribed { external_id: external_id() }),
        (SubscriptionAction::Renew, Some(s)) => Subscription {
            status: SubscriptionStatus::Active,
            // A payment that comes after the period ran out pays from now.
            paid_until: month_after(s.paid_until.max(at))?,
            ..s.clone()
        },
        (SubscriptionAction::PaymentFailed, Some(s)) => {
            Subscription { status: SubscriptionStatus::PastDue, ..s.clone() }
        }
        (SubscriptionAction::Cancel, Some(s)) => {
            Subscription { status: SubscriptionStatus::Cancelled, ..s.clone() }
        }
    };
    let mut change = StandingChange::of(member);
    let reason = format!("{}; paid until {}", u.action.as_str(), next.paid_until);
    change.note(
        HistoryTopic::Subscription,
        current.map(|s| format!("{} {}", s.tier, s.status.as_str())),
        Some(format!("{} {}", next.tier, next.status.as_str())),
        reason,
    );
    change.standing.subscription = Some(next);
    Ok(Decision::about_standing(member, change, Calculation::Subscription))
}
