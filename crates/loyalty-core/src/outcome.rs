//! The result of an event as members and tills see it: rendered once from the decision,
//! stored with the event, and returned unchanged when the event is retried.

use crate::decision::{Calculation, Decision, PurchaseCalc, ReturnCalc};
use crate::earning::{Stage, show};
use crate::event::{Event, Purchase, Quantity};
use crate::ids::{Category, ExternalId, InstanceCode, OrderId, Reason, RewardCode, Sku};
use crate::money::MinorUnits;
use crate::points::Points;
use crate::program::{Program, Rounding, SpentPointsPolicy};
use crate::state::{Balance, MemberStatus};
use crate::time::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outcome {
    Member(MemberView),
    Purchase(PurchaseOutcome),
    Return(ReturnOutcome),
    Redemption(RedemptionOutcome),
    Adjustment(AdjustmentOutcome),
}

/// A member as the API shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub external_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub status: MemberStatus,
    pub enrolled_at: Timestamp,
    pub balance: Balance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOutcome {
    pub member: ExternalId,
    pub order_id: OrderId,
    pub occurred_at: Timestamp,
    pub points_awarded: Points,
    pub balance: Balance,
    pub explanation: PurchaseExplanation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseExplanation {
    pub lines: Vec<LineExplanation>,
    /// The lines' points added up before rounding.
    pub subtotal: Decimal,
    pub rounding: Rounding,
    pub points: Points,
    #[serde(default, skip_serializing_if = "Points::is_zero_ref")]
    pub debt_repaid: Points,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineExplanation {
    /// 1-based position of the line in the order.
    pub line: u32,
    pub sku: Sku,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    pub quantity: Quantity,
    pub amount_minor: MinorUnits,
    pub points: Decimal,
    pub awards: Vec<AwardExplanation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardExplanation {
    pub rule: String,
    pub kind: String,
    pub points: Decimal,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnOutcome {
    pub member: ExternalId,
    pub order_id: OrderId,
    pub occurred_at: Timestamp,
    pub points_reversed: Points,
    /// Points taken back that the member had already spent and the program wrote off.
    pub points_unrecovered: Points,
    pub balance: Balance,
    pub explanation: ReturnExplanation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnExplanation {
    pub order_points_before: Points,
    pub kept_subtotal: Decimal,
    pub rounding: Rounding,
    pub order_points_after: Points,
    pub when_points_spent: SpentPointsPolicy,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedemptionOutcome {
    pub member: ExternalId,
    pub reward: RewardCode,
    pub code: InstanceCode,
    pub points_spent: Points,
    pub state: String,
    pub occurred_at: Timestamp,
    pub balance: Balance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentOutcome {
    pub member: ExternalId,
    pub points: Points,
    pub reason: Reason,
    pub occurred_at: Timestamp,
    pub balance: Balance,
}

impl Outcome {
    /// Renders the result of applying `decision`, which `decide` made for `event`. `None`
    /// only if the two do not belong together, which is a bug in the caller.
    pub fn render(program: &Program, event: &Event, decision: &Decision) -> Option<Outcome> {
        let balance = decision.balance_after();
        let outcome = match (event, &decision.calculation) {
            (Event::Enrol(e), Calculation::Enrolment) => Outcome::Member(MemberView {
                external_id: e.member.to_string(),
                email: e.email.as_ref().map(|e| e.as_str().to_owned()),
                name: e.name.as_ref().map(|n| n.as_str().to_owned()),
                status: MemberStatus::Active,
                enrolled_at: e.occurred_at,
                balance,
            }),
            (Event::Purchase(p), Calculation::Purchase(calc)) => Outcome::Purchase(PurchaseOutcome {
                member: p.member.clone(),
                order_id: p.order_id.clone(),
                occurred_at: p.occurred_at,
                points_awarded: calc.points,
                balance,
                explanation: explain_purchase(program, p, calc),
            }),
            (Event::Return(r), Calculation::Return(calc)) => Outcome::Return(ReturnOutcome {
                member: r.member.clone(),
                order_id: r.order_id.clone(),
                occurred_at: r.occurred_at,
                points_reversed: calc.reversed,
                points_unrecovered: match calc.policy {
                    SpentPointsPolicy::Clamp => calc.shortfall,
                    SpentPointsPolicy::NegativeBalance => Points::ZERO,
                },
                balance,
                explanation: explain_return(program, r.order_id.as_str(), calc),
            }),
            (Event::Redeem(r), Calculation::Redemption) => Outcome::Redemption(RedemptionOutcome {
                member: r.member.clone(),
                reward: r.reward.clone(),
                code: r.code.clone(),
                points_spent: decision.reward.as_ref()?.points,
                state: "issued".to_owned(),
                occurred_at: r.occurred_at,
                balance,
            }),
            (Event::Adjust(a), Calculation::Adjustment) => Outcome::Adjustment(AdjustmentOutcome {
                member: a.member.clone(),
                points: a.points,
                reason: a.reason.clone(),
                occurred_at: a.occurred_at,
                balance,
            }),
            _ => return None,
        };
        Some(outcome)
    }
}

fn explain_purchase(program: &Program, p: &Purchase, calc: &PurchaseCalc) -> PurchaseExplanation {
    let mut lines: Vec<LineExplanation> = p
        .lines
        .iter()
        .zip(&calc.line_points)
        .enumerate()
        .map(|(i, (line, points))| LineExplanation {
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            sku: line.sku.clone(),
            category: line.category.clone(),
            quantity: line.quantity,
            amount_minor: line.amount(),
            points: points.normalize(),
            awards: Vec::new(),
        })
        .collect();
    // Base rules come first in `Program::rules`, so a bonus award sees its line's full base.
    let mut base = vec![Decimal::ZERO; p.lines.len()];
    for award in &calc.awards {
        let i = award.line as usize;
        let (Some(rule), Some(line), Some(line_base)) =
            (program.rules().get(award.rule as usize), p.lines.get(i), base.get_mut(i))
        else {
            continue;
        };
        if rule.stage() == Stage::Base {
            *line_base = line_base.checked_add(award.points).unwrap_or(Decimal::MAX);
        }
        let reason = rule.reason(line, *line_base, award.points, program);
        if let Some(out) = lines.get_mut(i) {
            out.awards.push(AwardExplanation {
                rule: rule.id().to_owned(),
                kind: rule.kind().to_owned(),
                points: award.points.normalize(),
                reason,
            });
        }
    }
    let name = program.points_name();
    let mut summary = format!(
        "the lines earn {} {name} in all; rounded once per order ({}): {} {name}",
        show(calc.subtotal),
        program.rounding().as_str(),
        calc.points,
    );
    if calc.debt_repaid.is_positive() {
        summary.push_str(&format!("; {} of them repay points owed from an earlier return", calc.debt_repaid));
    }
    PurchaseExplanation {
        lines,
        subtotal: calc.subtotal.normalize(),
        rounding: program.rounding(),
        points: calc.points,
        debt_repaid: calc.debt_repaid,
        summary,
    }
}

fn explain_return(program: &Program, order_id: &str, calc: &ReturnCalc) -> ReturnExplanation {
    let name = program.points_name();
    let mut summary = format!(
        "order {order_id} held {} {name}; the items kept earn {} before rounding ({}): {} {name}, so {} {name} are taken back",
        calc.held_before,
        show(calc.subtotal_after),
        program.rounding().as_str(),
        calc.held_after,
        calc.reversed,
    );
    if calc.shortfall.is_positive() {
        summary.push_str(&match calc.policy {
            SpentPointsPolicy::NegativeBalance => format!(
                "; {} of them were already spent, so the balance goes below zero until later earnings repay them",
                calc.shortfall
            ),
            SpentPointsPolicy::Clamp => format!(
                "; {} of them were already spent, so the balance stops at zero and they are written off",
                calc.shortfall
            ),
        });
    }
    ReturnExplanation {
        order_points_before: calc.held_before,
        kept_subtotal: calc.subtotal_after.normalize(),
        rounding: program.rounding(),
        order_points_after: calc.held_after,
        when_points_spent: calc.policy,
        summary,
    }
}
