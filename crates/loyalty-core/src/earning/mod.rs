//! Earning rules. Each kind of rule is one file implementing `EarningRule`, plus one line
//! in `registry.rs`; nothing else changes when a kind is added.

mod activity;
mod base_rate;
mod birthday_bonus;
mod campaign;
mod campaign_time;
mod category_multiplier;
mod exclusion;
mod minimum_basket;
mod product_bonus;
mod punch_card;
mod referral;
mod registry;
mod spend_threshold;
mod tally;
mod tier_multiplier;
mod welcome_bonus;

pub use activity::rewards_activity;
pub use birthday_bonus::is_birthday;
pub use campaign::{CampaignDef, budget_key};
pub use campaign_time::parse_local;
pub use punch_card::{PunchCardDef, punch_counter};
pub use referral::rewarded as referral_rewarded;
pub use registry::{RuleDef, RuleSpec};
pub use tally::{Award, Beneficiary, Detail, Keep, Limit, Tally, TallyParts, Target};

use crate::calendar::Calendar;
use crate::event::{Activity, Event, Purchase, PurchaseLine};
use crate::ids::{Category, Sku, TierCode};
use crate::insight::Segment;
use crate::money::{Currency, MinorUnits};
use crate::needs::{Aggregates, Needs};
use crate::program::{DefinitionErrors, Program};
use crate::state::Member;
use crate::time::Timestamp;
use rust_decimal::Decimal;
use std::fmt;

/// When a rule runs, in order: base points per line; bonuses built on them; exclusions
/// that take lines out; awards for the order as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Base,
    Bonus,
    Exclusion,
    Order,
}

/// A strategy that turns an event into points, with reasons.
pub trait EarningRule: fmt::Debug + Send + Sync {
    /// The id the program gave this rule.
    fn id(&self) -> &str;
    /// The kind, as written in the program (`base_rate`).
    fn kind(&self) -> &'static str;
    fn stage(&self) -> Stage;
    /// Adds to `needs` what the rule must know of the member's history to judge `event`.
    fn needs(&self, _event: &Event, _calendar: &Calendar, _needs: &mut Needs) {}
    /// Whether the rule is only for members of some segments, so that the store must load
    /// the member's segment for the events it judges.
    fn targets_segments(&self) -> bool {
        false
    }
    /// Adds this rule's awards for the event being judged.
    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally);
    /// Why the rule made `award`, in words for the member's explanation.
    fn reason(&self, award: &Award, line: Option<&PurchaseLine>, program: &Program) -> String;
}

/// What a rule sees of the event it judges.
#[derive(Debug, Clone, Copy)]
pub struct Judging<'a> {
    pub occasion: Occasion<'a>,
    pub member: &'a Member,
    /// The member's tier at the event: earned or paid for, whichever is higher.
    pub tier: Option<&'a TierCode>,
    pub aggregates: &'a Aggregates,
    /// The member who referred this one, when the store loaded them.
    pub referrer: Option<&'a Member>,
    /// The member's segment, when the program targets segments.
    pub segment: Option<Segment>,
    pub calendar: &'a Calendar,
    pub occurred_at: Timestamp,
}

/// The kinds of event that earn points.
#[derive(Debug, Clone, Copy)]
pub enum Occasion<'a> {
    Purchase(&'a Purchase),
    Activity(&'a Activity),
    Enrolment,
    Birthday,
}

impl Judging<'_> {
    /// The purchase's lines; none for other occasions.
    pub fn lines(&self) -> &[PurchaseLine] {
        match self.occasion {
            Occasion::Purchase(p) => &p.lines,
            _ => &[],
        }
    }
}

/// What a rule needs to know about its program to be built.
#[derive(Debug)]
pub struct BuildContext<'a> {
    pub currency: Currency,
    pub calendar: &'a Calendar,
    /// The codes of the program's rewards.
    pub rewards: &'a [String],
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

    /// Checks that a whole-number setting lies within `[min, max]`.
    pub fn check_count(
        &self,
        errors: &mut DefinitionErrors,
        field: &str,
        value: i64,
        min: i64,
        max: i64,
    ) -> bool {
        let ok = (min..=max).contains(&value);
        if !ok {
            self.error(errors, field, format!("must be between {min} and {max}, not {value}"));
        }
        ok
    }

    /// Parses a list of SKUs or categories, naming the field of a bad one.
    pub fn products(
        &self,
        errors: &mut DefinitionErrors,
        skus: &[String],
        categories: &[String],
    ) -> Option<Products> {
        let mut ok = true;
        let mut parse_all =
            |field: &str, values: &[String], parse: &dyn Fn(String) -> Result<String, String>| {
                values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| match parse(v.clone()) {
                        Ok(p) => Some(p),
                        Err(problem) => {
                            self.error(errors, &format!("{field}[{i}]"), problem);
                            ok = false;
                            None
                        }
                    })
                    .collect::<Vec<_>>()
            };
        let skus = parse_all("skus", skus, &|v| Sku::parse(v).map(String::from).map_err(|e| e.problem));
        let categories = parse_all("categories", categories, &|v| {
            Category::parse(v).map(String::from).map_err(|e| e.problem)
        });
        if ok && skus.is_empty() && categories.is_empty() {
            errors.push(self.path.to_owned(), "names no sku and no category");
            return None;
        }
        ok.then_some(Products { skus, categories })
    }
}

/// A set of products named by SKU or by category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Products {
    skus: Vec<String>,
    categories: Vec<String>,
}

impl Products {
    pub fn contains(&self, line: &PurchaseLine) -> bool {
        self.skus.iter().any(|s| s == line.sku.as_str())
            || line.category.as_ref().is_some_and(|c| self.categories.iter().any(|k| k == c.as_str()))
    }

    /// "sku a, category b", for explanations.
    pub fn describe(&self) -> String {
        let skus = self.skus.iter().map(|s| format!("sku {s}"));
        let categories = self.categories.iter().map(|c| format!("category {c}"));
        skus.chain(categories).collect::<Vec<_>>().join(", ")
    }
}

/// What the purchase being judged counts as spend when a rule asks: what was paid in money
/// for the lines that no exclusion has taken out. Nothing for other occasions.
pub fn spend(judging: &Judging<'_>, tally: &Tally) -> MinorUnits {
    let spent = judging.lines().iter().enumerate().filter(|(i, _)| !tally.is_excluded(*i));
    MinorUnits::new(spent.map(|(_, line)| line.paid_in_money().get()).sum())
}

/// Formats a decimal number of points without trailing zeros ("32.5", "95").
pub fn show(points: Decimal) -> String {
    points.normalize().to_string()
}
