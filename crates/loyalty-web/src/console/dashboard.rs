//! The dashboard: this month's KPIs, the liability in points and money, breakage, NPS,
//! members per tier, top rewards, and points earned and burned per week for the last 26
//! weeks (one call of the weekly report).

use super::{Staff, failed};
use crate::chart::{Week, earn_burn};
use crate::page::{context, with};
use crate::web::Web;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use loyalty_store::Store;
use serde_json::json;

pub async fn show<S: Store>(State(web): State<Web<S>>, Staff(session): Staff) -> Response {
    let bearer = session.bearer.as_str();
    let (kpis, liability, breakage, nps, weekly) = tokio::join!(
        web.api.get(bearer, "/v1/reports/kpis"),
        web.api.get(bearer, "/v1/reports/liability"),
        web.api.get(bearer, "/v1/reports/breakage"),
        web.api.get(bearer, "/v1/reports/nps"),
        web.api.get(bearer, "/v1/reports/weekly?weeks=26"),
    );
    let (kpis, liability, breakage, nps, weekly) = match (kpis, liability, breakage, nps, weekly) {
        (Ok(k), Ok(l), Ok(b), Ok(n), Ok(w)) => (k, l, b, n, w),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), ..) | (_, _, _, Err(e), _) | (.., Err(e)) => {
            return failed(&web, &e);
        }
    };
    let weeks: Vec<Week> = weekly["weeks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| Week {
            label: w["from"].as_str().unwrap_or_default().to_owned(),
            earned: w["points_earned"].as_i64().unwrap_or(0),
            burned: w["points_burned"].as_i64().unwrap_or(0),
        })
        .collect();
    let program = crate::page::program(&web, session.program);
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
