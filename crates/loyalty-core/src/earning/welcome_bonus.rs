//! Welcome bonus: points on enrolment.

use super::{
    Award, Beneficiary, BuildContext, Detail, EarningRule, Judging, Occasion, RuleSpec, Stage, Tally,
};
use crate::event::PurchaseLine;
use crate::points::Points;
use crate::program::{DefinitionErrors, Program};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `kind = "welcome_bonus"`: `points` when a member enrols.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WelcomeBonusDef {
    pub id: String,
    pub points: i64,
}

impl RuleSpec for WelcomeBonusDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        ctx.check_count(errors, "points", self.points, 1, Points::MAX_PER_EVENT.get())
            .then(|| Box::new(WelcomeBonus { id: self.id.clone(), points: Decimal::from(self.points) }) as _)
    }
}

#[derive(Debug)]
struct WelcomeBonus {
    id: String,
    points: Decimal,
}

impl EarningRule for WelcomeBonus {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "welcome_bonus"
    }

    fn stage(&self) -> Stage {
        Stage::Order
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        if let Occasion::Enrolment = judging.occasion {
            tally.award_order(self.points, Detail::None, Beneficiary::Member);
        }
    }

    fn reason(&self, _award: &Award, _line: Option<&PurchaseLine>, program: &Program) -> String {
        format!("welcome: {} for joining", program.decimal_points_text(self.points))
    }
}
