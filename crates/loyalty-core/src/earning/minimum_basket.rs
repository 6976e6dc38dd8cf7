//! Minimum basket: orders below an amount earn nothing from their lines.

use super::{Award, BuildContext, Detail, EarningRule, Judging, Occasion, RuleSpec, Stage, Tally};
use crate::event::PurchaseLine;
use crate::money::MinorUnits;
use crate::program::{DefinitionErrors, Program};
use serde::{Deserialize, Serialize};

/// `kind = "minimum_basket"`: an order whose total is below `amount_minor` earns nothing
/// from its lines (order bonuses judge for themselves).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MinimumBasketDef {
    pub id: String,
    pub amount_minor: i64,
}

impl RuleSpec for MinimumBasketDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        ctx.check_count(errors, "amount_minor", self.amount_minor, 1, crate::limits::MAX_UNIT_PRICE.get())
            .then(|| {
                Box::new(MinimumBasket { id: self.id.clone(), amount: MinorUnits::new(self.amount_minor) })
                    as _
            })
    }
}

#[derive(Debug)]
struct MinimumBasket {
    id: String,
    amount: MinorUnits,
}

impl EarningRule for MinimumBasket {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "minimum_basket"
    }

    fn stage(&self) -> Stage {
        Stage::Exclusion
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        let Occasion::Purchase(purchase) = judging.occasion else { return };
        let total = super::spend(judging, tally);
        if total < self.amount {
            // Each line's points are taken back by an award that quotes the order's total,
            // so its reason says why as the order's award does.
            for i in 0..purchase.lines.len() {
                tally.exclude(i, Detail::Spend(total.get()));
            }
            tally.award_order(
                rust_decimal::Decimal::ZERO,
                Detail::Spend(total.get()),
                super::Beneficiary::Member,
            );
        }
    }

    fn reason(&self, award: &Award, _line: Option<&PurchaseLine>, program: &Program) -> String {
        let currency = program.currency();
        let spent = match award.detail {
            Detail::Spend(spent) => currency.format(MinorUnits::new(spent)),
            _ => "less".to_owned(),
        };
        format!(
            "orders under {} {currency} earn nothing; this one is {spent} {currency}",
            currency.format(self.amount)
        )
    }
}
