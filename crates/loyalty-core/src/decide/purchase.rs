use super::{add, existing_member, round, sub};
use crate::decision::{Calculation, Decision, MemberChange, OrderChange, PurchaseCalc};
use crate::earning::Tally;
use crate::event::Purchase;
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount, ProgramAccount};
use crate::lots::{LotChange, NewLot};
use crate::program::Program;
use crate::rejection::Rejection;
use crate::state::{Balance, MemberState, OrderLineRecord};
use rust_decimal::Decimal;

pub(super) fn decide(program: &Program, state: &MemberState, p: &Purchase) -> Result<Decision, Rejection> {
    // An order id already recorded is a repeat, whoever it names: idempotency is judged
    // before lookups, as the store does.
    if state.order.is_some() {
        return Err(Rejection::OrderAlreadyRecorded { order_id: p.order_id.to_string() });
    }
    let member = existing_member(state, &p.member)?;

    let mut tally = Tally::new(p.lines.len());
    for (index, rule) in program.rules().iter().enumerate() {
        tally.begin_rule(index, rule.stage());
        rule.evaluate(&p.lines, &mut tally);
    }
    let (awards, line_points) = tally.into_parts();
    let subtotal = line_points
        .iter()
        .try_fold(Decimal::ZERO, |acc, p| acc.checked_add(*p))
        .ok_or(Rejection::PointsOverflow)?;
    let points = round(program.rounding(), subtotal)?;

    // Debt left by an earlier return is repaid before the new points become spendable.
    let debt_repaid = points.min(member.debt);
    let mut entries = Vec::with_capacity(1);
    let mut lots = Vec::with_capacity(1);
    if let Some(entry) = EntryDraft::transfer(
        EntryKind::Purchase,
        Account::Program(ProgramAccount::Issued),
        Account::Member(MemberAccount::Available),
        points,
    ) {
        entries.push(entry);
        lots.push(LotChange::Open(NewLot {
            amount: points,
            remaining: sub(points, debt_repaid)?,
            earned_at: p.occurred_at,
            expires_at: None,
            order_id: Some(p.order_id.clone()),
        }));
    }

    let lines = p
        .lines
        .iter()
        .zip(&line_points)
        .map(|(line, points)| OrderLineRecord {
            sku: line.sku.clone(),
            quantity: line.quantity.get(),
            returned: 0,
            points: points.normalize(),
        })
        .collect();

    Ok(Decision {
        member: MemberChange::Balance {
            member: member.id,
            balance: Balance { available: add(member.balance.available, points)?, ..member.balance },
            debt: sub(member.debt, debt_repaid)?,
        },
        entries,
        lots,
        order: Some(OrderChange::Record { order_id: p.order_id.clone(), awarded: points, lines }),
        reward: None,
        calculation: Calculation::Purchase(PurchaseCalc {
            awards,
            line_points,
            subtotal,
            points,
            debt_repaid,
        }),
    })
}
