//! Earning rules. Each kind of rule is one file implementing `EarningRule`, plus one line
//! in `registry.rs`; nothing else changes when a kind is added.

mod base_rate;
mod category_multiplier;
mod registry;
mod tally;

pub use base_rate::BaseRateDef;
pub use category_multiplier::CategoryMultiplierDef;
pub use registry::{RuleDef, RuleSpec};
pub use tally::{Award, Tally};

use crate::event::PurchaseLine;
use crate::money::Currency;
use crate::program::{DefinitionErrors, Program};
use rust_decimal::Decimal;
use std::fmt;

/// When a rule runs. Base rules set what each line earns on its own; bonus rules build on
/// those base points (a category multiplier doubles a line's base points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Base,
    Bonus,
}

/// A strategy that turns a purchase into points, line by line, with reasons.
pub trait EarningRule: fmt::Debug + Send + Sync {
    /// The id the program gave this rule.
    fn id(&self) -> &str;
    /// The kind, as written in the program (`base_rate`).
    fn kind(&self) -> &'static str;
    fn stage(&self) -> Stage;
    /// Adds this rule's awards for the lines of a purchase.
    fn evaluate(&self, lines: &[PurchaseLine], tally: &mut Tally);
    /// Why the rule awarded `points` on `line`, in words for the member's explanation.
    fn reason(&self, line: &PurchaseLine, base: Decimal, points: Decimal, program: &Program) -> String;
}

/// What a rule needs to know about its program to be built.
#[derive(Debug)]
pub struct BuildContext<'a> {
    pub currency: Currency,
    /// Where the rule sits in the definition (`earning[0]`), for error paths.
    pub path: &'a str,
}

impl BuildContext<'_> {
    /// Records an error about one field of the rule.
    pub fn error(&self, errors: &mut DefinitionErrors, field: &str, message: impl Into<String>) {
        errors.push(format!("{}.{field}", self.path), message);
    }

    /// Checks that a decimal setting lies within `[min, max]`.
    pub fn check_range(
        &self,
        errors: &mut DefinitionErrors,
        field: &str,
        value: Decimal,
        min: Decimal,
        max: Decimal,
    ) -> bool {
        let ok = value >= min && value <= max;
        if !ok {
            self.error(errors, field, format!("must be between {min} and {max}, not {value}"));
        }
        ok
    }
}

/// Formats a decimal number of points without trailing zeros ("32.5", "95").
pub fn show(points: Decimal) -> String {
    points.normalize().to_string()
}
