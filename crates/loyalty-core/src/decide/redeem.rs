//! Redeeming a reward of the catalogue: the checks every way of taking a reward shares
//! (window, tier, stock, the member's limit), and the code it issues.

use super::{existing_member, sub};
use crate::decision::{Calculation, Decision, HistoryNote, HistoryTopic, MemberChange, RewardChange};
use crate::event::{Event, HoldSpend, Redemption};
use crate::ids::{InstanceCode, RewardCode};
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount, ProgramAccount};
use crate::lots::{self, LotChange};
use crate::needs::{Counter, Needs, Scope};
use crate::points::Points;
use crate::program::{Benefit, Program, Reward};
use crate::rejection::Rejection;
use crate::spending::{InstanceState, RewardInstance};
use crate::state::{Balance, Member, MemberState};
use crate::time::Timestamp;

pub(super) fn decide(program: &Program, state: &MemberState, r: &Redemption) -> Result<Decision, Rejection> {
    let member = existing_member(state, &r.member)?;
    let reward = find(program, &r.reward)?;
    let counters = admit(program, state, member, reward, r.occurred_at)?;
    let cost = reward.points_cost;
    let (draws, balance) = spend(member, state, cost)?;
    let (kind, to) = match reward.benefit {
        Benefit::Donation { .. } => (EntryKind::Donation, ProgramAccount::Donated),
        _ => (EntryKind::Redemption, ProgramAccount::Redeemed),
    };
    let entry =
        EntryDraft::transfer(kind, Account::Member(MemberAccount::Available), Account::Program(to), cost);
    let instance = issue(program, reward, r.code.clone(), cost, r.occurred_at);
    let note = issued_note(&instance, reward);
    let mut decision = Decision::about_member(member, None, None, Calculation::Redemption);
    decision.member = MemberChange::balance(member.id, balance, member.debt);
    decision.entries = entry.into_iter().collect();
    decision.lots = draws;
    decision.reward = Some(RewardChange::Issue(instance));
    decision.notes = vec![note];
    decision.counters = counters;
    Ok(decision)
}

/// The counters a redemption (or a hold of a reward) reads: the reward's stock and the
/// member's count in the current period of its limit.
pub(super) fn needs(program: &Program, event: &Event, needs: &mut Needs) {
    let (code, at) = match event {
        Event::Redeem(r) => (&r.reward, r.occurred_at),
        Event::Hold(h) => match &h.spend {
            HoldSpend::Reward { reward, .. } => (reward, h.occurred_at),
            _ => return,
        },
        _ => return,
    };
    let Some(reward) = program.reward(code) else { return };
    for (counter, _) in counters(program, reward, at) {
        needs.counter(counter);
    }
}

pub(super) fn find<'p>(program: &'p Program, code: &RewardCode) -> Result<&'p Reward, Rejection> {
    program.reward(code).ok_or_else(|| Rejection::RewardNotFound { reward: code.to_string() })
}

/// The counters that taking `reward` at `at` adds one to.
fn counters(program: &Program, reward: &Reward, at: Timestamp) -> Vec<(Counter, i64)> {
    let mut counters = Vec::with_capacity(2);
    if reward.stock.is_some() {
        counters.push((Counter::program(reward.stock_key()), 1));
    }
    if let Some(limit) = reward.limit {
        counters.push((Counter::member(reward.limit_key(limit, program.calendar().local(at))), 1));
    }
    counters
}

/// What giving back a reward taken at `taken_at` subtracts: its stock always, the
/// member's count in that period when `limit` (an expired code still counts as taken).
pub(super) fn give_back(
    program: &Program,
    code: &RewardCode,
    taken_at: Timestamp,
    limit: bool,
) -> Vec<(Counter, i64)> {
    let Some(reward) = program.reward(code) else { return Vec::new() };
    counters(program, reward, taken_at)
        .into_iter()
        .filter(|(c, _)| limit || c.scope == Scope::Program)
        .map(|(c, n)| (c, -n))
        .collect()
}

/// Whether `member` may take `reward` at `at`; the counters it moves if so.
pub(super) fn admit(
    program: &Program,
    state: &MemberState,
    member: &Member,
    reward: &Reward,
    at: Timestamp,
) -> Result<Vec<(Counter, i64)>, Rejection> {
    let counters = counters(program, reward, at);
    let taken = |scope: Scope| {
        counters.iter().find(|(c, _)| c.scope == scope).map_or(0, |(c, _)| state.aggregates.counter(c))
    };
    let tier = super::tier_at(program.tiers(), member, at);
    match reward.refusal(at, tier, taken(Scope::Program), taken(Scope::Member)) {
        Some(refused) => Err(refused),
        None => Ok(counters),
    }
}

/// Takes `cost` points from the member's spendable lots, first to expire first.
pub(super) fn spend(
    member: &Member,
    state: &MemberState,
    cost: Points,
) -> Result<(Vec<LotChange>, Balance), Rejection> {
    let insufficient =
        || Rejection::InsufficientPoints { available: member.balance.available, required: cost };
    if member.balance.available < cost {
        return Err(insufficient());
    }
    let (draws, drawn) = lots::draw(&state.lots, cost, None);
    if drawn < cost {
        return Err(insufficient());
    }
    Ok((draws, Balance { available: sub(member.balance.available, cost)?, ..member.balance }))
}

/// The code a redemption issues. A donation is given at once, so its receipt is born used.
pub(super) fn issue(
    program: &Program,
    reward: &Reward,
    code: InstanceCode,
    points: Points,
    at: Timestamp,
) -> RewardInstance {
    let (state, charity, value) = match &reward.benefit {
        Benefit::Donation { charity } => (InstanceState::Used, Some(charity.clone()), None),
        Benefit::GiftCard { value } => (InstanceState::Issued, None, Some(value.get())),
        _ => (InstanceState::Issued, None, None),
    };
    RewardInstance {
        code,
        reward: reward.code.clone(),
        kind: reward.benefit.kind(),
        state,
        points,
        issued_at: at,
        expires_at: match reward.benefit {
            Benefit::Donation { .. } => None,
            _ => reward.code_valid_days.and_then(|days| program.calendar().add_days(at, days)),
        },
        order_id: None,
        value_minor: value,
        balance_minor: value,
        charity,
        achievement: None,
    }
}

pub(super) fn issued_note(instance: &RewardInstance, reward: &Reward) -> HistoryNote {
    let reason = match &instance.charity {
        Some(charity) => format!("{} points given to {charity} ({})", instance.points, reward.name),
        None => format!("{} issued for {} points as {}", reward.name, instance.points, instance.code),
    };
    HistoryNote {
        topic: HistoryTopic::Reward,
        from: None,
        to: Some(instance.state.as_str().to_owned()),
        reason,
    }
}
