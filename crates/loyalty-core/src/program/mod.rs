//! A loyalty program: its definition, validated once, ready for `decide`.

mod catalog;
pub mod decimal;
mod def;
mod error;
mod expiry;
mod lifecycle;
mod notifications;
mod redemption;
mod tiers;

pub use catalog::{Benefit, DiscountOff, LimitPeriod, Reward, RewardDef, RewardKind, RewardLimit};
pub use def::{LimitsDef, ProgramDef, ReturnsDef, Rounding, SpentPointsPolicy, VelocityDef};
pub use error::{DefinitionError, DefinitionErrors};
pub use expiry::{ExpiryDef, ExpiryPolicy};
pub use lifecycle::LifecycleDef;
pub use notifications::NotificationsDef;
pub use redemption::{PayWithPointsDef, PointValue, RedemptionDef};
pub use tiers::{Downgrade, TierLevel, TierLevelDef, TierMetric, TierWindow, Tiers, TiersDef};

use crate::calendar::Calendar;
use crate::earning::{BuildContext, EarningRule, RuleDef};
use crate::engage::Engagement;
use crate::engage::leaderboard::{self, Leaderboard};
use crate::ids::{RewardCode, check_slug};
use crate::limits::MAX_EARNING_RULES;
use crate::money::Currency;
use crate::points::Points;
use crate::time::Timestamp;
use std::collections::HashSet;

/// A validated program. Only `Program::from_def` makes one.
#[derive(Debug)]
pub struct Program {
    def: ProgramDef,
    currency: Currency,
    calendar: Calendar,
    rules: Vec<Box<dyn EarningRule>>,
    rewards: Vec<Reward>,
    tiers: Tiers,
    engagement: Engagement,
    leaderboards: Vec<Leaderboard>,
    surveys: Vec<crate::feedback::Survey>,
}

const MAX_NAME_CHARS: usize = 200;
const MAX_PENDING_DAYS: u32 = 365;
const MAX_POINTS_NAME_CHARS: usize = 40;

impl Program {
    /// Validates a definition, reporting every problem with the path of its field.
    pub fn from_def(def: ProgramDef) -> Result<Program, DefinitionErrors> {
        let mut errors = DefinitionErrors::default();

        if let Err(e) = check_slug("id", &def.id, 64) {
            errors.push("id", e.problem);
        }
        check_name(&mut errors, "name", &def.name, MAX_NAME_CHARS);
        check_name(&mut errors, "points_name", &def.points_name, MAX_POINTS_NAME_CHARS);
        if let Some(one) = &def.points_name_singular {
            check_name(&mut errors, "points_name_singular", one, MAX_POINTS_NAME_CHARS);
        }

        let currency = Currency::parse(&def.currency, def.currency_minor_digits)
            .map_err(|e| {
                let path = if def.currency_minor_digits.is_some() && def.currency.len() == 3 {
                    "currency_minor_digits"
                } else {
                    "currency"
                };
                errors.push(path, e.to_string());
            })
            .ok();

        let time_zone = jiff::tz::TimeZone::get(&def.time_zone)
            .map_err(|_| {
                errors.push(
                    "time_zone",
                    format!("`{}` is not an IANA time zone such as \"America/New_York\"", def.time_zone),
                )
            })
            .ok();

        let calendar = time_zone.map(Calendar::new);
        let rules = match (currency, &calendar) {
            (Some(currency), Some(calendar)) => build_rules(&def, currency, calendar, &mut errors),
            _ => Vec::new(),
        };
        let tiers = def.tiers.build(&mut errors);
        let rewards = catalog::build_rewards(&def.rewards, &tiers, calendar.as_ref(), &mut errors);
        def.redemption.check(&mut errors);
        check_tier_codes(&def, &tiers, &mut errors);
        def.lifecycle.check(&mut errors);
        check_limits(&def.limits, &mut errors);
        def.expiry.check(&mut errors);
        def.notifications.check(&mut errors);
        for (path, problem) in def.analytics.problems() {
            errors.push(path, problem);
        }
        if let Some(days) = def.returns.pending_days
            && !(1..=MAX_PENDING_DAYS).contains(&days)
        {
            errors.push(
                "returns.pending_days",
                format!("must be between 1 and {MAX_PENDING_DAYS}, not {days}"),
            );
        }

        let engagement = calendar
            .as_ref()
            .map(|c| {
                let rewards: Vec<String> = def.rewards.iter().map(|r| r.code.clone()).collect();
                Engagement::build(&def.achievements, &def.streaks, c, &rewards, &mut errors)
            })
            .unwrap_or_default();
        let leaderboards = leaderboard::build(&def.leaderboards, &mut errors);
        let surveys = crate::feedback::build(&def.surveys, &mut errors);

        match (currency, calendar) {
            (Some(currency), Some(calendar)) if errors.is_empty() => Ok(Program {
                def,
                currency,
                calendar,
                rules,
                rewards,
                tiers,
                engagement,
                leaderboards,
                surveys,
            }),
            _ => Err(errors),
        }
    }

    /// Whether some campaign or achievement is only for members of some segments: then
    /// the store loads the member's segment for the events they judge, and records it.
    pub fn targets_segments(&self) -> bool {
        self.rules.iter().any(|r| r.targets_segments())
            || self.engagement.achievements.iter().any(|a| !a.segments.is_empty())
    }

    /// The program's achievements and streaks.
    pub fn engagement(&self) -> &Engagement {
        &self.engagement
    }

    /// The milestones webhook subscribers are told of.
    pub fn notifications(&self) -> &NotificationsDef {
        &self.def.notifications
    }

    /// The program's leaderboards.
    pub fn leaderboards(&self) -> &[Leaderboard] {
        &self.leaderboards
    }

    pub fn leaderboard(&self, code: &str) -> Option<&Leaderboard> {
        self.leaderboards.iter().find(|b| b.code == code)
    }

    /// The program's surveys.
    pub fn surveys(&self) -> &[crate::feedback::Survey] {
        &self.surveys
    }

    pub fn survey(&self, code: &str) -> Option<&crate::feedback::Survey> {
        self.surveys.iter().find(|s| s.code == code)
    }

    /// How the segments job scores members.
    pub fn analytics(&self) -> &crate::insight::AnalyticsDef {
        &self.def.analytics
    }

    pub fn definition(&self) -> &ProgramDef {
        &self.def
    }

    pub fn code(&self) -> &str {
        &self.def.id
    }

    pub fn name(&self) -> &str {
        &self.def.name
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Days, months and hours in the program's time zone.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    pub fn limits(&self) -> &LimitsDef {
        &self.def.limits
    }

    pub fn points_name(&self) -> &str {
        &self.def.points_name
    }

    /// What members call one point: as the program says, or its plural without a final "s".
    pub fn points_name_singular(&self) -> &str {
        let plural = self.def.points_name.as_str();
        self.def.points_name_singular.as_deref().unwrap_or_else(|| plural.strip_suffix('s').unwrap_or(plural))
    }

    /// Whether a rule gives a birthday bonus, which the birthday job then calls for.
    pub fn has_birthday_bonus(&self) -> bool {
        self.def.earning.iter().any(|r| matches!(r, RuleDef::BirthdayBonus(_)))
    }

    pub fn expiry(&self) -> &ExpiryDef {
        &self.def.expiry
    }

    /// When points earned at `earned_at` expire under this program.
    pub fn expires_at(&self, earned_at: Timestamp) -> Option<Timestamp> {
        self.def.expiry.expires_at(&self.calendar, earned_at)
    }

    /// Until when a purchase's points earned at `earned_at` stay pending, if the program
    /// holds them for a return window.
    pub fn pending_until(&self, earned_at: Timestamp) -> Option<Timestamp> {
        self.def.returns.pending_days.and_then(|days| self.calendar.add_days(earned_at, days))
    }

    pub fn tiers(&self) -> &Tiers {
        &self.tiers
    }

    pub fn redemption(&self) -> &RedemptionDef {
        &self.def.redemption
    }

    pub fn lifecycle(&self) -> &LifecycleDef {
        &self.def.lifecycle
    }

    pub fn rounding(&self) -> Rounding {
        self.def.rounding
    }

    pub fn spent_points_policy(&self) -> SpentPointsPolicy {
        self.def.returns.when_points_spent
    }

    /// Earning rules in evaluation order: base rules first, then the rules that build on
    /// them, each group in the order the definition lists them.
    pub fn rules(&self) -> &[Box<dyn EarningRule>] {
        &self.rules
    }

    pub fn rewards(&self) -> &[Reward] {
        &self.rewards
    }

    pub fn reward(&self, code: &RewardCode) -> Option<&Reward> {
        self.rewards.iter().find(|r| &r.code == code)
    }
}

pub(crate) fn check_name(errors: &mut DefinitionErrors, path: &str, value: &str, max: usize) {
    if value.trim().is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        errors.push(path, format!("must be 1 to {max} characters without control characters"));
    }
}

fn build_rules(
    def: &ProgramDef,
    currency: Currency,
    calendar: &Calendar,
    errors: &mut DefinitionErrors,
) -> Vec<Box<dyn EarningRule>> {
    if def.earning.len() > MAX_EARNING_RULES {
        errors.push("earning", format!("a program may have at most {MAX_EARNING_RULES} earning rules"));
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut activities = HashSet::new();
    let rewards: Vec<String> = def.rewards.iter().map(|r| r.code.clone()).collect();
    let mut rules = Vec::with_capacity(def.earning.len());
    for (i, rule) in def.earning.iter().enumerate() {
        let path = format!("earning[{i}]");
        let id = rule.spec().id();
        if let Err(e) = check_slug("id", id, 64) {
            errors.push(format!("{path}.id"), e.problem);
        } else if !seen.insert(id) {
            errors.push(format!("{path}.id"), format!("`{id}` is used by another earning rule"));
        }
        if let RuleDef::Activity(a) = rule
            && !activities.insert(a.activity.as_str())
        {
            errors.push(format!("{path}.activity"), format!("`{}` is rewarded by another rule", a.activity));
        }
        let ctx = BuildContext { currency, calendar, rewards: &rewards, path: &path };
        if let Some(built) = rule.spec().build(&ctx, errors) {
            rules.push(built);
        }
    }
    // Stable: rules of one stage keep the order the marketer wrote.
    rules.sort_by_key(|r| r.stage());
    rules
}

fn check_limits(limits: &LimitsDef, errors: &mut DefinitionErrors) {
    let mut positive = |path: &str, value: Option<i64>, max: i64| {
        if let Some(v) = value
            && !(1..=max).contains(&v)
        {
            errors.push(path, format!("must be between 1 and {max}, not {v}"));
        }
    };
    let most = Points::MAX_PER_EVENT.get();
    positive("limits.max_points_per_day", limits.max_points_per_day, most);
    positive("limits.max_points_per_month", limits.max_points_per_month, most);
    if let Some(v) = &limits.velocity {
        positive("limits.velocity.minutes", Some(v.minutes), 366 * 24 * 60);
        positive("limits.velocity.max_purchases", v.max_purchases, 1_000_000);
        positive("limits.velocity.max_points", v.max_points, most);
        if v.max_purchases.is_none() && v.max_points.is_none() {
            errors.push("limits.velocity", "needs max_purchases, max_points, or both");
        }
    }
}

/// Tier codes that rules name must be tiers of the program, once it defines any: a typo
/// would otherwise never match a member.
fn check_tier_codes(def: &ProgramDef, tiers: &Tiers, errors: &mut DefinitionErrors) {
    if tiers.is_empty() {
        return;
    }
    for (i, rule) in def.earning.iter().enumerate() {
        let named: Vec<(String, &String)> = match rule {
            RuleDef::TierMultiplier(m) => {
                m.multipliers.keys().map(|k| (format!("multipliers.{k}"), k)).collect()
            }
            RuleDef::Campaign(c) => {
                c.tiers.iter().enumerate().map(|(j, t)| (format!("tiers[{j}]"), t)).collect()
            }
            _ => Vec::new(),
        };
        for (field, code) in named {
            if !tiers.levels.iter().any(|l| l.code.as_str() == code) {
                errors.push(
                    format!("earning[{i}].{field}"),
                    format!("`{code}` is not one of the program's tiers"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
