//! Bonuses an order earns as a whole (a spend threshold, a punch card's stamp, a
//! campaign's fixed bonus, a referee's bonus): recorded with the order and what it must
//! keep to keep each, and re-judged when a return or a later points payment shrinks it.

use super::earn::Earned;
use super::{round, sub};
use crate::decision::{HistoryNote, HistoryTopic, RewardChange};
use crate::earning::{Beneficiary, Target};
use crate::ids::InstanceCode;
use crate::needs::{Counter, Scope};
use crate::points::Points;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::spending::InstanceState;
use crate::state::{MemberState, OrderBonus, OrderLineRecord};
use rust_decimal::Decimal;

/// The bonuses of a purchase, sharing out `left`: the points it earned beyond its lines
/// (after rounding and caps), in the order the rules gave them.
pub(super) fn record(
    program: &Program,
    earned: &Earned,
    mut left: Points,
    reward_code: Option<&InstanceCode>,
) -> Result<Vec<OrderBonus>, Rejection> {
    let mut bonuses = Vec::with_capacity(earned.keeps.len());
    for keep in &earned.keeps {
        let wanted: Decimal = earned
            .calc
            .awards
            .iter()
            .filter(|a| {
                a.rule == keep.rule && a.target == Target::Order && a.beneficiary == Beneficiary::Member
            })
            .map(|a| a.points)
            .sum();
        let points = round(program.rounding(), wanted.max(Decimal::ZERO))?.min(left);
        left = sub(left, points)?;
        let counters: Vec<(String, i64)> = earned
            .moves
            .iter()
            .filter(|(rule, counter, _)| {
                keep.undo_counters && *rule == keep.rule && counter.scope == Scope::Member
            })
            .map(|(_, counter, delta)| (counter.key.clone(), *delta))
            .collect();
        let reward_code = reward_code.filter(|_| earned.reward_rule == Some(keep.rule)).cloned();
        if points.is_zero() && counters.is_empty() && reward_code.is_none() {
            continue;
        }
        let rule = program.rules().get(keep.rule as usize).map_or_else(String::new, |r| r.id().to_owned());
        bonuses.push(OrderBonus {
            rule,
            points,
            lines: keep.lines.clone(),
            min_spend_minor: keep.min_spend_minor,
            counters,
            reward_code,
            reversed: false,
        });
    }
    Ok(bonuses)
}

/// What re-judging an order's bonuses on its lines as they are now takes back.
#[derive(Debug, Default)]
pub(super) struct Rejudged {
    /// The order's bonuses, those it lost marked reversed.
    pub bonuses: Vec<OrderBonus>,
    /// The points of the bonuses lost.
    pub points: Points,
    /// Each bonus lost, by rule, with its points.
    pub lost: Vec<(String, Points)>,
    pub counters: Vec<(Counter, i64)>,
    /// A code a lost bonus issued, cancelled while still unused.
    pub reward: Option<RewardChange>,
    pub notes: Vec<HistoryNote>,
}

pub(super) fn rejudge(
    state: &MemberState,
    bonuses: &[OrderBonus],
    lines: &[OrderLineRecord],
) -> Result<Rejudged, Rejection> {
    let mut out = Rejudged { bonuses: bonuses.to_vec(), ..Rejudged::default() };
    for bonus in out.bonuses.iter_mut().filter(|b| b.lost(lines)) {
        bonus.reversed = true;
        out.points = out.points.checked_add(bonus.points).ok_or(Rejection::PointsOverflow)?;
        out.lost.push((bonus.rule.clone(), bonus.points));
        for (key, delta) in &bonus.counters {
            out.counters.push((Counter::member(key.clone()), -delta));
        }
        let unused = state
            .instance
            .as_ref()
            .filter(|i| Some(&i.code) == bonus.reward_code.as_ref() && i.state == InstanceState::Issued);
        if let Some(instance) = unused {
            let mut after = instance.clone();
            after.state = InstanceState::Cancelled;
            out.notes.push(HistoryNote {
                topic: HistoryTopic::Reward,
                from: Some(InstanceState::Issued.as_str().to_owned()),
                to: Some(InstanceState::Cancelled.as_str().to_owned()),
                reason: format!(
                    "{} {}: the order that earned it was returned",
                    instance.reward, instance.code
                ),
            });
            out.reward = Some(RewardChange::Update(after));
        }
    }
    Ok(out)
}
