//! The kinds of earning rule a program may use. Registering a new kind is one variant here
//! and one arm in `spec`.

use super::{BaseRateDef, BuildContext, CategoryMultiplierDef, EarningRule};
use crate::program::DefinitionErrors;
use serde::{Deserialize, Serialize};

/// One earning rule as written in a program, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleDef {
    BaseRate(BaseRateDef),
    CategoryMultiplier(CategoryMultiplierDef),
}

impl RuleDef {
    pub fn spec(&self) -> &dyn RuleSpec {
        match self {
            RuleDef::BaseRate(def) => def,
            RuleDef::CategoryMultiplier(def) => def,
        }
    }
}

/// What every rule definition can do: name itself and build its rule.
pub trait RuleSpec {
    fn id(&self) -> &str;
    /// Checks the settings and builds the rule, or records why it cannot.
    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>>;
}
