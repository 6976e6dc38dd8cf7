use super::bonuses::{Rejudged, rejudge};
use super::{add, existing_member, round, sub};
use crate::decision::{Calculation, Decision, HoldChange, MemberChange, OrderChange, ReturnCalc};
use crate::event::Return;
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount, Posting, ProgramAccount};
use crate::lots::{self, LotChange};
use crate::points::Points;
use crate::program::{Program, SpentPointsPolicy};
use crate::rejection::Rejection;
use crate::spending::{HoldRecord, HoldState};
use crate::state::{Balance, Member, MemberState, OrderLineRecord, OrderRecord};
use rust_decimal::Decimal;

/// A return takes back what the order would not have earned without the returned units:
/// the order's points are recomputed from the lines it keeps (each line's points scaled
/// by the share of its units kept, rounded once as at purchase) and the difference is
/// reversed. Bonuses the order earned as a whole (a threshold, a punch card's stamp, a
/// campaign's fixed bonus, a referee's bonus) are re-judged on what it keeps, and those it
/// no longer earns are reversed with it; the referrer keeps their share.
pub(super) fn decide(program: &Program, state: &MemberState, r: &Return) -> Result<Decision, Rejection> {
    let member = existing_member(state, &r.member)?;
    let order =
        state.order.as_ref().ok_or_else(|| Rejection::OrderNotFound { order_id: r.order_id.to_string() })?;
    if order.member_id != member.id {
        return Err(Rejection::OrderBelongsToAnotherMember { order_id: r.order_id.to_string() });
    }

    let mut lines = order.lines.clone();
    for wanted in &r.lines {
        take_back_units(&mut lines, wanted.sku.as_str(), wanted.quantity.get(), r.order_id.as_str())?;
    }

    let amount_minor = lines.iter().map(OrderLineRecord::kept_spend_minor).fold(0i64, i64::saturating_add);
    let back = take_back(program, state, member, order, &lines)?;
    let (held_after, reversed, shortfall, debt) = (back.held_after, back.reversed, back.shortfall, back.debt);
    let subtotal_after = back.subtotal_after;
    let policy = program.spent_points_policy();

    let refunds = refunds(state, &lines)?;
    let refunded = refunds.iter().try_fold(Points::ZERO, |sum, (_, p)| sum.checked_add(*p));
    let refunded = refunded.ok_or(Rejection::PointsOverflow)?;

    let mut decision = Decision {
        member: MemberChange::balance(member.id, back.balance, debt),
        entries: back.entry.into_iter().collect(),
        lots: back.draws,
        order: Some(OrderChange::Update {
            order_id: order.order_id.clone(),
            awarded: held_after,
            amount_minor,
            lines,
            bonuses: back.bonuses.bonuses,
        }),
        reward: back.bonuses.reward,
        holds: Vec::new(),
        notes: back.bonuses.notes,
        counters: back.bonuses.counters,
        referrer: None,
        standing: None,
        last_activity_at: None,
        engagement: Vec::new(),
        calculation: Calculation::Return(ReturnCalc {
            held_before: order.awarded,
            subtotal_after,
            held_after,
            reversed,
            shortfall,
            policy,
            refunded,
            bonuses_lost: back.bonuses.lost,
        }),
    };
    if refunded.is_positive() {
        super::code::refund_lot(program, member, refunded, r.occurred_at, &mut decision)?;
        decision.member = MemberChange::balance(member.id, decision.balance_after(), debt);
        for (hold, points) in refunds {
            let mut after = hold.clone();
            after.refunded = Points::new(after.refunded.get() + points.get());
            decision.holds.push(HoldChange::Update(after));
        }
    }
    Ok(decision)
}

/// What taking back the points an order's lines no longer earn does: `lines` are the
/// order's lines after the change (units returned, or points scaled down), and the order's
/// points become what they earn, rounded once as at purchase.
pub(super) struct TakeBack {
    pub subtotal_after: Decimal,
    pub held_after: Points,
    pub reversed: Points,
    pub shortfall: Points,
    pub balance: Balance,
    pub debt: Points,
    pub entry: Option<EntryDraft>,
    pub draws: Vec<LotChange>,
    /// The order's bonuses re-judged: those it lost are in `reversed` too.
    pub bonuses: Rejudged,
}

pub(super) fn take_back(
    program: &Program,
    state: &MemberState,
    member: &Member,
    order: &OrderRecord,
    lines: &[OrderLineRecord],
) -> Result<TakeBack, Rejection> {
    let subtotal_after = lines.iter().try_fold(Decimal::ZERO, |acc, l| acc.checked_add(l.kept_points()));
    let subtotal_after = subtotal_after.ok_or(Rejection::PointsOverflow)?;
    let held_after = round(program.rounding(), subtotal_after)?.min(order.awarded);
    let bonuses = rejudge(state, &order.bonuses, lines)?;
    let reversed = add(sub(order.awarded, held_after)?, bonuses.points)?;

    let (draws, drawn) = lots::draw(&state.lots, reversed, Some(&order.order_id));
    let shortfall = sub(reversed, drawn)?;
    // Points still held for review come back from review, points still pending from
    // pending (the balance is untouched), the rest from the balance.
    let drawn_from = |account: MemberAccount| {
        draws
            .iter()
            .filter_map(|d| match d {
                LotChange::Draw { lot, amount }
                    if state.lots.iter().any(|l| l.id == *lot && l.account() == account) =>
                {
                    Some(*amount)
                }
                _ => None,
            })
            .try_fold(Points::ZERO, Points::checked_add)
            .ok_or(Rejection::PointsOverflow)
    };
    let from_review = drawn_from(MemberAccount::Review)?;
    let from_pending = drawn_from(MemberAccount::Pending)?;
    let from_available = sub(sub(drawn, from_review)?, from_pending)?;
    let policy = program.spent_points_policy();
    let (from_balance, lost, debt) = match policy {
        SpentPointsPolicy::NegativeBalance => {
            (add(from_available, shortfall)?, Points::ZERO, add(member.debt, shortfall)?)
        }
        SpentPointsPolicy::Clamp => (from_available, shortfall, member.debt),
    };
    let mut postings = Vec::with_capacity(4);
    for (account, amount) in [
        (Account::Member(MemberAccount::Available), from_balance.checked_neg()),
        (Account::Member(MemberAccount::Review), from_review.checked_neg()),
        (Account::Member(MemberAccount::Pending), from_pending.checked_neg()),
        (Account::Program(ProgramAccount::Issued), Some(reversed)),
        (Account::Program(ProgramAccount::ReturnLoss), lost.checked_neg()),
    ] {
        let amount = amount.ok_or(Rejection::PointsOverflow)?;
        if !amount.is_zero() {
            postings.push(Posting { account, amount });
        }
    }
    let balance = Balance {
        available: sub(member.balance.available, from_balance)?,
        pending: sub(member.balance.pending, from_pending)?,
        pending_review: sub(member.balance.pending_review, from_review)?,
        held: member.balance.held,
    };

    Ok(TakeBack {
        subtotal_after,
        held_after,
        reversed,
        shortfall,
        balance,
        debt,
        entry: EntryDraft::balanced(EntryKind::Return, postings),
        draws,
        bonuses,
    })
}

/// What the order paid with points at the till, given back in proportion to the money
/// value returned so far, less what earlier returns gave back: per captured payment.
fn refunds<'s>(
    state: &'s MemberState,
    lines: &[OrderLineRecord],
) -> Result<Vec<(&'s HoldRecord, Points)>, Rejection> {
    let value = |units: fn(&OrderLineRecord) -> u32| {
        lines.iter().map(|l| i128::from(units(l)) * i128::from(l.unit_price_minor)).sum::<i128>()
    };
    let (total, returned) = (value(|l| l.quantity), value(|l| l.returned));
    let mut refunds = Vec::new();
    if total <= 0 {
        return Ok(refunds);
    }
    for hold in state.holds.iter().filter(|h| h.state == HoldState::Captured && h.amount_minor.is_some()) {
        let due = i128::from(hold.points.get()) * returned / total;
        let owed = i64::try_from(due).map_err(|_| Rejection::PointsOverflow)? - hold.refunded.get();
        if owed > 0 {
            refunds.push((hold, Points::new(owed)));
        }
    }
    Ok(refunds)
}

/// Marks `quantity` units of `sku` returned, spread over the order's lines of that sku in
/// order, or refuses if fewer are left to return.
fn take_back_units(
    lines: &mut [OrderLineRecord],
    sku: &str,
    quantity: u32,
    order_id: &str,
) -> Result<(), Rejection> {
    let (bought, returned) = lines
        .iter()
        .filter(|l| l.sku.as_str() == sku)
        .fold((0u64, 0u64), |(b, r), l| (b + u64::from(l.quantity), r + u64::from(l.returned)));
    if u64::from(quantity) > bought - returned {
        return Err(Rejection::ReturnExceedsPurchase {
            order_id: order_id.to_owned(),
            sku: sku.to_owned(),
            bought,
            returned,
            requested: u64::from(quantity),
        });
    }
    let mut left = quantity;
    for line in lines.iter_mut().filter(|l| l.sku.as_str() == sku) {
        let take = left.min(line.quantity - line.returned);
        line.returned += take;
        left -= take;
    }
    Ok(())
}
