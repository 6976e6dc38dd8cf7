//! Tier multiplier: members of some tiers earn a multiple of their base points.

use super::category_multiplier::MAX_MULTIPLIER;
use super::{Award, BuildContext, Detail, EarningRule, Judging, RuleSpec, Stage, Tally, show};
use crate::event::PurchaseLine;
use crate::ids::TierCode;
use crate::program::decimal::Strict;
use crate::program::{DefinitionErrors, Program};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `kind = "tier_multiplier"`: a member in a tier of `multipliers` earns that multiple of
/// each line's base points (stacking by adding the extra, like other multipliers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TierMultiplierDef {
    pub id: String,
    pub multipliers: BTreeMap<String, Strict>,
}

impl RuleSpec for TierMultiplierDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        let mut tiers = Vec::new();
        let mut ok = !self.multipliers.is_empty();
        if !ok {
            ctx.error(errors, "multipliers", "names no tier");
        }
        for (tier, Strict(multiplier)) in &self.multipliers {
            let field = format!("multipliers.{tier}");
            match TierCode::parse(tier.clone()) {
                Ok(code) => {
                    ok &= ctx.check_range(errors, &field, *multiplier, Decimal::ZERO, MAX_MULTIPLIER);
                    tiers.push((code, *multiplier));
                }
                Err(e) => {
                    ctx.error(errors, &field, e.problem);
                    ok = false;
                }
            }
        }
        ok.then(|| Box::new(TierMultiplier { id: self.id.clone(), tiers }) as _)
    }
}

#[derive(Debug)]
struct TierMultiplier {
    id: String,
    tiers: Vec<(TierCode, Decimal)>,
}

impl EarningRule for TierMultiplier {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "tier_multiplier"
    }

    fn stage(&self) -> Stage {
        Stage::Bonus
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        let Some(tier) = judging.tier else { return };
        let Some((_, multiplier)) = self.tiers.iter().find(|(t, _)| t == tier) else { return };
        let extra = *multiplier - Decimal::ONE;
        for i in 0..judging.lines().len() {
            let base = tally.base(i);
            // A line without base points has nothing to multiply; its reason could not
            // even name the multiple, which it works out from the base.
            if base.is_zero() {
                continue;
            }
            tally.award_with(i, base.checked_mul(extra).unwrap_or(Decimal::MAX), Detail::Base(base));
        }
    }

    fn reason(&self, award: &Award, _line: Option<&PurchaseLine>, program: &Program) -> String {
        let base = match award.detail {
            Detail::Base(base) => base,
            _ => Decimal::ZERO,
        };
        let multiplier =
            base.checked_add(award.points).and_then(|t| t.checked_div(base)).unwrap_or(Decimal::ONE);
        format!(
            "tier earns ×{}: {} on top of {} base {}",
            show(multiplier.round_dp(4)),
            show(award.points),
            show(base),
            program.points_name()
        )
    }
}
