//! Base rate: a number of points per unit of currency spent, on every line.

use super::{Award, BuildContext, EarningRule, Judging, RuleSpec, Stage, Tally};
use crate::event::PurchaseLine;
use crate::money::{Currency, MinorUnits};
use crate::program::{DefinitionErrors, Program};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `kind = "base_rate"`: `points_per_unit` points per one major unit (1.00) of currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BaseRateDef {
    pub id: String,
    #[serde(with = "crate::program::decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::program::decimal::Strict"))]
    pub points_per_unit: Decimal,
}

const MAX_POINTS_PER_UNIT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

impl RuleSpec for BaseRateDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        if self.points_per_unit <= Decimal::ZERO {
            ctx.error(errors, "points_per_unit", format!("must be above 0, not {}", self.points_per_unit));
            return None;
        }
        if !ctx.check_range(
            errors,
            "points_per_unit",
            self.points_per_unit,
            Decimal::ZERO,
            MAX_POINTS_PER_UNIT,
        ) {
            return None;
        }
        let minor_per_unit = Decimal::from(10i64.pow(u32::from(ctx.currency.minor_digits())));
        Some(Box::new(BaseRate {
            id: self.id.clone(),
            per_unit: self.points_per_unit,
            per_minor: self.points_per_unit / minor_per_unit,
        }))
    }
}

#[derive(Debug)]
struct BaseRate {
    id: String,
    per_unit: Decimal,
    /// The same rate per minor unit, computed once so a line costs one multiplication.
    per_minor: Decimal,
}

impl EarningRule for BaseRate {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "base_rate"
    }

    fn stage(&self) -> Stage {
        Stage::Base
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        for (i, line) in judging.lines().iter().enumerate() {
            let amount = Decimal::from(line.paid_in_money().get());
            tally.award(i, amount.checked_mul(self.per_minor).unwrap_or(Decimal::MAX));
        }
    }

    fn reason(&self, _award: &Award, line: Option<&PurchaseLine>, program: &Program) -> String {
        let currency = program.currency();
        let amount = line.map_or_else(|| "0".to_owned(), |l| currency.format(l.paid_in_money()));
        format!(
            "{} per {} {currency} on {amount} {currency}",
            program.decimal_points_text(self.per_unit),
            one_unit(currency)
        )
    }
}

fn one_unit(currency: Currency) -> String {
    currency.format(MinorUnits::new(10i64.pow(u32::from(currency.minor_digits()))))
}
