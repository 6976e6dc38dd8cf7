//! Exclusions: lines of some SKUs or categories (gift cards, tobacco) earn nothing.

use super::{Award, BuildContext, Detail, EarningRule, Judging, Products, RuleSpec, Stage, Tally};
use crate::event::PurchaseLine;
use crate::program::{DefinitionErrors, Program};
use serde::{Deserialize, Serialize};

/// `kind = "exclusion"`: lines of any of `skus` or `categories` earn nothing, whatever
/// other rules gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ExclusionDef {
    pub id: String,
    #[serde(default)]
    pub skus: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
}

impl RuleSpec for ExclusionDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        let products = ctx.products(errors, &self.skus, &self.categories)?;
        Some(Box::new(Exclusion { id: self.id.clone(), products }))
    }
}

#[derive(Debug)]
struct Exclusion {
    id: String,
    products: Products,
}

impl EarningRule for Exclusion {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "exclusion"
    }

    fn stage(&self) -> Stage {
        Stage::Exclusion
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        for (i, line) in judging.lines().iter().enumerate() {
            if self.products.contains(line) {
                tally.exclude(i, Detail::None);
            }
        }
    }

    fn reason(&self, _award: &Award, _line: Option<&PurchaseLine>, _program: &Program) -> String {
        format!("{} earns nothing", self.products.describe())
    }
}
