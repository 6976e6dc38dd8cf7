//! Finance's reports, built from the store's sums with the program's calendar and point
//! value: the liability roll-forward, the breakage estimate and the KPIs. The HTTP routes
//! and `loyalty report` both serve these, as JSON or CSV.

use loyalty_core::Timestamp;
use loyalty_core::books::{Breakage, Cohort, RollForward, share};
use loyalty_core::program::{PointValue, Program};
use loyalty_core::schema::{DateText, DecimalText};
use loyalty_store::{LoadedProgram, Store, StoreError};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

pub use crate::period::{Bound, Period};

/// A report, ready as JSON and as CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub json: ReportBody,
    pub csv: String,
}

/// The JSON of one of the reports, written as the report alone. One type for the three,
/// so that `loyalty report` makes whichever it is asked for in one `match`; each route
/// documents the one report it serves.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ReportBody {
    Liability(LiabilityReport),
    Breakage(BreakageReport),
    Kpis(KpiReport),
}

/// A period's `from` and `to` are written back as they were asked (a day stays a day), so
/// that the report says which period it answers.
impl JsonSchema for Bound {
    fn schema_name() -> Cow<'static, str> {
        "PeriodBound".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "One end of a period: a local day of the program (`YYYY-MM-DD`: as `from` it \
                starts the period, as `to` it is included) or an RFC 3339 instant (as `to`, excluded).",
            "anyOf": [generator.subschema_for::<DateText>(), generator.subschema_for::<Timestamp>()],
        })
    }
}

/// The liability roll-forward of a period: what members held at its start, what moved,
/// and what they held at its end, per tier and in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct LiabilityReport {
    /// The program's code.
    program: String,
    /// The program's currency (ISO 4217).
    currency: String,
    /// The period's start, as asked.
    #[schemars(with = "Bound")]
    from: String,
    /// The period's end, as asked.
    #[schemars(with = "Bound")]
    to: String,
    /// Which period an entry counts in.
    booked: &'static str,
    /// One line per tier members hold now.
    tiers: Vec<RollForward>,
    total: RollForward,
    /// The same figures in minor units at the program's point value; null when the program
    /// gives points no value.
    money: Option<MoneyRollForward>,
    /// Whether every line rolls from its opening to its closing.
    reconciled: bool,
}

/// The roll-forward in minor units of the currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct MoneyRollForward {
    point_value: PointValue,
    tiers: Vec<RollForward>,
    total: RollForward,
}

pub async fn liability<S: Store>(
    store: &S,
    loaded: &LoadedProgram,
    period: Period,
) -> Result<Report, ReportError> {
    let program = &loaded.program;
    let (from, to) = period.instants(program.calendar()).map_err(ReportError::Invalid)?;
    let sums = store.liability(loaded.id, from, to).await?;
    let tiers: Vec<RollForward> =
        sums.iter().map(|s| RollForward::of(s.tier.clone(), s.opening, s.closing, &s.posted)).collect();
    let total = RollForward::total(&tiers);
    let reconciled = total.reconciles() && tiers.iter().all(RollForward::reconciles);
    let money = program.redemption().point_value.map(|value| MoneyRollForward {
        point_value: value,
        tiers: tiers.iter().map(|t| t.in_money(value)).collect(),
        total: total.in_money(value),
    });
    let mut csv =
        String::from("unit,tier,opening,issued,redeemed,expired,donated,adjusted,return_loss,closing\n");
    let mut rows = |unit: &str, lines: &[RollForward], total: &RollForward| {
        for line in lines.iter().chain([total]) {
            let tier =
                if std::ptr::eq(line, total) { "total" } else { line.tier.as_deref().unwrap_or("none") };
            csv.push_str(&format!(
                "{unit},{tier},{},{},{},{},{},{},{},{}\n",
                line.opening,
                line.issued,
                line.redeemed,
                line.expired,
                line.donated,
                line.adjusted,
                line.return_loss,
                line.closing
            ));
        }
    };
    rows("points", &tiers, &total);
    if let Some(m) = &money {
        rows("minor_units", &m.tiers, &m.total);
    }
    let currency = program.currency();
    let report = LiabilityReport {
        program: program.code().to_owned(),
        currency: currency.code().to_owned(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        booked: "entries count in the period they were booked in (recorded_at), in the program's time zone",
        tiers,
        total,
        money,
        reconciled,
    };
    Ok(Report { json: ReportBody::Liability(report), csv })
}

/// The breakage estimate, with cohorts by local month.
///
/// The rate is measured on what settled (was redeemed or expired) in `period`, by default
/// the 365 days up to `now`; what members hold and what is left of each cohort are as
/// they stand at `now`.
pub async fn breakage<S: Store>(
    store: &S,
    loaded: &LoadedProgram,
    period: Period,
    now: Timestamp,
) -> Result<Report, ReportError> {
    let program = &loaded.program;
    let (since, until) = period.instants(program.calendar()).map_err(ReportError::Invalid)?;
    let sums = store.breakage(loaded.id, since, until).await?;
    let mut months: BTreeMap<String, [i64; 4]> = BTreeMap::new();
    for lots in &sums.issued {
        let month = months.entry(program.calendar().local(lots.from).month_key()).or_default();
        for (sum, add) in month.iter_mut().zip([lots.issued, lots.open, lots.expired, lots.reversed]) {
            *sum += add;
        }
    }
    let cohorts: Vec<Cohort> = months
        .into_iter()
        .map(|(month, [issued, open, expired, reversed])| Cohort::of(month, issued, open, expired, reversed))
        .collect();
    let mut csv = String::from("month,issued,redeemed,expired,reversed,open\n");
    for c in &cohorts {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            c.month, c.issued, c.redeemed, c.expired, c.reversed, c.open
        ));
    }
    let estimate = Breakage::estimate(
        sums.redeemed,
        sums.expired,
        sums.outstanding,
        program.redemption().point_value,
        cohorts,
    );
    let report = BreakageReport {
        estimate,
        program: program.code().to_owned(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        window_from: since,
        window_to: until,
        as_of: now,
    };
    Ok(Report { json: ReportBody::Breakage(report), csv })
}

/// The breakage estimate over a window, with what it implies for the liability now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct BreakageReport {
    #[serde(flatten)]
    estimate: Breakage,
    /// The program's code.
    program: String,
    /// The window's start, as asked.
    #[schemars(with = "Bound")]
    from: String,
    /// The window's end, as asked.
    #[schemars(with = "Bound")]
    to: String,
    /// The instant the window starts (included).
    window_from: Timestamp,
    /// The instant the window ends (excluded).
    window_to: Timestamp,
    /// The instant the holdings and cohorts are as of.
    as_of: Timestamp,
}

pub async fn kpis<S: Store>(
    store: &S,
    loaded: &LoadedProgram,
    period: Period,
) -> Result<Report, ReportError> {
    let program = &loaded.program;
    let (from, to) = period.instants(program.calendar()).map_err(ReportError::Invalid)?;
    let k = store.kpis(loaded.id, from, to).await?;
    let rate = share(k.burned, k.earned);
    let top_rewards = k
        .top_rewards
        .iter()
        .map(|(reward, codes, points)| TopReward {
            reward: reward.clone(),
            redemptions: *codes,
            points: *points,
        })
        .collect();
    let report = KpiReport {
        program: program.code().to_owned(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        active_members_30_days: k.active_30_days,
        active_members_90_days: k.active_90_days,
        enrolments: k.enrolments,
        open_members: k.members,
        average_balance: k.average_balance,
        points_earned: k.earned,
        points_burned: k.burned,
        redemption_rate: rate.to_string(),
        top_rewards,
        members_by_tier: by_tier(program, &k.members_by_tier),
    };
    let mut csv = String::from("metric,value\n");
    for (metric, value) in [
        ("active_members_30_days", k.active_30_days.to_string()),
        ("active_members_90_days", k.active_90_days.to_string()),
        ("enrolments", k.enrolments.to_string()),
        ("open_members", k.members.to_string()),
        ("average_balance", k.average_balance.to_string()),
        ("points_earned", k.earned.to_string()),
        ("points_burned", k.burned.to_string()),
        ("redemption_rate", rate.to_string()),
    ] {
        csv.push_str(&format!("{metric},{value}\n"));
    }
    for (reward, codes, _) in &k.top_rewards {
        csv.push_str(&format!("top_reward:{reward},{codes}\n"));
    }
    for row in &report.members_by_tier {
        csv.push_str(&format!("members_in_tier:{},{}\n", row.tier.as_deref().unwrap_or("none"), row.members));
    }
    Ok(Report { json: ReportBody::Kpis(report), csv })
}

/// The KPIs of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct KpiReport {
    /// The program's code.
    program: String,
    /// The period's start, as asked.
    #[schemars(with = "Bound")]
    from: String,
    /// The period's end, as asked.
    #[schemars(with = "Bound")]
    to: String,
    /// Members whose last activity falls in the 30 days before the period's end.
    active_members_30_days: i64,
    /// Members whose last activity falls in the 90 days before the period's end.
    active_members_90_days: i64,
    /// Members enrolled in the period.
    enrolments: i64,
    /// Accounts open at the period's end.
    open_members: i64,
    /// The points an open account holds on average, rounded down.
    average_balance: i64,
    /// Points issued in the period, less those returns took back.
    points_earned: i64,
    /// Points spent in the period (redeemed and donated), less those given back.
    points_burned: i64,
    /// Points burned per point earned, to four decimals; 0 when none were earned.
    // The text `rust_decimal` writes, as the CSV carries it: this crate does not name the
    // decimal type itself.
    #[schemars(with = "DecimalText")]
    redemption_rate: String,
    /// The five rewards most redeemed in the period, most first.
    top_rewards: Vec<TopReward>,
    /// Open accounts in each tier now: no tier first, then the program's tiers lowest
    /// first (none left out), then any tier the program no longer has.
    members_by_tier: Vec<TierMembers>,
}

/// How many open accounts a tier holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TierMembers {
    /// The tier's code; null for members without a tier.
    tier: Option<String>,
    members: i64,
}

/// `counted` (per tier code) in the program's order of tiers, with a zero for each tier
/// nobody is in.
fn by_tier(program: &Program, counted: &[(Option<String>, i64)]) -> Vec<TierMembers> {
    let count =
        |tier: Option<&str>| counted.iter().find(|(t, _)| t.as_deref() == tier).map_or(0, |(_, n)| *n);
    let levels: Vec<&str> = program.definition().tiers.levels.iter().map(|l| l.code.as_str()).collect();
    let mut rows = vec![TierMembers { tier: None, members: count(None) }];
    rows.extend(
        levels.iter().map(|code| TierMembers { tier: Some((*code).to_owned()), members: count(Some(code)) }),
    );
    rows.extend(
        counted
            .iter()
            .filter(|(t, _)| t.as_deref().is_some_and(|t| !levels.contains(&t)))
            .map(|(t, n)| TierMembers { tier: t.clone(), members: *n }),
    );
    rows
}

/// A reward among the most redeemed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TopReward {
    /// The reward's code in the catalogue.
    reward: String,
    /// Its codes issued in the period and not cancelled.
    redemptions: i64,
    /// The points those codes cost.
    points: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
