//! Campaigns: time-boxed offers ("double points weekend"), optionally for some members and
//! some products, optionally within a budget of points.

use super::campaign_time::{DAYS, parse_hours, parse_local};
use super::category_multiplier::MAX_MULTIPLIER;
use super::{
    Award, Beneficiary, BuildContext, Detail, EarningRule, Judging, Limit, Occasion, Products, RuleSpec,
    Stage, Tally, Target, show,
};
use crate::calendar::Calendar;
use crate::event::{Event, PurchaseLine};
use crate::ids::{Tag, TierCode};
use crate::insight::Segment;
use crate::needs::{Counter, Needs};
use crate::points::Points;
use crate::program::decimal::Strict;
use crate::program::{DefinitionErrors, Program};
use crate::time::Timestamp;
use jiff::civil::Weekday;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `kind = "campaign"`: purchases made from `starts` up to `ends` (wall-clock times in the
/// program's time zone), on `days` and within `hours` if given (hours past midnight, such
/// as 22:00-02:00, belong to the day they start), by members with one of `tags` or `tiers`
/// if given, earn `multiplier` times the base points of their lines (of `skus` or
/// `categories` if given; lines an exclusion takes out earn nothing and do not count)
/// and/or `points` per order with such a line. With a `budget`, the
/// campaign awards at most that many points in all, then stops; with `max_points_per_day`
/// or `max_points_per_month`, at most that many to any one member in a day or month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignDef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub starts: String,
    pub ends: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// Only members whose segment (as the analytics job last computed it) is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<Strict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points_per_day: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_points_per_month: Option<i64>,
}

/// The program counter of what campaign `id` has awarded from its budget.
pub fn budget_key(id: &str) -> String {
    format!("campaign:{id}:spent")
}

impl RuleSpec for CampaignDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        let mut ok = true;
        let mut instant = |field: &str, text: &str| match parse_local(text)
            .and_then(|t| ctx.calendar.instant(t))
        {
            Some(at) => Some(at),
            None => {
                ctx.error(errors, field, format!("`{text}` is not a wall-clock time like 2026-11-27T09:00"));
                None
            }
        };
        let (starts, ends) = (instant("starts", &self.starts), instant("ends", &self.ends));
        if let (Some(s), Some(e)) = (starts, ends)
            && e <= s
        {
            ctx.error(errors, "ends", "must be after starts");
            ok = false;
        }
        let mut days = Vec::new();
        for (i, day) in self.days.iter().enumerate() {
            match DAYS.iter().find(|(name, _)| *name == day.to_ascii_lowercase()) {
                Some((_, weekday)) => days.push(*weekday),
                None => {
                    ctx.error(
                        errors,
                        &format!("days[{i}]"),
                        format!("`{day}` is not a day: use mon, tue, ... sun"),
                    );
                    ok = false;
                }
            }
        }
        let hours = match &self.hours {
            None => None,
            Some(text) => {
                let parsed = parse_hours(text);
                if parsed.is_none() {
                    ctx.error(errors, "hours", format!("`{text}` is not a span of hours like 09:00-17:00"));
                    ok = false;
                }
                parsed
            }
        };
        let tags: Vec<Tag> = self
            .tags
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                Tag::parse(t.clone()).map_err(|e| ctx.error(errors, &format!("tags[{i}]"), e.problem)).ok()
            })
            .collect();
        let tiers: Vec<TierCode> = self
            .tiers
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                TierCode::parse(t.clone())
                    .map_err(|e| ctx.error(errors, &format!("tiers[{i}]"), e.problem))
                    .ok()
            })
            .collect();
        let before = errors.len();
        let segments = Segment::parse_list(ctx.path, &self.segments, errors);
        ok &= tags.len() == self.tags.len() && tiers.len() == self.tiers.len() && errors.len() == before;
        let products = if self.skus.is_empty() && self.categories.is_empty() {
            None
        } else {
            let products = ctx.products(errors, &self.skus, &self.categories);
            ok &= products.is_some();
            products
        };
        let multiplier = self.multiplier.map(|Strict(m)| m);
        if let Some(m) = multiplier {
            ok &= ctx.check_range(errors, "multiplier", m, Decimal::ONE, MAX_MULTIPLIER);
        }
        if let Some(points) = self.points {
            ok &= ctx.check_count(errors, "points", points, 1, Points::MAX_PER_EVENT.get());
        }
        if multiplier.is_none() && self.points.is_none() {
            ctx.error(errors, "multiplier", "a campaign needs a multiplier, points, or both");
            ok = false;
        }
        for (field, value) in [
            ("budget", self.budget),
            ("max_points_per_day", self.max_points_per_day),
            ("max_points_per_month", self.max_points_per_month),
        ] {
            if let Some(value) = value {
                ok &= ctx.check_count(errors, field, value, 1, Points::MAX_PER_EVENT.get());
            }
        }
        let (Some(starts), Some(ends)) = (starts, ends) else { return None };
        ok.then(|| {
            Box::new(Campaign {
                id: self.id.clone(),
                name: self.name.clone().unwrap_or_else(|| self.id.clone()),
                ends_text: self.ends.clone(),
                starts,
                ends,
                days,
                hours,
                tags,
                tiers,
                segments,
                products,
                extra: multiplier.map(|m| (m, m - Decimal::ONE)),
                points: self.points.map(Decimal::from),
                budget: self.budget,
                per_day: self.max_points_per_day,
                per_month: self.max_points_per_month,
                spent: Counter::program(budget_key(&self.id)),
            }) as _
        })
    }
}

#[derive(Debug)]
struct Campaign {
    id: String,
    name: String,
    ends_text: String,
    starts: Timestamp,
    ends: Timestamp,
    days: Vec<Weekday>,
    hours: Option<(i32, i32)>,
    tags: Vec<Tag>,
    tiers: Vec<TierCode>,
    segments: Vec<Segment>,
    products: Option<Products>,
    /// The multiplier and what it adds on top of base points.
    extra: Option<(Decimal, Decimal)>,
    points: Option<Decimal>,
    budget: Option<i64>,
    per_day: Option<i64>,
    per_month: Option<i64>,
    spent: Counter,
}

impl Campaign {
    fn running(&self, at: Timestamp, calendar: &Calendar) -> bool {
        if at < self.starts || at >= self.ends {
            return false;
        }
        let local = calendar.local(at);
        let on = |day: Weekday| self.days.is_empty() || self.days.contains(&day);
        let minute = local.minute_of_day();
        match self.hours {
            None => on(local.weekday()),
            Some((from, to)) if from < to => on(local.weekday()) && (from..to).contains(&minute),
            // A span past midnight, such as 22:00-02:00, is the night of the day it starts:
            // Saturday's runs from Saturday 22:00 to Sunday 02:00.
            Some((from, to)) => {
                (minute >= from && on(local.weekday())) || (minute < to && on(local.weekday().previous()))
            }
        }
    }

    /// What a member has earned from the campaign on the day and in the month of `at`.
    fn member_counters(&self, at: Timestamp, calendar: &Calendar) -> [Counter; 2] {
        let local = calendar.local(at);
        [
            Counter::member(format!("campaign:{}:day:{}", self.id, local.day_key())),
            Counter::member(format!("campaign:{}:month:{}", self.id, local.month_key())),
        ]
    }

    /// The counters that bound this campaign's awards at `at`, each with its cap.
    fn bounds(&self, at: Timestamp, calendar: &Calendar) -> Vec<(Counter, i64, Limit)> {
        let [day, month] = self.member_counters(at, calendar);
        [
            (self.spent.clone(), self.budget, Limit::Budget),
            (day, self.per_day, Limit::PerDay),
            (month, self.per_month, Limit::PerMonth),
        ]
        .into_iter()
        .filter_map(|(counter, cap, limit)| cap.map(|cap| (counter, cap, limit)))
        .collect()
    }

    fn targets(&self, judging: &Judging<'_>) -> bool {
        let profile = &judging.member.profile;
        (self.tags.is_empty() || self.tags.iter().any(|t| profile.tags.contains(t)))
            && (self.tiers.is_empty() || judging.tier.is_some_and(|t| self.tiers.contains(t)))
            && Segment::admits(&self.segments, judging.segment)
    }
}

/// What the tightest of a campaign's budget and caps leaves, as the awards of one order
/// use it.
struct Room {
    left: Option<(Decimal, Limit)>,
    used: Decimal,
}

impl Room {
    /// How much of `wanted` may be awarded, and the detail to record.
    fn take(&mut self, wanted: Decimal) -> (Decimal, Detail) {
        let Some((left, limit)) = self.left.as_mut() else {
            self.used += wanted;
            return (wanted, Detail::None);
        };
        if *left <= Decimal::ZERO {
            return (Decimal::ZERO, Detail::Refused(*limit));
        }
        let given = wanted.min(*left);
        *left -= given;
        self.used += given;
        let detail = if given < wanted { Detail::Cut { wanted, limit: *limit } } else { Detail::None };
        (given, detail)
    }
}

fn whole(points: Decimal) -> i64 {
    i64::try_from(points.ceil()).unwrap_or(i64::MAX)
}

impl Campaign {
    /// "its budget of 4000 points", "its limit of 200 points a day per member".
    fn cap(&self, limit: Limit, name: &str) -> String {
        match limit {
            Limit::Budget => format!("its budget of {} {name}", self.budget.unwrap_or(0)),
            Limit::PerDay => format!("its limit of {} {name} a day per member", self.per_day.unwrap_or(0)),
            Limit::PerMonth => {
                format!("its limit of {} {name} a month per member", self.per_month.unwrap_or(0))
            }
            Limit::Once => "its limit".to_owned(),
        }
    }
}

impl EarningRule for Campaign {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "campaign"
    }

    fn targets_segments(&self) -> bool {
        !self.segments.is_empty()
    }

    /// After exclusions, so that lines they take out neither earn the campaign's extra nor
    /// use its budget or caps (which the exclusion could not give back).
    fn stage(&self) -> Stage {
        Stage::Order
    }

    fn needs(&self, event: &Event, calendar: &Calendar, needs: &mut Needs) {
        if let Event::Purchase(p) = event
            && self.running(p.occurred_at, calendar)
        {
            for (counter, _, _) in self.bounds(p.occurred_at, calendar) {
                needs.counter(counter);
            }
        }
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        let Occasion::Purchase(purchase) = judging.occasion else { return };
        if !self.running(judging.occurred_at, judging.calendar) || !self.targets(judging) {
            return;
        }
        let bounds = self.bounds(judging.occurred_at, judging.calendar);
        let left = bounds
            .iter()
            .map(|(counter, cap, limit)| (cap - judging.aggregates.counter(counter), *limit))
            .min_by_key(|(left, _)| *left)
            .map(|(left, limit)| (Decimal::from(left), limit));
        let mut budget = Room { left, used: Decimal::ZERO };
        let mut counted = Vec::new();
        for (i, line) in purchase.lines.iter().enumerate() {
            if self.products.as_ref().is_some_and(|p| !p.contains(line)) || tally.is_excluded(i) {
                continue;
            }
            counted.push(u32::try_from(i).unwrap_or(u32::MAX));
            // A line without base points has nothing to multiply.
            if let (Some((_, extra)), false) = (self.extra, tally.base(i).is_zero()) {
                let wanted = tally.base(i).checked_mul(extra).unwrap_or(Decimal::MAX);
                let (given, detail) = budget.take(wanted);
                let detail = if detail == Detail::None { Detail::Base(tally.base(i)) } else { detail };
                tally.award_with(i, given, detail);
            }
        }
        if let (Some(points), false) = (self.points, counted.is_empty()) {
            let (given, detail) = budget.take(points);
            tally.award_order(given, detail, Beneficiary::Member);
            // The bonus is the order's while it keeps a line the campaign counted.
            tally.keep_while(counted, 1, false);
        }
        if !budget.used.is_zero() {
            for (counter, _, _) in bounds {
                tally.count(counter, whole(budget.used));
            }
        }
    }

    fn reason(&self, award: &Award, _line: Option<&PurchaseLine>, program: &Program) -> String {
        let name = program.points_name();
        let what = match (award.target, self.extra) {
            (Target::Line(_), Some((multiplier, _))) => format!("×{}", show(multiplier)),
            _ => format!("{} bonus {name}", self.points.map_or_else(String::new, show)),
        };
        match award.detail {
            Detail::Refused(limit) => format!("{} ({what}): {} is reached", self.name, self.cap(limit, name)),
            // The points given, not `left` (rounded up to whole points), which a fraction
            // of a point left in the budget would misstate.
            Detail::Cut { wanted, limit, .. } => format!(
                "{} ({what}) until {}: {} of {} {name}, all that {} had left",
                self.name,
                self.ends_text,
                show(award.points),
                show(wanted),
                self.cap(limit, name)
            ),
            Detail::Base(base) => format!(
                "{} ({what}) until {}: {} on top of {} base {name}",
                self.name,
                self.ends_text,
                show(award.points),
                show(base)
            ),
            _ => format!("{} until {}: {} {name}", self.name, self.ends_text, show(award.points)),
        }
    }
}
