use super::{existing_member, sub};
use crate::decision::{Calculation, Decision, IssuedReward, MemberChange};
use crate::event::Redemption;
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount, ProgramAccount};
use crate::lots;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::state::{Balance, MemberState};

pub(super) fn decide(program: &Program, state: &MemberState, r: &Redemption) -> Result<Decision, Rejection> {
    let member = existing_member(state, &r.member)?;
    let reward = program
        .reward(&r.reward)
        .ok_or_else(|| Rejection::RewardNotFound { reward: r.reward.to_string() })?;
    if !reward.tiers.is_empty()
        && super::tier_at(program.tiers(), member, r.occurred_at).is_none_or(|t| !reward.tiers.contains(t))
    {
        let tiers: Vec<&str> = reward.tiers.iter().map(|t| t.as_str()).collect();
        return Err(Rejection::TierRequired { reward: reward.code.to_string(), tiers: tiers.join(", ") });
    }
    let cost = reward.points_cost;
    let insufficient =
        || Rejection::InsufficientPoints { available: member.balance.available, required: cost };
    if member.balance.available < cost {
        return Err(insufficient());
    }
    let (draws, drawn) = lots::draw(&state.lots, cost, None);
    if drawn < cost {
        return Err(insufficient());
    }
    let entry = EntryDraft::transfer(
        EntryKind::Redemption,
        Account::Member(MemberAccount::Available),
        Account::Program(ProgramAccount::Redeemed),
        cost,
    );
    Ok(Decision {
        member: MemberChange::balance(
            member.id,
            Balance { available: sub(member.balance.available, cost)?, ..member.balance },
            member.debt,
        ),
        entries: entry.into_iter().collect(),
        lots: draws,
        order: None,
        reward: Some(IssuedReward { reward: reward.code.clone(), code: r.code.clone(), points: cost }),
        counters: Vec::new(),
        referrer: None,
        standing: None,
        last_activity_at: None,
        calculation: Calculation::Redemption,
    })
}
