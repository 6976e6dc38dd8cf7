//! The dashboard: this month's KPIs, the liability in points and money, breakage, NPS,
//! top rewards, and points earned and burned per week for the last 26 weeks.

use super::{Staff, failed};
use crate::chart::{Week, earn_burn};
use crate::page::{context, with};
use crate::web::Web;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use futures_util::future::join_all;
use jiff::ToSpan;
use jiff::civil::Date;
use loyalty_store::{ProgramId, Store};
use serde_json::json;

/// Weeks in the earn/burn chart.
const WEEKS: i64 = 26;

pub async fn show<S: Store>(State(web): State<Web<S>>, Staff(session): Staff) -> Response {
    let bearer = session.bearer.as_str();
    let (kpis, liability, breakage, nps) = tokio::join!(
        web.api.get(bearer, "/v1/reports/kpis"),
        web.api.get(bearer, "/v1/reports/liability"),
        web.api.get(bearer, "/v1/reports/breakage"),
        web.api.get(bearer, "/v1/reports/nps"),
    );
    let (kpis, liability, breakage, nps) = match (kpis, liability, breakage, nps) {
        (Ok(k), Ok(l), Ok(b), Ok(n)) => (k, l, b, n),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => return failed(&web, &e),
    };
    let program = crate::page::program(&web, session.program);
    let weeks =
        match weekly(&web, bearer, session.program, program["time_zone"].as_str().unwrap_or("UTC")).await {
            Ok(weeks) => weeks,
            Err(e) => return failed(&web, &e),
        };
    let chart = earn_burn(&weeks, program["points_name"].as_str().unwrap_or("points"));
    let page = json!({
        "kpis": kpis,
        "liability": liability,
        "breakage": breakage,
        "nps": nps,
        // Drawn here from numbers only; the template marks it `safe`.
        "chart": chart,
    });
    web.renderer.page(
        StatusCode::OK,
        "console/dashboard.html",
        with(context(&web, &session, "dashboard"), page),
    )
}

/// Points earned and burned in each of the last [`WEEKS`] weeks (Monday to Sunday in the
/// program's time zone), oldest first, as the KPI report counts them.
async fn weekly<S: Store>(
    web: &Web<S>,
    bearer: &str,
    program: i64,
    zone: &str,
) -> Result<Vec<Week>, crate::api::Refusal> {
    let now = web.state.clock.now_for(ProgramId(program));
    let today = jiff::Timestamp::from_microsecond(now.as_micros())
        .map(|t| jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC).to_datetime(t).date())
        .unwrap_or(Date::constant(2026, 1, 1));
    let monday = today.saturating_sub(i64::from(today.weekday().to_monday_zero_offset()).days());
    let starts: Vec<Date> = (0..WEEKS).rev().map(|back| monday.saturating_sub((back * 7).days())).collect();
    let reports = join_all(starts.iter().map(|start| {
        let end = start.saturating_add(6.days());
        let path = format!("/v1/reports/kpis?from={start}&to={end}");
        async move { web.api.get(bearer, &path).await }
    }))
    .await;
    starts
        .into_iter()
        .zip(reports)
        .map(|(start, report)| {
            let report = report?;
            Ok(Week {
                label: start.to_string(),
                earned: report["points_earned"].as_i64().unwrap_or(0),
                burned: report["points_burned"].as_i64().unwrap_or(0),
            })
        })
        .collect()
}
