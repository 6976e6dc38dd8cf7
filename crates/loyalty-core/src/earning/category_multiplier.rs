//! Product multipliers: lines of some SKUs or categories earn a multiple of their base
//! points. `category_multiplier` is the one-category spelling of `product_multiplier`.

use super::{Award, BuildContext, Detail, EarningRule, Judging, Products, RuleSpec, Stage, Tally, show};
use crate::event::PurchaseLine;
use crate::program::{DefinitionErrors, Program};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `kind = "category_multiplier"`: lines whose category is `category` earn `multiplier`
/// times their base points. Multipliers stack by adding their extra: ×2 and ×1.5 on the
/// same line earn base + 1 × base + 0.5 × base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CategoryMultiplierDef {
    pub id: String,
    pub category: String,
    #[serde(with = "crate::program::decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::program::decimal::Strict"))]
    pub multiplier: Decimal,
}

/// `kind = "product_multiplier"`: lines of any of `skus` or `categories` earn `multiplier`
/// times their base points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProductMultiplierDef {
    pub id: String,
    #[serde(default)]
    pub skus: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(with = "crate::program::decimal")]
    #[cfg_attr(feature = "schema", schemars(with = "crate::program::decimal::Strict"))]
    pub multiplier: Decimal,
}

pub(super) const MAX_MULTIPLIER: Decimal = Decimal::from_parts(1_000, 0, 0, false, 0);

impl RuleSpec for CategoryMultiplierDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        let products = products_of_category(ctx, errors, &self.category);
        let in_range = ctx.check_range(errors, "multiplier", self.multiplier, Decimal::ZERO, MAX_MULTIPLIER);
        let products = products.filter(|_| in_range)?;
        Some(Box::new(ProductMultiplier::new(&self.id, "category_multiplier", products, self.multiplier)))
    }
}

impl RuleSpec for ProductMultiplierDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        let products = ctx.products(errors, &self.skus, &self.categories);
        let in_range = ctx.check_range(errors, "multiplier", self.multiplier, Decimal::ZERO, MAX_MULTIPLIER);
        let products = products.filter(|_| in_range)?;
        Some(Box::new(ProductMultiplier::new(&self.id, "product_multiplier", products, self.multiplier)))
    }
}

fn products_of_category(
    ctx: &BuildContext<'_>,
    errors: &mut DefinitionErrors,
    category: &str,
) -> Option<Products> {
    match crate::ids::Category::parse(category) {
        Ok(_) => ctx.products(errors, &[], &[category.to_owned()]),
        Err(e) => {
            ctx.error(errors, "category", e.problem);
            None
        }
    }
}

#[derive(Debug)]
pub(super) struct ProductMultiplier {
    id: String,
    kind: &'static str,
    products: Products,
    multiplier: Decimal,
    /// What the multiplier adds on top of the base points.
    extra: Decimal,
}

impl ProductMultiplier {
    pub(super) fn new(
        id: &str,
        kind: &'static str,
        products: Products,
        multiplier: Decimal,
    ) -> ProductMultiplier {
        ProductMultiplier { id: id.to_owned(), kind, products, multiplier, extra: multiplier - Decimal::ONE }
    }
}

impl EarningRule for ProductMultiplier {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        self.kind
    }

    fn stage(&self) -> Stage {
        Stage::Bonus
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        for (i, line) in judging.lines().iter().enumerate() {
            if self.products.contains(line) {
                let base = tally.base(i);
                tally.award_with(i, base.checked_mul(self.extra).unwrap_or(Decimal::MAX), Detail::Base(base));
            }
        }
    }

    fn reason(&self, award: &Award, _line: Option<&PurchaseLine>, program: &Program) -> String {
        let base = match award.detail {
            Detail::Base(base) => base,
            _ => Decimal::ZERO,
        };
        format!(
            "{} earns ×{}: {} on top of {} base {}",
            self.products.describe(),
            show(self.multiplier),
            show(award.points),
            show(base),
            program.points_name(),
        )
    }
}
