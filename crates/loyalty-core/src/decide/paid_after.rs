//! A payment in points captured after its order was bought: the order earned on the whole
//! basket, so the points its paid share earned are taken back, as a partial return would.

use super::returns::take_back;
use crate::decision::{Decision, HistoryNote, HistoryTopic, OrderChange};
use crate::money::{MinorUnits, spread};
use crate::program::Program;
use crate::rejection::Rejection;
use crate::state::{Balance, Member, MemberState, OrderLineRecord, OrderRecord};
use rust_decimal::Decimal;

/// Scales each line of `order` down by its share of `paid`, takes back what the order no
/// longer earns, and adds that to `decision`. Returns the member's balance and debt after.
pub(super) fn take_back_paid_share(
    program: &Program,
    state: &MemberState,
    member: &Member,
    order: &OrderRecord,
    paid: i64,
    decision: &mut Decision,
) -> Result<(Balance, crate::points::Points), Rejection> {
    let gross: Vec<MinorUnits> = order
        .lines
        .iter()
        .map(|l| MinorUnits::new(i64::from(l.quantity).saturating_mul(l.unit_price_minor)))
        .collect();
    let shares = spread(MinorUnits::new(paid), &gross);
    let lines: Vec<OrderLineRecord> = order
        .lines
        .iter()
        .zip(gross.iter().zip(&shares))
        .map(|(line, (gross, share))| paid_share_removed(line, gross.get(), share.get()))
        .collect();
    let back = take_back(program, state, member, order, &lines)?;
    let amount_minor = lines.iter().map(OrderLineRecord::kept_spend_minor).fold(0i64, i64::saturating_add);
    decision.entries.extend(back.entry);
    decision.lots.extend(back.draws);
    decision.order = Some(OrderChange::Update {
        order_id: order.order_id.clone(),
        awarded: back.held_after,
        amount_minor,
        lines,
        bonuses: back.bonuses.bonuses,
    });
    decision.counters.extend(back.bonuses.counters);
    decision.notes.extend(back.bonuses.notes);
    if decision.reward.is_none() {
        decision.reward = back.bonuses.reward;
    }
    let currency = program.currency();
    let name = program.points_name();
    decision.notes.push(HistoryNote {
        topic: HistoryTopic::Hold,
        from: None,
        to: None,
        reason: format!(
            "order {} was paid {} {currency} with {name} after it earned: the {} {name} that share earned are taken back",
            order.order_id,
            currency.format(MinorUnits::new(paid)),
            back.reversed
        ),
    });
    Ok((back.balance, back.debt))
}

/// A line whose `share` of its price (`gross`) was paid with points: its points shrink as
/// the money paid for it does (from what it counted, which an earlier payment may have
/// reduced already), and so does its spend. An excluded line counted and earned nothing,
/// and still does.
fn paid_share_removed(line: &OrderLineRecord, gross: i64, share: i64) -> OrderLineRecord {
    let spend = line.spend_minor.unwrap_or(gross);
    if spend <= 0 || share <= 0 {
        return line.clone();
    }
    let after = (spend - share).max(0);
    let kept = Decimal::from(after) / Decimal::from(spend);
    OrderLineRecord {
        points: line.points.checked_mul(kept).unwrap_or(line.points).normalize(),
        spend_minor: Some(after),
        ..line.clone()
    }
}
