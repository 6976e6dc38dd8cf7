//! Finance's reports over the API: the liability roll-forward, breakage and KPIs (JSON,
//! or CSV with `?format=csv`), and the donations per charity.

use crate::auth::{Access, Caller};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::openapi::{Documented, doc};
use crate::reports::{self, Bound, BreakageReport, KpiReport, LiabilityReport, Period, Report, ReportError};
use crate::state::AppState;
use crate::weekly::{DEFAULT_WEEKS, MAX_WEEKS, WeeklyReport};
use aide::axum::ApiRouter;
use aide::axum::routing::get_with;
use aide::transform::TransformOperation;
use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use loyalty_core::event::Date;
use loyalty_core::{Points, Timestamp};
use loyalty_store::Store;
use schemars::{JsonSchema, json_schema};
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/reports/liability",
            get_with(liability::<S>, |op| {
                doc(
                    "liability_report",
                    "reports",
                    "The liability roll-forward of the period, per tier and in total",
                )(op)
                .answers::<200, LiabilityReport>("The roll-forward")
                .with(or_csv(
                    "unit,tier,opening,issued,redeemed,expired,donated,adjusted,return_loss,closing",
                ))
                .errors(&[422])
            }),
        )
        .api_route(
            "/v1/reports/breakage",
            get_with(breakage::<S>, |op| {
                doc(
                    "breakage_report",
                    "reports",
                    "The breakage rate, the liability it implies, and the cohorts of issued points",
                )(op)
                .answers::<200, BreakageReport>("The estimate")
                .with(or_csv("month,issued,redeemed,expired,reversed,open"))
                .errors(&[422])
            }),
        )
        .api_route(
            "/v1/reports/kpis",
            get_with(kpis::<S>, |op| {
                doc(
                    "kpi_report",
                    "reports",
                    "Active members, enrolments, points earned and burned, redemption rate, top rewards",
                )(op)
                .answers::<200, KpiReport>("The KPIs")
                .with(or_csv("metric,value"))
                .errors(&[422])
            }),
        )
        .api_route(
            "/v1/reports/weekly",
            get_with(weekly::<S>, |op| {
                doc(
                    "weekly_report",
                    "reports",
                    "Points earned and burned in each week (Monday to Sunday, local), up to this one",
                )(op)
                .answers::<200, WeeklyReport>("The weeks, oldest first")
                .with(or_csv("from,to,points_earned,points_burned"))
                .errors(&[422])
            }),
        )
        .api_route(
            "/v1/reports/donations",
            get_with(donations::<S>, |op| {
                doc(
                    "donation_report",
                    "reports",
                    "Points donated in the period per charity, with their money value",
                )(op)
                .answers::<200, DonationReport>("The donations")
                .errors(&[422])
            }),
        )
}

/// The CSV a report is also served as, beside its JSON answer of the same status (so it
/// follows `answers`; `answers_raw` would replace the JSON rather than add to it).
pub(super) fn or_csv(header: &'static str) -> impl FnOnce(TransformOperation<'_>) -> TransformOperation<'_> {
    move |mut op| {
        let csv = aide::openapi::MediaType {
            schema: Some(aide::openapi::SchemaObject {
                json_schema: json_schema!({
                    "type": "string",
                    "description": format!("With `format=csv`: a header line `{header}`, then one line per row."),
                }),
                example: None,
                external_docs: None,
            }),
            ..aide::openapi::MediaType::default()
        };
        let responses = op.inner_mut().responses.get_or_insert_with(Default::default);
        if let Some(aide::openapi::ReferenceOr::Item(ok)) =
            responses.responses.get_mut(&aide::openapi::StatusCode::Code(200))
        {
            ok.content.insert("text/csv".to_owned(), csv);
        }
        op
    }
}

/// The period and form of a report.
#[derive(Debug, Deserialize, JsonSchema)]
struct ReportQuery {
    /// The period's start; by default the first day of this month (for breakage, 365 days
    /// ago).
    #[schemars(with = "Option<Bound>")]
    from: Option<String>,
    /// The period's end; by default the end of today.
    #[schemars(with = "Option<Bound>")]
    to: Option<String>,
    /// `json` (the default) or `csv`.
    #[schemars(with = "Option<ReportFormat>")]
    format: Option<String>,
}

/// The forms a report is served in.
#[derive(Debug, Clone, Copy, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(super) enum ReportFormat {
    Json,
    Csv,
}

/// The period of the donations, which are served as JSON only.
#[derive(Debug, Deserialize, JsonSchema)]
struct DonationQuery {
    /// The period's start; by default the beginning.
    #[schemars(with = "Option<Bound>")]
    from: Option<String>,
    /// The period's end; by default the end of today.
    #[schemars(with = "Option<Bound>")]
    to: Option<String>,
}

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> ApiError {
        match e {
            ReportError::Invalid(message) => ApiError::invalid_request(message),
            ReportError::Store(e) => e.into(),
        }
    }
}

impl ReportFormat {
    pub(super) fn parse(text: Option<&str>) -> Result<ReportFormat, ApiError> {
        match text {
            None | Some("json") => Ok(ReportFormat::Json),
            Some("csv") => Ok(ReportFormat::Csv),
            Some(other) => Err(ApiError::invalid_request(format!("format: `{other}` is not json or csv"))),
        }
    }

    /// The report in this form: its JSON, or its CSV.
    pub(super) fn answer(self, json: impl Serialize, csv: String) -> Response {
        match self {
            ReportFormat::Json => Json(json).into_response(),
            ReportFormat::Csv => ([(CONTENT_TYPE, "text/csv; charset=utf-8")], csv).into_response(),
        }
    }
}

/// The format is read once the report is made, so that a bad period is the error a
/// request with both wrong is answered with.
fn respond(report: Report, format: Option<&str>) -> Result<Response, ApiError> {
    Ok(ReportFormat::parse(format)?.answer(report.json, report.csv))
}

pub(super) fn today<S: Store>(state: &AppState<S>, caller: &Caller) -> Date {
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

/// How many weeks, and in which form.
#[derive(Debug, Deserialize, JsonSchema)]
struct WeeklyQuery {
    /// Weeks up to and including this one, from 1 to 104; 26 if not given.
    #[schemars(with = "Option<u32>", range(min = 1, max = 104))]
    weeks: Option<String>,
    /// `json` (the default) or `csv`.
    #[schemars(with = "Option<ReportFormat>")]
    format: Option<String>,
}

async fn weekly<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiQuery(query): ApiQuery<WeeklyQuery>,
) -> Result<Response, ApiError> {
    caller.require(Access::Read)?;
    let weeks = match query.weeks.as_deref() {
        None => DEFAULT_WEEKS,
        Some(text) => text.parse().ok().filter(|n| (1..=MAX_WEEKS).contains(n)).ok_or_else(|| {
            ApiError::invalid_request(format!("weeks: `{text}` is not a whole number from 1 to {MAX_WEEKS}"))
        })?,
    };
    let format = ReportFormat::parse(query.format.as_deref())?;
    let program = &caller.program.latest().program;
    let today = today(&state, &caller);
    let (report, csv) =
        crate::weekly::weekly(state.store.as_ref(), caller.program.id(), program.calendar(), today, weeks)
            .await?;
    Ok(format.answer(report, csv))
}

/// Points donated in the period (by default, everything up to the end of today) per
/// charity, with their money value at the program's point value.
async fn donations<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiQuery(query): ApiQuery<DonationQuery>,
) -> Result<Json<DonationReport>, ApiError> {
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
    let charities = totals
        .iter()
        .map(|t| {
            let worth = value.map(|v| v.value_of(t.points).get());
            points += t.points.get();
            money += worth.unwrap_or(0);
            CharityDonations {
                charity: t.charity.clone(),
                points: t.points,
                donations: t.donations,
                value_minor: worth,
            }
        })
        .collect();
    Ok(Json(DonationReport {
        from: period.from.to_string(),
        to: period.to.to_string(),
        window_from: from,
        window_to: to,
        currency: latest.program.currency().code().to_owned(),
        charities,
        total_points: Points::new(points),
        total_value_minor: value.map(|_| money),
    }))
}

/// Points donated over a period, per charity.
#[derive(Debug, Serialize, JsonSchema)]
struct DonationReport {
    /// The period's start, as asked.
    #[schemars(with = "Bound")]
    from: String,
    /// The period's end, as asked.
    #[schemars(with = "Bound")]
    to: String,
    /// The instant the period starts (included).
    window_from: Timestamp,
    /// The instant the period ends (excluded).
    window_to: Timestamp,
    /// The program's currency (ISO 4217).
    currency: String,
    /// One line per charity given to in the period, by name.
    charities: Vec<CharityDonations>,
    total_points: Points,
    /// The points' worth in minor units at the program's point value; null when the
    /// program gives points no value.
    total_value_minor: Option<i64>,
}

/// What one charity was given over the period.
#[derive(Debug, Serialize, JsonSchema)]
struct CharityDonations {
    /// The charity, as the donation reward names it.
    charity: String,
    points: Points,
    /// How many donations were made to it.
    donations: i64,
    /// The points' worth in minor units; null when the program gives points no value.
    value_minor: Option<i64>,
}
