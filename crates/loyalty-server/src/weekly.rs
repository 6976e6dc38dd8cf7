//! Points earned and burned week by week (Monday to Sunday in the program's time zone),
//! the weeks up to this one: the console's earn/burn chart, in one pass over the postings.

use crate::reports::ReportError;
use jiff::ToSpan;
use jiff::civil::Date;
use loyalty_core::calendar::Calendar;
use loyalty_store::{ProgramId, Store};
use schemars::JsonSchema;
use serde::Serialize;

/// The weeks a report covers when not asked: half a year.
pub const DEFAULT_WEEKS: u32 = 26;
/// The most weeks one report covers: two years.
pub const MAX_WEEKS: u32 = 104;

/// Points earned and burned in each week, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct WeeklyReport {
    weeks: Vec<WeekFlows>,
}

/// One week's flows, counted as the KPI report counts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct WeekFlows {
    /// The week's Monday.
    #[schemars(with = "loyalty_core::schema::DateText")]
    from: String,
    /// Its Sunday.
    #[schemars(with = "loyalty_core::schema::DateText")]
    to: String,
    /// Points issued, less those returns took back.
    points_earned: i64,
    /// Points spent (redeemed and donated), less those given back.
    points_burned: i64,
}

/// The Mondays of the `weeks` weeks up to the one holding `today`, oldest first.
pub fn mondays(today: Date, weeks: u32) -> Vec<Date> {
    let monday = today.saturating_sub(i64::from(today.weekday().to_monday_zero_offset()).days());
    (0..i64::from(weeks)).rev().map(|back| monday.saturating_sub((back * 7).days())).collect()
}

pub async fn weekly<S: Store>(
    store: &S,
    program: ProgramId,
    calendar: &Calendar,
    today: Date,
    weeks: u32,
) -> Result<(WeeklyReport, String), ReportError> {
    let mondays = mondays(today, weeks);
    let next = mondays.last().map(|m| m.saturating_add(7.days()));
    let bounds = mondays
        .iter()
        .chain(next.iter())
        .map(|day| calendar.instant(day.to_datetime(jiff::civil::Time::midnight())))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| ReportError::Invalid("weeks: those weeks are outside the calendar".to_owned()))?;
    let flows = store.point_flows(program, &bounds).await?;
    let weeks: Vec<WeekFlows> = mondays
        .iter()
        .zip(flows)
        .map(|(monday, (earned, burned))| WeekFlows {
            from: monday.to_string(),
            to: monday.saturating_add(6.days()).to_string(),
            points_earned: earned,
            points_burned: burned,
        })
        .collect();
    let mut csv = String::from("from,to,points_earned,points_burned\n");
    for w in &weeks {
        csv.push_str(&format!("{},{},{},{}\n", w.from, w.to, w.points_earned, w.points_burned));
    }
    Ok((WeeklyReport { weeks }, csv))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_run_monday_to_sunday_and_end_with_this_one() {
        // A Thursday: this week began on Monday 30 November.
        let thursday = Date::constant(2026, 12, 3);
        assert_eq!(
            mondays(thursday, 3),
            [Date::constant(2026, 11, 16), Date::constant(2026, 11, 23), Date::constant(2026, 11, 30)]
        );
        assert_eq!(mondays(Date::constant(2026, 11, 30), 1), [Date::constant(2026, 11, 30)]);
        assert_eq!(mondays(Date::constant(2026, 12, 6), 1), [Date::constant(2026, 11, 30)]);
    }
}
