//! How the engine explains its numbers: per line and rule, the caps that cut them, and
//! what a return took back, in structured fields and in words.

use crate::decision::{EarnCalc, Period, ReturnCalc};
use crate::earning::{Beneficiary, Target, show};
use crate::event::Quantity;
use crate::ids::{Category, Sku};
use crate::money::MinorUnits;
use crate::points::Points;
use crate::program::{Program, Rounding, SpentPointsPolicy};
use crate::time::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How an earning's points were reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Explanation {
    /// The version of the program that judged the event.
    pub program_version: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineExplanation>,
    /// Awards for the event as a whole (bonuses, activities, referrals).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub awards: Vec<AwardExplanation>,
    /// What the order paid with points at the till, left out of what it earns.
    #[serde(default, skip_serializing_if = "MinorUnits::is_zero")]
    pub paid_with_points_minor: MinorUnits,
    /// Everything added up before rounding.
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema::DecimalText"))]
    pub subtotal: Decimal,
    pub rounding: Rounding,
    /// Caps that cut the points.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<LimitExplanation>,
    pub points: Points,
    #[serde(default, skip_serializing_if = "Points::is_zero_ref")]
    pub debt_repaid: Points,
    /// Why the points are held for review, if they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_for_review: Option<String>,
    /// Until when the points are pending for the return window, if they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_until: Option<Timestamp>,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LineExplanation {
    /// 1-based position of the line in the order.
    pub line: u32,
    pub sku: Sku,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    pub quantity: Quantity,
    pub amount_minor: MinorUnits,
    /// The line's share of what the order paid with points, which earns nothing.
    #[serde(default, skip_serializing_if = "MinorUnits::is_zero")]
    pub paid_with_points_minor: MinorUnits,
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema::DecimalText"))]
    pub points: Decimal,
    pub awards: Vec<AwardExplanation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AwardExplanation {
    pub rule: String,
    pub kind: String,
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema::DecimalText"))]
    pub points: Decimal,
    pub reason: String,
    /// The member the points go to, when not the event's member (a referrer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LimitExplanation {
    /// `max_points_per_day` or `max_points_per_month`.
    pub limit: String,
    pub cap: i64,
    /// What the member had earned in the period before this event.
    pub earned_before: i64,
    pub points_before: Points,
    pub points_after: Points,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReturnExplanation {
    pub order_points_before: Points,
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema::DecimalText"))]
    pub kept_subtotal: Decimal,
    pub rounding: Rounding,
    pub order_points_after: Points,
    /// Bonuses the order earned as a whole that what it keeps no longer earns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bonuses_reversed: Vec<BonusReversal>,
    pub when_points_spent: SpentPointsPolicy,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BonusReversal {
    pub rule: String,
    pub points: Points,
}

pub(crate) fn explain(
    program: &Program,
    version: i64,
    purchase_lines: &[crate::event::PurchaseLine],
    calc: &EarnCalc,
    referrer: Option<String>,
) -> Explanation {
    // The lines as the rules saw them: less their share of a payment in points.
    let judged: Vec<crate::event::PurchaseLine>;
    let purchase_lines = if calc.paid_with_points.len() == purchase_lines.len() && !purchase_lines.is_empty()
    {
        judged = purchase_lines
            .iter()
            .zip(&calc.paid_with_points)
            .map(|(line, paid)| crate::event::PurchaseLine { paid_with_points: *paid, ..line.clone() })
            .collect();
        &judged[..]
    } else {
        purchase_lines
    };
    let paid_with_points = MinorUnits::new(purchase_lines.iter().map(|l| l.paid_with_points.get()).sum());
    let mut lines: Vec<LineExplanation> = purchase_lines
        .iter()
        .zip(&calc.line_points)
        .enumerate()
        .map(|(i, (line, points))| LineExplanation {
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            sku: line.sku.clone(),
            category: line.category.clone(),
            quantity: line.quantity,
            amount_minor: line.amount(),
            paid_with_points_minor: line.paid_with_points,
            points: points.normalize(),
            awards: Vec::new(),
        })
        .collect();
    let mut awards = Vec::new();
    for award in &calc.awards {
        let Some(rule) = program.rules().get(award.rule as usize) else { continue };
        let line = match award.target {
            Target::Line(i) => purchase_lines.get(i as usize),
            Target::Order => None,
        };
        let explained = AwardExplanation {
            rule: rule.id().to_owned(),
            kind: rule.kind().to_owned(),
            points: award.points.normalize(),
            reason: rule.reason(award, line, program),
            to: match award.beneficiary {
                Beneficiary::Member => None,
                Beneficiary::Referrer => referrer.clone(),
            },
        };
        match award.target {
            Target::Line(i) => {
                if let Some(out) = lines.get_mut(i as usize) {
                    out.awards.push(explained);
                }
            }
            Target::Order => awards.push(explained),
        }
    }
    let what = match (purchase_lines.is_empty(), awards.is_empty()) {
        (false, true) => "the lines earn",
        (false, false) => "the lines and the order's awards earn",
        (true, _) => "the awards earn",
    };
    let once = if purchase_lines.is_empty() { "once" } else { "once per order" };
    let mut summary = format!(
        "{what} {} in all; rounded {once} ({}): {}",
        program.decimal_points_text(calc.subtotal),
        program.rounding().as_str(),
        program.points_text(calc.rounded),
    );
    if !paid_with_points.is_zero() {
        summary.push_str(&format!(
            "; {} of the order was paid with {} and earns nothing",
            program.money_text(paid_with_points.get()),
            program.points_name()
        ));
    }
    let limits = calc
        .cuts
        .iter()
        .map(|cut| {
            let limit = match cut.period {
                Period::Day => "max_points_per_day",
                Period::Month => "max_points_per_month",
            };
            summary.push_str(&format!(
                "; {limit} is {}, {} already earned, so {} instead of {}",
                cut.cap,
                cut.earned,
                program.points_text(cut.to),
                cut.from
            ));
            LimitExplanation {
                limit: limit.to_owned(),
                cap: cut.cap,
                earned_before: cut.earned,
                points_before: cut.from,
                points_after: cut.to,
            }
        })
        .collect();
    if calc.debt_repaid.is_positive() {
        summary.push_str(&format!("; {} of them repay points owed from an earlier return", calc.debt_repaid));
    }
    let mut held_for_review = calc.review.map(|hit| {
        let purchases = if hit.purchases == 1 { "purchase" } else { "purchases" };
        format!(
            "earned too fast: {} {purchases} and {} within {} minutes; held until an administrator releases them",
            hit.purchases,
            program.points_text(Points::new(hit.points)),
            hit.minutes
        )
    });
    if calc.suspended && held_for_review.is_none() {
        held_for_review =
            Some("the account is suspended for review; held until an administrator releases them".to_owned());
    }
    if let Some(why) = &held_for_review {
        summary.push_str(&format!("; {why}"));
    }
    if let Some(until) = calc.pending_until {
        summary.push_str(&format!("; pending until {until}, when the return window closes"));
    }
    if calc.referrer_points.is_positive() {
        summary.push_str(&format!(
            "; {} go to the member who referred",
            program.points_text(calc.referrer_points)
        ));
    }
    Explanation {
        program_version: version,
        lines,
        awards,
        paid_with_points_minor: paid_with_points,
        subtotal: calc.subtotal.normalize(),
        rounding: program.rounding(),
        limits,
        points: calc.points,
        debt_repaid: calc.debt_repaid,
        held_for_review,
        pending_until: calc.pending_until,
        summary,
    }
}

pub(crate) fn explain_return(program: &Program, order_id: &str, calc: &ReturnCalc) -> ReturnExplanation {
    let name = program.points_name();
    let from_bonuses = calc.bonuses_lost.iter().map(|(_, p)| p.get()).sum::<i64>();
    let mut summary = format!(
        "order {order_id} held {}; the items kept earn {} before rounding ({}): {}, so {} taken back",
        program.points_text(calc.held_before),
        show(calc.subtotal_after),
        program.rounding().as_str(),
        program.points_text(calc.held_after),
        program.points_are(Points::new(calc.reversed.get() - from_bonuses)),
    );
    for (rule, points) in &calc.bonuses_lost {
        summary.push_str(&if points.is_positive() {
            format!(
                "; what the order keeps no longer earns the {rule} bonus, so its {} taken back too",
                program.points_are(*points)
            )
        } else {
            format!("; what the order keeps no longer counts for {rule}, so that is undone")
        });
    }
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
    if calc.refunded.is_positive() {
        summary.push_str(&format!(
            "; the order was paid partly with {name}, and {} {name} of that payment come back as new {name}",
            calc.refunded
        ));
    }
    ReturnExplanation {
        order_points_before: calc.held_before,
        kept_subtotal: calc.subtotal_after.normalize(),
        rounding: program.rounding(),
        order_points_after: calc.held_after,
        bonuses_reversed: calc
            .bonuses_lost
            .iter()
            .map(|(rule, points)| BonusReversal { rule: rule.clone(), points: *points })
            .collect(),
        when_points_spent: calc.policy,
        summary,
    }
}
