//! Finance's reports, built from the store's sums with the program's calendar and point
//! value: the liability roll-forward, the breakage estimate and the KPIs. The HTTP routes
//! and `loyalty report` both serve these, as JSON or CSV.

use loyalty_core::Timestamp;
use loyalty_core::books::{Breakage, Cohort, RollForward, share};
use loyalty_store::{LoadedProgram, Store, StoreError};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub use crate::period::{Bound, Period};

/// A report, ready as JSON and as CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub json: Value,
    pub csv: String,
}

#[derive(Debug, Serialize)]
struct Liability<'a> {
    program: &'a str,
    currency: &'a str,
    from: String,
    to: String,
    booked: &'static str,
    tiers: Vec<RollForward>,
    total: RollForward,
    /// The same figures in minor units at the program's point value, if it has one.
    money: Option<Money>,
    reconciled: bool,
}

#[derive(Debug, Serialize)]
struct Money {
    point_value: loyalty_core::program::PointValue,
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
    let money = program.redemption().point_value.map(|value| Money {
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
    let report = Liability {
        program: program.code(),
        currency: currency.code(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        booked: "entries count in the period they were booked in (recorded_at), in the program's time zone",
        tiers,
        total,
        money,
        reconciled,
    };
    Ok(Report { json: serde_json::to_value(&report).map_err(|e| ReportError::Invalid(e.to_string()))?, csv })
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
    let mut json = serde_json::to_value(&estimate).map_err(|e| ReportError::Invalid(e.to_string()))?;
    json["program"] = json!(program.code());
    json["from"] = json!(period.from.to_string());
    json["to"] = json!(period.to.to_string());
    json["window_from"] = json!(since);
    json["window_to"] = json!(until);
    json["as_of"] = json!(now);
    Ok(Report { json, csv })
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
    let top: Vec<Value> = k
        .top_rewards
        .iter()
        .map(|(reward, codes, points)| json!({"reward": reward, "redemptions": codes, "points": points}))
        .collect();
    let json = json!({
        "program": program.code(),
        "from": period.from.to_string(),
        "to": period.to.to_string(),
        "active_members_30_days": k.active_30_days,
        "active_members_90_days": k.active_90_days,
        "enrolments": k.enrolments,
        "open_members": k.members,
        "average_balance": k.average_balance,
        "points_earned": k.earned,
        "points_burned": k.burned,
        "redemption_rate": rate,
        "top_rewards": top,
    });
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
    Ok(Report { json, csv })
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
