//! What happens to an issued reward code: the till uses it (or draws on a gift card),
//! the member gives it back, or its validity runs out.

use super::redeem::give_back;
use super::{add, existing_member};
use crate::decision::{Calculation, Decision, HistoryNote, HistoryTopic, MemberChange, RewardChange};
use crate::event::{CodeAction, CodeUpdate};
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount, ProgramAccount};
use crate::lots::{LotChange, NewLot};
use crate::points::Points;
use crate::program::{Program, RewardKind};
use crate::rejection::Rejection;
use crate::spending::{InstanceState, RewardInstance};
use crate::state::{LotSource, Member, MemberState};
use crate::time::Timestamp;

pub(super) fn decide(program: &Program, state: &MemberState, c: &CodeUpdate) -> Result<Decision, Rejection> {
    let member = existing_member(state, &c.member)?;
    let instance = state
        .instance
        .as_ref()
        .filter(|i| i.code == c.code)
        .ok_or_else(|| Rejection::RewardCodeNotFound { code: c.code.to_string() })?;
    let at = c.occurred_at;
    let mut after = instance.clone();
    let mut refund = Points::ZERO;
    let mut counters = Vec::new();
    let reason = match &c.action {
        CodeAction::Use { order_id } => {
            usable(instance, at)?;
            if instance.kind == RewardKind::GiftCard {
                return Err(Rejection::GiftCardNeedsAmount { code: c.code.to_string() });
            }
            after.state = InstanceState::Used;
            after.order_id = Some(order_id.clone());
            format!("used on order {order_id}")
        }
        CodeAction::Draw { order_id, amount } => {
            // A gift card drawn down to nothing is `used`; a draw on it is one beyond its
            // balance, as the till asking would expect, not a code already used.
            if instance.kind == RewardKind::GiftCard
                && instance.state == InstanceState::Used
                && instance.balance_minor == Some(0)
            {
                return Err(Rejection::GiftCardInsufficientBalance {
                    code: c.code.to_string(),
                    balance_minor: 0,
                    requested_minor: amount.get(),
                });
            }
            usable(instance, at)?;
            let Some(balance) = instance.balance_minor.filter(|_| instance.kind == RewardKind::GiftCard)
            else {
                return Err(Rejection::NotAGiftCard { code: c.code.to_string() });
            };
            if amount.get() <= 0 {
                return Err(Rejection::AmountMustBePositive { given: amount.get() });
            }
            if amount.get() > balance {
                return Err(Rejection::GiftCardInsufficientBalance {
                    code: c.code.to_string(),
                    balance_minor: balance,
                    requested_minor: amount.get(),
                });
            }
            let left = balance - amount.get();
            after.balance_minor = Some(left);
            after.order_id = Some(order_id.clone());
            if left == 0 {
                after.state = InstanceState::Used;
            }
            format!("{} drawn for order {order_id}, {left} left", amount.get())
        }
        CodeAction::Cancel => {
            usable(instance, at)?;
            if instance.balance_minor != instance.value_minor {
                return Err(Rejection::GiftCardPartlyUsed { code: c.code.to_string() });
            }
            after.state = InstanceState::Cancelled;
            refund = instance.points;
            counters = taken_back(program, instance, true);
            format!("cancelled; {} points given back", instance.points)
        }
        CodeAction::Expire => {
            let due = instance.expires_at.filter(|e| *e <= at && instance.state == InstanceState::Issued);
            if due.is_none() {
                return Err(Rejection::NothingDue {
                    external_id: member.external_id.to_string(),
                    what: "reward code expiry",
                    at,
                });
            }
            after.state = InstanceState::Expired;
            counters = taken_back(program, instance, false);
            // A closed account's points were forfeited; an expiring code does not reopen it.
            if program.redemption().refund_expired_codes && !member.status.is_closed() {
                refund = unspent_share(instance);
                format!("expired unused; {refund} points given back")
            } else {
                "expired unused".to_owned()
            }
        }
    };
    let mut decision = Decision::about_member(member, None, None, Calculation::Code { refunded: refund });
    if refund.is_positive() {
        refund_lot(program, member, refund, at, &mut decision)?;
    }
    decision.counters = counters;
    decision.notes = vec![HistoryNote {
        topic: HistoryTopic::Reward,
        from: Some(instance.state.as_str().to_owned()),
        to: Some(after.state.as_str().to_owned()),
        reason: format!("{} {reason}", instance.code),
    }];
    decision.reward = Some(RewardChange::Update(after));
    Ok(decision)
}

/// What a code gives back of the reward's stock and of the member's count when it ends
/// unused: nothing for a code a punch card gave (it costs no points), which took neither.
fn taken_back(
    program: &Program,
    instance: &RewardInstance,
    limit: bool,
) -> Vec<(crate::needs::Counter, i64)> {
    if instance.points.is_positive() {
        give_back(program, &instance.reward, instance.issued_at, limit)
    } else {
        Vec::new()
    }
}

/// The points of what is left of a code: all of them, or for a gift card drawn on, the
/// share of its value still unspent (rounded down).
fn unspent_share(instance: &RewardInstance) -> Points {
    match (instance.value_minor, instance.balance_minor) {
        (Some(value), Some(left)) if value > 0 && left < value => {
            let share = i128::from(instance.points.get()) * i128::from(left) / i128::from(value);
            Points::new(i64::try_from(share).unwrap_or(0))
        }
        _ => instance.points,
    }
}

/// Refuses a code that cannot be used, drawn on or cancelled any more.
fn usable(instance: &RewardInstance, at: Timestamp) -> Result<(), Rejection> {
    let code = || instance.code.to_string();
    match instance.state {
        InstanceState::Used => Err(Rejection::RewardAlreadyUsed {
            code: code(),
            order_id: instance.order_id.as_ref().map_or_else(|| "none".to_owned(), ToString::to_string),
        }),
        InstanceState::Cancelled => Err(Rejection::RewardCancelled { code: code() }),
        InstanceState::Expired => {
            Err(Rejection::RewardExpired { code: code(), expires_at: instance.expires_at.unwrap_or(at) })
        }
        InstanceState::Issued => match instance.expires_at {
            Some(expires_at) if expires_at <= at => {
                Err(Rejection::RewardExpired { code: code(), expires_at })
            }
            _ => Ok(()),
        },
    }
}

/// Gives spent points back to the member as a new lot that expires as new points do.
pub(super) fn refund_lot(
    program: &Program,
    member: &Member,
    points: Points,
    at: Timestamp,
    decision: &mut Decision,
) -> Result<(), Rejection> {
    let mut balance = decision.balance_after();
    balance.available = add(balance.available, points)?;
    decision.member = MemberChange::balance(member.id, balance, member.debt);
    decision.entries.extend(EntryDraft::transfer(
        EntryKind::Refund,
        Account::Program(ProgramAccount::Redeemed),
        Account::Member(MemberAccount::Available),
        points,
    ));
    decision.lots.push(LotChange::Open(NewLot {
        amount: points,
        remaining: points,
        earned_at: at,
        expires_at: program.expires_at(at),
        order_id: None,
        source: LotSource::Refund,
        in_review: false,
        pending_until: None,
    }));
    Ok(())
}
