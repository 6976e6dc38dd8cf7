//! Finance's reports over the API: the liability roll-forward, breakage and KPIs (JSON,
//! or CSV with `?format=csv`), and the donations per charity.

use crate::auth::{Access, Caller};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::reports::{self, Bound, Period, Report, ReportError};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use loyalty_core::event::Date;
use loyalty_core::{Points, Timestamp};
use loyalty_store::Store;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/v1/reports/liability", get(liability::<S>))
        .route("/v1/reports/breakage", get(breakage::<S>))
        .route("/v1/reports/kpis", get(kpis::<S>))
        .route("/v1/reports/donations", get(donations::<S>))
}

#[derive(Debug, Deserialize)]
struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> ApiError {
        match e {
            ReportError::Invalid(message) => ApiError::invalid_request(message),
            ReportError::Store(e) => e.into(),
        }
    }
}

fn respond(report: Report, format: Option<&str>) -> Result<Response, ApiError> {
    match format {
        None | Some("json") => Ok(Json(report.json).into_response()),
        Some("csv") => Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8")], report.csv).into_response()),
        Some(other) => Err(ApiError::invalid_request(format!("format: `{other}` is not json or csv"))),
    }
}

fn today<S: Store>(state: &AppState<S>, caller: &Caller) -> Date {
    caller.program.latest().program.calendar().local(state.clock.now_for(caller.program.id())).date()
}

/// The period of `from` and `to`, each a local day or an RFC 3339 instant (see `period.rs`).
fn period<S: Store>(state: &AppState<S>, caller: &Caller, query: &ReportQuery) -> Result<Period, ApiError> {
    Period::parse(query.from.as_deref(), query.to.as_deref(), today(state, caller))
        .map_err(ApiError::invalid_request)
}

async fn liability<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    caller.require(Access::Read)?;
    let period = period(&state, &caller, &query)?;
    let report = reports::liability(state.store.as_ref(), caller.program.latest(), period).await?;
    respond(report, query.format.as_deref())
}

async fn breakage<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    caller.require(Access::Read)?;
    let now = state.clock.now_for(caller.program.id());
    let default = Period::year_to(now, today(&state, &caller));
    let period = Period::parse_or(query.from.as_deref(), query.to.as_deref(), default)
        .map_err(ApiError::invalid_request)?;
    let report = reports::breakage(state.store.as_ref(), caller.program.latest(), period, now).await?;
    respond(report, query.format.as_deref())
}

async fn kpis<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    caller.require(Access::Read)?;
    let period = period(&state, &caller, &query)?;
    let report = reports::kpis(state.store.as_ref(), caller.program.latest(), period).await?;
    respond(report, query.format.as_deref())
}

/// Points donated in the period (by default, everything up to the end of today) per
/// charity, with their money value at the program's point value.
async fn donations<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    let everything =
        Period { from: Bound::At(Timestamp::from_micros(0)), to: Bound::Day(today(&state, &caller)) };
    let period = Period::parse_or(query.from.as_deref(), query.to.as_deref(), everything)
        .map_err(ApiError::invalid_request)?;
    let (from, to) =
        period.instants(caller.program.latest().program.calendar()).map_err(ApiError::invalid_request)?;
    let latest = caller.program.latest();
    let value = latest.program.redemption().point_value;
    let totals = state.store.donations(caller.program.id(), from, to).await?;
    let (mut points, mut money) = (0i64, 0i64);
    let charities: Vec<Value> = totals
        .iter()
        .map(|t| {
            let worth = value.map(|v| v.value_of(t.points).get());
            points += t.points.get();
            money += worth.unwrap_or(0);
            json!({ "charity": t.charity, "points": t.points, "donations": t.donations, "value_minor": worth })
        })
        .collect();
    Ok(Json(json!({
        "from": period.from.to_string(),
        "to": period.to.to_string(),
        "window_from": from,
        "window_to": to,
        "currency": latest.program.currency().code(),
        "charities": charities,
        "total_points": Points::new(points),
        "total_value_minor": value.map(|_| money),
    })))
}
