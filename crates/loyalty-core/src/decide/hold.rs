//! Checkout holds: points reserved for an order, then captured (spent) or released.

use super::redeem::{admit, find, give_back, issue, issued_note, spend};
use super::{add, existing_member, sub};
use crate::decision::{
    Calculation, Decision, HistoryNote, HistoryTopic, HoldChange, MemberChange, RewardChange,
};
use crate::event::{HoldRequest, HoldSettlement, HoldSpend, SettleAction};
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount, ProgramAccount};
use crate::lots::LotChange;
use crate::money::MinorUnits;
use crate::points::Points;
use crate::program::{Benefit, Program};
use crate::rejection::Rejection;
use crate::spending::{HeldDraw, HeldReward, HoldRecord, HoldState};
use crate::state::MemberState;
use rust_decimal::Decimal;

const HELD: Account = Account::Member(MemberAccount::Held);
const AVAILABLE: Account = Account::Member(MemberAccount::Available);

pub(super) fn open(program: &Program, state: &MemberState, h: &HoldRequest) -> Result<Decision, Rejection> {
    let member = existing_member(state, &h.member)?;
    let (points, amount_minor, reward, counters) = match &h.spend {
        HoldSpend::Points { points } => {
            if !points.is_positive() || *points > Points::MAX_PER_EVENT {
                return Err(Rejection::InvalidRequest(format!(
                    "points: must be between 1 and {}, not {points}",
                    Points::MAX_PER_EVENT
                )));
            }
            (*points, None, None, Vec::new())
        }
        HoldSpend::Reward { reward, code } => {
            let reward = find(program, reward)?;
            if matches!(reward.benefit, Benefit::Donation { .. }) {
                return Err(Rejection::DonationNotHeld { reward: reward.code.to_string() });
            }
            let counters = admit(program, state, member, reward, h.occurred_at)?;
            let held = HeldReward { reward: reward.code.clone(), code: code.clone() };
            (reward.points_cost, None, Some(held), counters)
        }
        HoldSpend::Payment { amount, basket } => {
            (payment_points(program, *amount, *basket)?, Some(amount.get()), None, Vec::new())
        }
    };
    let (lots, mut balance) = spend(member, state, points)?;
    balance.held = add(balance.held, points)?;
    let draws = lots
        .iter()
        .filter_map(|change| match change {
            LotChange::Draw { lot, amount } => Some(HeldDraw {
                lot: *lot,
                points: *amount,
                expires_at: state.lots.iter().find(|l| l.id == *lot).and_then(|l| l.expires_at),
            }),
            _ => None,
        })
        .collect();
    let minutes = i64::from(program.redemption().hold_minutes);
    let expires_at = h.occurred_at.checked_add_micros(minutes * 60_000_000).unwrap_or(h.occurred_at);
    let record = HoldRecord {
        hold_id: h.hold_id.clone(),
        order_id: h.order_id.clone(),
        state: HoldState::Open,
        points,
        amount_minor,
        reward,
        draws,
        created_at: h.occurred_at,
        expires_at,
        refunded: Points::ZERO,
    };
    let mut decision = Decision::about_member(member, None, None, Calculation::Hold { points });
    decision.member = MemberChange::balance(member.id, balance, member.debt);
    decision.entries = EntryDraft::transfer(EntryKind::Hold, AVAILABLE, HELD, points).into_iter().collect();
    decision.lots = lots;
    decision.counters = counters;
    decision.notes =
        vec![note(None, HoldState::Open, format!("{points} points held for order {}", h.order_id))];
    decision.holds = vec![HoldChange::Open(record)];
    Ok(decision)
}

/// The points that pay `amount` of a basket, under the program's rules for paying with points.
fn payment_points(
    program: &Program,
    amount: MinorUnits,
    basket: Option<MinorUnits>,
) -> Result<Points, Rejection> {
    let rules = program.redemption();
    let value = rules.point_value.ok_or(Rejection::PayWithPointsNotOffered)?;
    if amount.get() <= 0 {
        return Err(Rejection::AmountMustBePositive { given: amount.get() });
    }
    let p = &rules.pay_with_points;
    let step = p.step.unwrap_or(1);
    let points = value.points_for(amount).filter(|points| points % step == 0).ok_or_else(|| {
        let per_step = Decimal::from(step) * Decimal::from(value.minor) / Decimal::from(value.points);
        Rejection::AmountNotPayableInPoints {
            amount_minor: amount.get(),
            step,
            points_per_step_minor: per_step.normalize().to_string(),
        }
    })?;
    if let Some(min) = p.min_points
        && points < min
    {
        return Err(Rejection::PaymentBelowMinimum { min, points });
    }
    let max = match (p.max_share, basket) {
        (Some(_), None) => return Err(Rejection::BasketRequired),
        (Some(share), Some(basket)) => {
            let max = (Decimal::from(basket.get()) * share).floor();
            Some((basket, i64::try_from(max).unwrap_or(basket.get())))
        }
        (None, Some(basket)) => Some((basket, basket.get())),
        (None, None) => None,
    };
    if let Some((basket, max)) = max
        && amount.get() > max
    {
        return Err(Rejection::PaymentExceedsShare {
            amount_minor: amount.get(),
            basket_minor: basket.get(),
            max_minor: max,
        });
    }
    if points > Points::MAX_PER_EVENT.get() {
        return Err(Rejection::PointsOverflow);
    }
    Ok(Points::new(points))
}

pub(super) fn settle(
    program: &Program,
    state: &MemberState,
    s: &HoldSettlement,
) -> Result<Decision, Rejection> {
    let member = existing_member(state, &s.member)?;
    let hold = state
        .holds
        .iter()
        .find(|h| h.hold_id == s.hold_id)
        .ok_or_else(|| Rejection::HoldNotFound { hold_id: s.hold_id.to_string() })?;
    if hold.state != HoldState::Open {
        return Err(Rejection::HoldNotOpen { hold_id: s.hold_id.to_string(), state: hold.state.as_str() });
    }
    let at = s.occurred_at;
    let mut debt = member.debt;
    let mut balance = member.balance;
    balance.held = sub(balance.held, hold.points)?;
    let mut decision = Decision::about_member(member, None, None, Calculation::Hold { points: hold.points });
    let mut after = hold.clone();
    match s.action {
        SettleAction::Capture => {
            if at >= hold.expires_at {
                return Err(Rejection::HoldExpired {
                    hold_id: s.hold_id.to_string(),
                    expires_at: hold.expires_at,
                });
            }
            after.state = HoldState::Captured;
            let to = Account::Program(ProgramAccount::Redeemed);
            decision.entries =
                EntryDraft::transfer(EntryKind::Redemption, HELD, to, hold.points).into_iter().collect();
            if let Some(held) = &hold.reward {
                let reward = find(program, &held.reward)?;
                // The reward was taken, its stock and the member's limit counted, when the
                // hold opened: the code dates from then, so that giving it back returns
                // the count of that period.
                let instance = issue(program, reward, held.code.clone(), hold.points, hold.created_at);
                decision.notes.push(issued_note(&instance, reward));
                decision.reward = Some(RewardChange::Issue(instance));
            }
            decision.notes.push(note(
                Some(HoldState::Open),
                HoldState::Captured,
                format!("{} points spent on order {}", hold.points, hold.order_id),
            ));
            if let Some(paid) = hold.amount_minor
                && !program.redemption().earn_on_points_payment
                && let Some(order) = state.order.as_ref().filter(|o| o.member_id == member.id)
            {
                let held = balance.held;
                (balance, debt) = super::paid_after::take_back_paid_share(
                    program,
                    state,
                    member,
                    order,
                    paid,
                    &mut decision,
                )?;
                balance.held = held;
            }
        }
        SettleAction::Release | SettleAction::Expire => {
            if s.action == SettleAction::Expire && at < hold.expires_at {
                return Err(Rejection::NothingDue {
                    external_id: member.external_id.to_string(),
                    what: "hold expiry",
                    at,
                });
            }
            after.state =
                if s.action == SettleAction::Expire { HoldState::Expired } else { HoldState::Released };
            // Points go back to the lots they came from, keeping their expiry; those of
            // lots that expired meanwhile expire now.
            let (mut restored, mut lapsed) = (Points::ZERO, Points::ZERO);
            for draw in &hold.draws {
                if draw.expires_at.is_some_and(|e| e <= at) {
                    lapsed = add(lapsed, draw.points)?;
                } else {
                    restored = add(restored, draw.points)?;
                    decision.lots.push(LotChange::Restore { lot: draw.lot, amount: draw.points });
                }
            }
            balance.available = add(balance.available, restored)?;
            decision.entries = [
                EntryDraft::transfer(EntryKind::HoldRelease, HELD, AVAILABLE, restored),
                EntryDraft::transfer(
                    EntryKind::Expiry,
                    HELD,
                    Account::Program(ProgramAccount::Expired),
                    lapsed,
                ),
            ]
            .into_iter()
            .flatten()
            .collect();
            if let Some(held) = &hold.reward {
                decision.counters = give_back(program, &held.reward, hold.created_at, true);
            }
            let why = if s.action == SettleAction::Expire { "ran out" } else { "was released" };
            decision.notes.push(note(
                Some(HoldState::Open),
                after.state,
                format!("the hold of {} points for order {} {why}", hold.points, hold.order_id),
            ));
        }
    }
    decision.member = MemberChange::balance(member.id, balance, debt);
    decision.holds = vec![HoldChange::Update(after)];
    Ok(decision)
}

fn note(from: Option<HoldState>, to: HoldState, reason: String) -> HistoryNote {
    HistoryNote {
        topic: HistoryTopic::Hold,
        from: from.map(|s| s.as_str().to_owned()),
        to: Some(to.as_str().to_owned()),
        reason,
    }
}
