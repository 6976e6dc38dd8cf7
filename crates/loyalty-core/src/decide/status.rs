//! An account's life: suspension for a fraud review, closure at the member's request or
//! for inactivity (forfeiting its points to the `expired` account), and reinstatement
//! within the program's window with exactly the points the closure took.

use super::{add, existing_member, sub};
use crate::decision::{Calculation, Decision, HistoryTopic, MemberChange, StandingChange};
use crate::event::{DueTick, StatusAction, StatusChange};
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount, Posting, ProgramAccount};
use crate::lots::{LotChange, NewLot};
use crate::points::Points;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::state::{Balance, Closure, ForfeitedLot, Member, MemberState, MemberStatus, SubscriptionStatus};
use crate::time::Timestamp;

pub(super) fn decide(
    program: &Program,
    state: &MemberState,
    s: &StatusChange,
) -> Result<Decision, Rejection> {
    let member = existing_member(state, &s.member)?;
    let unchanged = || Rejection::StatusUnchanged {
        external_id: member.external_id.to_string(),
        action: s.action.as_str(),
        status: member.status.as_str(),
    };
    let reason = s.reason.as_ref().map_or_else(|| s.action.as_str().to_owned(), ToString::to_string);
    match s.action {
        StatusAction::Suspend | StatusAction::Resume => {
            let (from, to) = match s.action {
                StatusAction::Suspend => (MemberStatus::Active, MemberStatus::Suspended),
                _ => (MemberStatus::Suspended, MemberStatus::Active),
            };
            if member.status != from {
                return Err(unchanged());
            }
            let mut change = StandingChange::of(member);
            change.status = to;
            change.note(HistoryTopic::Status, Some(from.as_str().into()), Some(to.as_str().into()), reason);
            Ok(Decision::about_standing(member, change, Calculation::Status { points: Points::ZERO }))
        }
        StatusAction::Close if member.status.is_closed() => Err(unchanged()),
        StatusAction::Close => close(state, member, MemberStatus::ClosedByRequest, s.occurred_at, reason),
        StatusAction::Reinstate => reinstate(program, member, s.occurred_at, reason),
    }
}

/// The inactivity job: `tick.due` is when the member's last activity is `inactivity_months`
/// old; a member active since has a later due date, and this tick finds nothing.
pub(super) fn close_inactive(
    program: &Program,
    state: &MemberState,
    tick: &DueTick,
) -> Result<Decision, Rejection> {
    let member = existing_member(state, &tick.member)?;
    let months = program.lifecycle().inactivity_months;
    let due = (months > 0).then(|| program.calendar().add_months(member.last_activity_at, months)).flatten();
    if member.status.is_closed() || due != Some(tick.due) || tick.occurred_at < tick.due {
        return Err(Rejection::NothingDue {
            external_id: member.external_id.to_string(),
            what: "inactivity closure",
            at: tick.occurred_at,
        });
    }
    let reason = format!("no activity since {}", member.last_activity_at);
    close(state, member, MemberStatus::ClosedInactive, tick.occurred_at, reason)
}

/// Closes the account: every open lot's unspent points go to `program:expired`, and the
/// closure remembers them. Debt stays owed. A paid tier is cancelled; its period runs out.
fn close(
    state: &MemberState,
    member: &Member,
    status: MemberStatus,
    at: Timestamp,
    reason: String,
) -> Result<Decision, Rejection> {
    if member.balance.held.is_positive() {
        return Err(Rejection::MemberHasOpenHolds { external_id: member.external_id.to_string() });
    }
    let mut by_account = [Points::ZERO; 3];
    let mut lots = Vec::new();
    let mut forfeited = Vec::new();
    let mut open: Vec<_> = state.lots.iter().filter(|l| l.remaining.is_positive()).collect();
    open.sort_by_key(|l| (l.earned_at, l.id));
    for lot in open {
        let slot = &mut by_account[account_index(lot.account())];
        *slot = add(*slot, lot.remaining)?;
        lots.push(LotChange::Draw { lot: lot.id, amount: lot.remaining });
        forfeited.push(ForfeitedLot {
            points: lot.remaining,
            earned_at: lot.earned_at,
            expires_at: lot.expires_at,
            source: lot.source,
            order_id: lot.order_id.clone(),
            in_review: lot.in_review,
            pending_until: lot.pending_until,
        });
    }
    let (total, postings) = between_expired(by_account, false)?;
    let balance = Balance {
        available: sub(member.balance.available, by_account[0])?,
        pending: sub(member.balance.pending, by_account[1])?,
        pending_review: sub(member.balance.pending_review, by_account[2])?,
        held: member.balance.held,
    };
    let mut change = StandingChange::of(member);
    change.status = status;
    change.note(
        HistoryTopic::Status,
        Some(member.status.as_str().into()),
        Some(status.as_str().into()),
        reason,
    );
    if change.tier.is_some() {
        change.note(
            HistoryTopic::Tier,
            change.tier.as_ref().map(ToString::to_string),
            None,
            "account closed".into(),
        );
    }
    change.tier = None;
    change.standing.tier_review_at = None;
    if let Some(sub) =
        change.standing.subscription.as_mut().filter(|s| s.status != SubscriptionStatus::Cancelled)
    {
        sub.status = SubscriptionStatus::Cancelled;
        change.note(
            HistoryTopic::Subscription,
            Some(SubscriptionStatus::Active.as_str().into()),
            Some(SubscriptionStatus::Cancelled.as_str().into()),
            "account closed".into(),
        );
    }
    change.standing.closure = Some(Closure { closed_at: at, forfeited });
    Ok(Decision {
        member: MemberChange::balance(member.id, balance, member.debt),
        entries: EntryDraft::balanced(EntryKind::Forfeit, postings).into_iter().collect(),
        lots,
        order: None,
        reward: None,
        holds: Vec::new(),
        notes: Vec::new(),
        counters: Vec::new(),
        referrer: None,
        standing: Some(Box::new(change)),
        last_activity_at: None,
        engagement: Vec::new(),
        calculation: Calculation::Status { points: total },
    })
}

const ACCOUNTS: [MemberAccount; 3] =
    [MemberAccount::Available, MemberAccount::Pending, MemberAccount::Review];

/// The postings that move `by_account` (available, pending, review) between the member
/// and `program:expired`, the giving side first, and their total.
fn between_expired(by_account: [Points; 3], to_member: bool) -> Result<(Points, Vec<Posting>), Rejection> {
    let total = by_account
        .iter()
        .try_fold(Points::ZERO, |acc, p| acc.checked_add(*p))
        .ok_or(Rejection::PointsOverflow)?;
    let negative = |p: Points| p.checked_neg().ok_or(Rejection::PointsOverflow);
    let expired = Posting {
        account: Account::Program(ProgramAccount::Expired),
        amount: if to_member { negative(total)? } else { total },
    };
    let mut postings = Vec::with_capacity(4);
    for (account, amount) in ACCOUNTS.into_iter().zip(by_account).filter(|(_, a)| a.is_positive()) {
        let amount = if to_member { amount } else { negative(amount)? };
        postings.push(Posting { account: Account::Member(account), amount });
    }
    if total.is_positive() {
        let at = if to_member { 0 } else { postings.len() };
        postings.insert(at, expired);
    }
    Ok((total, postings))
}

fn account_index(account: MemberAccount) -> usize {
    match account {
        MemberAccount::Available | MemberAccount::Held => 0,
        MemberAccount::Pending => 1,
        MemberAccount::Review => 2,
    }
}

/// Reopens a closed account within the window: each forfeited lot comes back as a new lot
/// with the dates it had, so points that would have expired since expire at the next run.
fn reinstate(
    program: &Program,
    member: &Member,
    at: Timestamp,
    reason: String,
) -> Result<Decision, Rejection> {
    let external_id = member.external_id.to_string();
    let closure = match (&member.standing.closure, member.status.is_closed()) {
        (Some(closure), true) => closure,
        _ => return Err(Rejection::MemberNotClosed { external_id }),
    };
    let months = program.lifecycle().reinstatement_months;
    let until = program.calendar().add_months(closure.closed_at, months).unwrap_or(closure.closed_at);
    if at > until {
        return Err(Rejection::ReinstatementWindowPassed { external_id, until });
    }
    let mut by_account = [Points::ZERO; 3];
    let mut lots = Vec::with_capacity(closure.forfeited.len());
    for f in &closure.forfeited {
        let lot = NewLot {
            amount: f.points,
            remaining: f.points,
            earned_at: f.earned_at,
            expires_at: f.expires_at,
            order_id: f.order_id.clone(),
            source: f.source,
            in_review: f.in_review,
            pending_until: f.pending_until,
        };
        let slot = &mut by_account[account_index(MemberAccount::holding(f.in_review, f.pending_until))];
        *slot = add(*slot, f.points)?;
        lots.push(LotChange::Open(lot));
    }
    let (total, postings) = between_expired(by_account, true)?;
    let balance = Balance {
        available: add(member.balance.available, by_account[0])?,
        pending: add(member.balance.pending, by_account[1])?,
        pending_review: add(member.balance.pending_review, by_account[2])?,
        held: member.balance.held,
    };
    let mut change = StandingChange::of(member);
    change.status = MemberStatus::Active;
    change.note(
        HistoryTopic::Status,
        Some(member.status.as_str().into()),
        Some(MemberStatus::Active.as_str().into()),
        reason,
    );
    change.standing.closure = None;
    Ok(Decision {
        member: MemberChange::balance(member.id, balance, member.debt),
        entries: EntryDraft::balanced(EntryKind::Reinstatement, postings).into_iter().collect(),
        lots,
        order: None,
        reward: None,
        holds: Vec::new(),
        notes: Vec::new(),
        counters: Vec::new(),
        referrer: None,
        standing: Some(Box::new(change)),
        // Reinstated is a fresh start: the inactivity clock starts again.
        last_activity_at: Some(at),
        engagement: Vec::new(),
        calculation: Calculation::Status { points: total },
    })
}
