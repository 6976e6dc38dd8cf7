//! Product bonus: a fixed number of points for each unit of some SKUs or categories.

use super::{Award, BuildContext, EarningRule, Judging, Products, RuleSpec, Stage, Tally};
use crate::event::PurchaseLine;
use crate::program::{DefinitionErrors, Program};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `kind = "product_bonus"`: `points_per_unit` extra points per unit of any of `skus` or
/// `categories`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductBonusDef {
    pub id: String,
    #[serde(default)]
    pub skus: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(with = "crate::program::decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::program::decimal::Strict"))]
    pub points_per_unit: Decimal,
}

const MAX_BONUS: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

impl RuleSpec for ProductBonusDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        let products = ctx.products(errors, &self.skus, &self.categories);
        let in_range =
            ctx.check_range(errors, "points_per_unit", self.points_per_unit, Decimal::ZERO, MAX_BONUS);
        let products = products.filter(|_| in_range)?;
        Some(Box::new(ProductBonus { id: self.id.clone(), products, per_unit: self.points_per_unit }))
    }
}

#[derive(Debug)]
struct ProductBonus {
    id: String,
    products: Products,
    per_unit: Decimal,
}

impl EarningRule for ProductBonus {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "product_bonus"
    }

    fn stage(&self) -> Stage {
        Stage::Bonus
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        for (i, line) in judging.lines().iter().enumerate() {
            if self.products.contains(line) {
                let units = Decimal::from(line.quantity.get());
                tally.award(i, units.checked_mul(self.per_unit).unwrap_or(Decimal::MAX));
            }
        }
    }

    fn reason(&self, _award: &Award, line: Option<&PurchaseLine>, program: &Program) -> String {
        let units = line.map_or(0, |l| l.quantity.get());
        format!(
            "{}: a bonus of {} per unit × {units}",
            self.products.describe(),
            program.decimal_points_text(self.per_unit)
        )
    }
}
