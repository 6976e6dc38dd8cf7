//! Activities: points for what members do besides buying (reviews, follows, surveys), with
//! caps per day and month and activities rewarded once.

use super::{
    Award, Beneficiary, BuildContext, Detail, EarningRule, Judging, Limit, Occasion, RuleSpec, Stage, Tally,
};
use crate::calendar::Calendar;
use crate::event::{Activity, Event, PurchaseLine};
use crate::ids::ActivityKind;
use crate::needs::{Counter, Needs};
use crate::points::Points;
use crate::program::{DefinitionErrors, Program};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `kind = "activity"`: each `activity` (`review`, `social_follow`, ... or the program's own
/// kinds) earns `points`, at most `per_day` and `per_month` times if given, and only once
/// per member (per target, such as the network followed) if `once`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityDef {
    pub id: String,
    pub activity: String,
    pub points: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_day: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_month: Option<i64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub once: bool,
}

impl RuleSpec for ActivityDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        let kind = ActivityKind::parse(self.activity.clone())
            .map_err(|e| ctx.error(errors, "activity", e.problem))
            .ok();
        let mut ok = ctx.check_count(errors, "points", self.points, 1, Points::MAX_PER_EVENT.get());
        if let Some(n) = self.per_day {
            ok &= ctx.check_count(errors, "per_day", n, 1, 10_000);
        }
        if let Some(n) = self.per_month {
            ok &= ctx.check_count(errors, "per_month", n, 1, 100_000);
        }
        let kind = kind.filter(|_| ok)?;
        Some(Box::new(ActivityRule {
            id: self.id.clone(),
            kind,
            points: Decimal::from(self.points),
            per_day: self.per_day,
            per_month: self.per_month,
            once: self.once,
        }))
    }
}

#[derive(Debug)]
struct ActivityRule {
    id: String,
    kind: ActivityKind,
    points: Decimal,
    per_day: Option<i64>,
    per_month: Option<i64>,
    once: bool,
}

impl ActivityRule {
    fn counters(&self, activity: &Activity, calendar: &Calendar) -> [Counter; 3] {
        let local = calendar.local(activity.occurred_at);
        let target = activity.target.as_ref().map_or("", |t| t.as_str());
        [
            Counter::member(format!("activity:{}:day:{}", self.kind, local.day_key())),
            Counter::member(format!("activity:{}:month:{}", self.kind, local.month_key())),
            Counter::member(format!("activity:{}:once:{target}", self.kind)),
        ]
    }
}

impl EarningRule for ActivityRule {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "activity"
    }

    fn stage(&self) -> Stage {
        Stage::Order
    }

    fn needs(&self, event: &Event, calendar: &Calendar, needs: &mut Needs) {
        if let Event::Activity(a) = event
            && a.kind == self.kind
        {
            for counter in self.counters(a, calendar) {
                needs.counter(counter);
            }
        }
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        let Occasion::Activity(activity) = judging.occasion else { return };
        if activity.kind != self.kind {
            return;
        }
        let [day, month, once] = self.counters(activity, judging.calendar);
        let count = |c: &Counter| judging.aggregates.counter(c);
        let limited = if self.once && count(&once) > 0 {
            Some((Limit::Once, count(&once)))
        } else if self.per_day.is_some_and(|l| count(&day) >= l) {
            Some((Limit::PerDay, count(&day)))
        } else if self.per_month.is_some_and(|l| count(&month) >= l) {
            Some((Limit::PerMonth, count(&month)))
        } else {
            None
        };
        match limited {
            Some((limit, count)) => {
                tally.award_order(Decimal::ZERO, Detail::Limited { limit, count }, Beneficiary::Member);
            }
            None => {
                tally.award_order(self.points, Detail::None, Beneficiary::Member);
                for counter in [day, month, once] {
                    tally.count(counter, 1);
                }
            }
        }
    }

    fn reason(&self, award: &Award, _line: Option<&PurchaseLine>, program: &Program) -> String {
        let name = program.points_name();
        match award.detail {
            Detail::Limited { limit: Limit::Once, .. } => {
                format!("{}: rewarded once per member, and already given", self.kind)
            }
            Detail::Limited { limit: Limit::PerDay, count } => {
                format!(
                    "{}: at most {} a day, {count} already rewarded today",
                    self.kind,
                    self.per_day.unwrap_or(0)
                )
            }
            Detail::Limited { limit: Limit::PerMonth, count } => format!(
                "{}: at most {} a month, {count} already rewarded this month",
                self.kind,
                self.per_month.unwrap_or(0)
            ),
            _ => format!("{}: {} {name}", self.kind, super::show(award.points)),
        }
    }
}

/// Whether any of the program's rules rewards activities of `kind`.
pub fn rewards_activity(program: &Program, kind: &ActivityKind) -> bool {
    program.definition().earning.iter().any(|rule| match rule {
        super::RuleDef::Activity(def) => def.activity == kind.as_str(),
        _ => false,
    })
}
