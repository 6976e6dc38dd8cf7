//! Category multiplier: lines of one category earn a multiple of their base points.

use super::{BuildContext, EarningRule, RuleSpec, Stage, Tally, show};
use crate::event::PurchaseLine;
use crate::ids::Category;
use crate::program::{DefinitionErrors, Program};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `kind = "category_multiplier"`: lines whose category is `category` earn `multiplier`
/// times their base points. Multipliers stack by adding their extra: ×2 and ×1.5 on the
/// same line earn base + 1 × base + 0.5 × base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryMultiplierDef {
    pub id: String,
    pub category: String,
    #[serde(with = "crate::program::decimal")]
    pub multiplier: Decimal,
}

const MAX_MULTIPLIER: Decimal = Decimal::from_parts(1_000, 0, 0, false, 0);

impl RuleSpec for CategoryMultiplierDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        let category =
            Category::parse(self.category.clone()).map_err(|e| ctx.error(errors, "category", e.problem)).ok();
        let in_range = ctx.check_range(errors, "multiplier", self.multiplier, Decimal::ZERO, MAX_MULTIPLIER);
        let category = category.filter(|_| in_range)?;
        Some(Box::new(CategoryMultiplier {
            id: self.id.clone(),
            category,
            multiplier: self.multiplier,
            extra: self.multiplier - Decimal::ONE,
        }))
    }
}

#[derive(Debug)]
struct CategoryMultiplier {
    id: String,
    category: Category,
    multiplier: Decimal,
    /// What the multiplier adds on top of the base points.
    extra: Decimal,
}

impl EarningRule for CategoryMultiplier {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "category_multiplier"
    }

    fn stage(&self) -> Stage {
        Stage::Bonus
    }

    fn evaluate(&self, lines: &[PurchaseLine], tally: &mut Tally) {
        for (i, line) in lines.iter().enumerate() {
            if line.category.as_ref() == Some(&self.category) {
                let bonus = tally.base(i).checked_mul(self.extra).unwrap_or(Decimal::MAX);
                tally.award(i, bonus);
            }
        }
    }

    fn reason(&self, _line: &PurchaseLine, base: Decimal, points: Decimal, program: &Program) -> String {
        format!(
            "category {} earns ×{}: {} on top of {} base {}",
            self.category,
            show(self.multiplier),
            show(points),
            show(base),
            program.points_name(),
        )
    }
}
