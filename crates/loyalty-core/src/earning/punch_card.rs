//! Punch card: every Nth qualifying purchase earns bonus points or a reward.

use super::{
    Award, Beneficiary, BuildContext, Detail, EarningRule, Judging, Occasion, Products, RuleSpec, Stage,
    Tally,
};
use crate::calendar::Calendar;
use crate::event::{Event, PurchaseLine};
use crate::needs::{Counter, Needs};
use crate::points::Points;
use crate::program::{DefinitionErrors, Program};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `kind = "punch_card"`: every `every`th purchase with a line of `skus` or `categories`
/// (any purchase if neither is given) earns `points`, or the catalogue's `reward`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PunchCardDef {
    pub id: String,
    pub every: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<String>,
}

/// The counter of a punch card's progress, for the member's page.
pub fn punch_counter(rule: &str) -> Counter {
    Counter::member(format!("punch:{rule}"))
}

impl RuleSpec for PunchCardDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        let mut ok = ctx.check_count(errors, "every", self.every, 2, 1_000);
        let products = if self.skus.is_empty() && self.categories.is_empty() {
            None
        } else {
            let products = ctx.products(errors, &self.skus, &self.categories);
            ok &= products.is_some();
            products
        };
        match (&self.points, &self.reward) {
            (Some(points), None) => {
                ok &= ctx.check_count(errors, "points", *points, 1, Points::MAX_PER_EVENT.get())
            }
            (None, Some(reward)) if ctx.rewards.iter().any(|r| r == reward) => {}
            (None, Some(reward)) => {
                ctx.error(errors, "reward", format!("`{reward}` is not in the program's rewards"));
                ok = false;
            }
            _ => {
                ctx.error(errors, "points", "a punch card gives either points or a reward");
                ok = false;
            }
        }
        ok.then(|| {
            Box::new(PunchCard {
                id: self.id.clone(),
                every: self.every,
                products,
                points: self.points.map(Decimal::from),
                reward: self.reward.clone(),
                progress: punch_counter(&self.id),
            }) as _
        })
    }
}

#[derive(Debug)]
struct PunchCard {
    id: String,
    every: i64,
    products: Option<Products>,
    points: Option<Decimal>,
    reward: Option<String>,
    progress: Counter,
}

impl EarningRule for PunchCard {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "punch_card"
    }

    fn stage(&self) -> Stage {
        Stage::Order
    }

    fn needs(&self, event: &Event, _calendar: &Calendar, needs: &mut Needs) {
        if matches!(event, Event::Purchase(_)) {
            needs.counter(self.progress.clone());
        }
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        let Occasion::Purchase(purchase) = judging.occasion else { return };
        if let Some(products) = &self.products
            && !purchase.lines.iter().any(|l| products.contains(l))
        {
            return;
        }
        // The stamp is the order's while it keeps a line that earned it.
        let stamped = match &self.products {
            Some(products) => {
                (0u32..).zip(&purchase.lines).filter(|(_, l)| products.contains(l)).map(|(i, _)| i).collect()
            }
            None => Vec::new(),
        };
        tally.keep_while(stamped, 1, true);
        let punched = judging.aggregates.counter(&self.progress) + 1;
        let detail = Detail::Count { n: punched.min(self.every), of: self.every };
        if punched < self.every {
            tally.count(self.progress.clone(), 1);
            tally.award_order(Decimal::ZERO, detail, Beneficiary::Member);
            return;
        }
        tally.count(self.progress.clone(), 1 - self.every);
        match (&self.points, &self.reward) {
            (Some(points), _) => tally.award_order(*points, detail, Beneficiary::Member),
            (None, Some(reward)) => {
                tally.issue(reward);
                tally.award_order(Decimal::ZERO, detail, Beneficiary::Member);
            }
            (None, None) => {}
        }
    }

    fn reason(&self, award: &Award, _line: Option<&PurchaseLine>, program: &Program) -> String {
        let (n, of) = match award.detail {
            Detail::Count { n, of } => (n, of),
            _ => (0, self.every),
        };
        if n < of {
            return format!("punch card: {n} of {of}");
        }
        match (&self.points, &self.reward) {
            (Some(points), _) => {
                format!("punch card: {n} of {of}, a bonus of {}", program.decimal_points_text(*points))
            }
            (None, Some(reward)) => format!("punch card: {n} of {of}, reward {reward} issued"),
            (None, None) => format!("punch card: {n} of {of}"),
        }
    }
}
