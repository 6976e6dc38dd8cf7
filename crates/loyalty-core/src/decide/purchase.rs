use super::earn::{Earning, earn};
use super::{existing_member, round};
use crate::decision::{Calculation, Decision, MemberChange, OrderChange, RewardChange};
use crate::earning::Occasion;
use crate::event::Purchase;
use crate::ids::{OrderId, RewardCode};
use crate::ledger::EntryKind;
use crate::money::MinorUnits;
use crate::points::Points;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::spending::HoldState;
use crate::state::{LotSource, MemberState, OrderLineRecord};
use rust_decimal::Decimal;

pub(super) fn decide(program: &Program, state: &MemberState, p: &Purchase) -> Result<Decision, Rejection> {
    // An order id already recorded is a repeat, whoever it names: idempotency is judged
    // before lookups, as the store does.
    if state.order.is_some() {
        return Err(Rejection::OrderAlreadyRecorded { order_id: p.order_id.to_string() });
    }
    let member = existing_member(state, &p.member)?;
    // Members earn on what they paid in money: a payment in points captured at the till
    // for this order comes off its lines before any rule sees them.
    let paid = points_payment(state, &p.order_id);
    let paying;
    let judged = if paid.get() > 0 && !program.redemption().earn_on_points_payment {
        paying = p.paying_with_points(paid);
        &paying
    } else {
        p
    };
    let earned = earn(Earning {
        program,
        state,
        member,
        occasion: Occasion::Purchase(judged),
        occurred_at: p.occurred_at,
        entry: EntryKind::Purchase,
        source: LotSource::Purchase,
        order_id: Some(&p.order_id),
    })?;

    let calc = &earned.calc;
    let lines = judged
        .lines
        .iter()
        .zip(&calc.line_points)
        .zip(&calc.excluded)
        .map(|((line, points), excluded)| OrderLineRecord {
            sku: line.sku.clone(),
            category: line.category.clone(),
            quantity: line.quantity.get(),
            returned: 0,
            points: points.normalize(),
            unit_price_minor: line.unit_price.get(),
            spend_minor: Some(if *excluded { 0 } else { line.paid_in_money().get() }),
        })
        .collect();
    // A return takes back what the lines earned, and the order's own bonuses are recorded
    // apart with what keeps each. Caps may have left less than the lines earned, and then
    // that is all there is to take back.
    let from_lines = round(program.rounding(), calc.line_points.iter().sum::<Decimal>())?;
    let awarded = from_lines.min(calc.points);
    let bonuses =
        super::bonuses::record(program, &earned, super::sub(calc.points, awarded)?, p.reward_code.as_ref())?;
    let reward = match (&earned.reward, &p.reward_code) {
        // A punch card's reward is given, not bought: it costs no points and takes no stock.
        (Some(reward), Some(code)) => {
            RewardCode::parse(reward.clone()).ok().and_then(|reward| program.reward(&reward)).map(|reward| {
                RewardChange::Issue(super::redeem::issue(
                    program,
                    reward,
                    code.clone(),
                    Points::ZERO,
                    p.occurred_at,
                ))
            })
        }
        // The edge makes a code for every purchase; without one the card would reset and
        // the explanation name a reward that was never issued.
        (Some(_), None) => {
            return Err(Rejection::InvalidRequest(
                "reward_code: this purchase completes a punch card and needs a code for its reward"
                    .to_owned(),
            ));
        }
        (None, _) => None,
    };

    Ok(Decision {
        member: MemberChange::balance(member.id, earned.balance, earned.debt),
        entries: earned.entries,
        lots: earned.lots,
        order: Some(OrderChange::Record {
            order_id: p.order_id.clone(),
            awarded,
            amount_minor: calc.spend_minor,
            lines,
            bonuses,
        }),
        reward,
        holds: Vec::new(),
        notes: Vec::new(),
        counters: earned.counters,
        referrer: earned.referrer,
        standing: None,
        last_activity_at: None,
        engagement: Vec::new(),
        calculation: Calculation::Purchase(earned.calc),
    })
}

/// What the order being bought was paid with points at the till, in money: its captured
/// payments (the store loads the member's captured holds of the order).
fn points_payment(state: &MemberState, order_id: &OrderId) -> MinorUnits {
    let paid = state
        .holds
        .iter()
        .filter(|h| h.state == HoldState::Captured && h.order_id == *order_id)
        .filter_map(|h| h.amount_minor)
        .fold(0i64, i64::saturating_add);
    MinorUnits::new(paid)
}
