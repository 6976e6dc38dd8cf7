//! The kinds of earning rule a program may use. Registering a new kind is one variant here
//! and one arm in `spec`.

use super::activity::ActivityDef;
use super::base_rate::BaseRateDef;
use super::birthday_bonus::BirthdayBonusDef;
use super::campaign::CampaignDef;
use super::category_multiplier::{CategoryMultiplierDef, ProductMultiplierDef};
use super::exclusion::ExclusionDef;
use super::minimum_basket::MinimumBasketDef;
use super::product_bonus::ProductBonusDef;
use super::punch_card::PunchCardDef;
use super::referral::ReferralDef;
use super::spend_threshold::SpendThresholdDef;
use super::tier_multiplier::TierMultiplierDef;
use super::welcome_bonus::WelcomeBonusDef;
use super::{BuildContext, EarningRule};
use crate::program::DefinitionErrors;
use serde::{Deserialize, Serialize};

/// One earning rule as written in a program, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleDef {
    BaseRate(BaseRateDef),
    CategoryMultiplier(CategoryMultiplierDef),
    ProductMultiplier(ProductMultiplierDef),
    ProductBonus(ProductBonusDef),
    Exclusion(ExclusionDef),
    MinimumBasket(MinimumBasketDef),
    TierMultiplier(TierMultiplierDef),
    // Boxed: a campaign has many optional settings, the other kinds few.
    Campaign(Box<CampaignDef>),
    SpendThreshold(SpendThresholdDef),
    PunchCard(PunchCardDef),
    Activity(ActivityDef),
    WelcomeBonus(WelcomeBonusDef),
    BirthdayBonus(BirthdayBonusDef),
    Referral(ReferralDef),
}

impl RuleDef {
    pub fn spec(&self) -> &dyn RuleSpec {
        match self {
            RuleDef::BaseRate(def) => def,
            RuleDef::CategoryMultiplier(def) => def,
            RuleDef::ProductMultiplier(def) => def,
            RuleDef::ProductBonus(def) => def,
            RuleDef::Exclusion(def) => def,
            RuleDef::MinimumBasket(def) => def,
            RuleDef::TierMultiplier(def) => def,
            RuleDef::Campaign(def) => def.as_ref(),
            RuleDef::SpendThreshold(def) => def,
            RuleDef::PunchCard(def) => def,
            RuleDef::Activity(def) => def,
            RuleDef::WelcomeBonus(def) => def,
            RuleDef::BirthdayBonus(def) => def,
            RuleDef::Referral(def) => def,
        }
    }
}

/// What every rule definition can do: name itself and build its rule.
pub trait RuleSpec {
    fn id(&self) -> &str;
    /// Checks the settings and builds the rule, or records why it cannot.
    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>>;
}
