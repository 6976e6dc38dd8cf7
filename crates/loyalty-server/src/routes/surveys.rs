//! Surveys: the program's surveys, a member's answer (an event, decided like any other),
//! and the NPS and CSAT reports over a period (JSON, or CSV with `?format=csv`).

use super::engagement::member_counts;
use super::reports::{ReportFormat, or_csv, today};
use super::{Idempotency, MemberPath, field, occurred_at, submit};
use crate::auth::{Access, Caller, PosCaller};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::json::ApiJson;
use crate::openapi::{Documented, doc};
use crate::period::{Bound, Period};
use crate::state::AppState;
use crate::survey_report::{self, CsatReport, CsatTally, NpsReport, NpsTally, Window};
use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, post_with};
use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use loyalty_core::engage::view::counts;
use loyalty_core::event::SurveyAnswer;
use loyalty_core::feedback::report::breakdown;
use loyalty_core::feedback::{COUNTERS, NotDue, Survey, SurveyKind, SurveyOutcome, SurveyPeriod};
use loyalty_core::ids::{Comment, ExternalId, OrderId, SurveyCode};
use loyalty_core::{Event, Points, Rejection, Timestamp};
use loyalty_store::Store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/surveys",
            get_with(list::<S>, |op| {
                doc("list_surveys", "surveys", "The program's surveys: question, scale, points and how often")(op)
                    .answers::<200, SurveyList>("Every survey of the program")
            }),
        )
        .api_route(
            "/v1/members/{external_id}/surveys",
            get_with(member_surveys::<S>, |op| {
                doc(
                    "member_surveys",
                    "surveys",
                    "The program's surveys as one member may answer them now: which are due, and when the others will be",
                )(op)
                .answers::<200, MemberSurveys>("Each survey, due or not")
            }),
        )
        .api_route(
            "/v1/members/{external_id}/survey-responses",
            post_with(answer::<S>, |op| {
                doc("answer_survey", "surveys", "Record a member's answer to a survey; it earns its points")(op)
                    .answers::<201, SurveyOutcome>("The answer, its band, the points and the member's balance")
            }),
        )
        .api_route(
            "/v1/reports/nps",
            get_with(nps::<S>, |op| {
                doc(
                    "nps_report",
                    "surveys",
                    "Net Promoter Score of the period: promoters, passives, detractors, per tier and segment",
                )(op)
                .answers::<200, NpsReport>("The NPS")
                .with(or_csv(survey_report::csv_header(SurveyKind::Nps)))
                .errors(&[404, 422])
            }),
        )
        .api_route(
            "/v1/reports/csat",
            get_with(csat::<S>, |op| {
                doc("csat_report", "surveys", "Customer satisfaction of the period, per tier and segment")(op)
                    .answers::<200, CsatReport>("The CSAT")
                    .with(or_csv(survey_report::csv_header(SurveyKind::Csat)))
                    .errors(&[404, 422])
            }),
        )
}

/// The program's surveys.
#[derive(Debug, Serialize, JsonSchema)]
struct SurveyList {
    surveys: Vec<SurveyView>,
}

/// A survey as members are asked it.
#[derive(Debug, Serialize, JsonSchema)]
struct SurveyView {
    code: String,
    question: String,
    /// `nps` (scores 0–10) or `csat` (1–5).
    kind: SurveyKind,
    min_score: i64,
    max_score: i64,
    /// Points for answering.
    points: Points,
    /// `ever` (one answer per member) or `per_period`.
    once: &'static str,
    /// The period of `once = "per_period"`.
    period: Option<SurveyPeriod>,
    /// Days a member waits after answering before answering again.
    cooldown_days: u32,
}

impl SurveyView {
    fn of(s: &Survey) -> SurveyView {
        let (min_score, max_score) = s.kind.range();
        SurveyView {
            code: s.code.clone(),
            question: s.question.clone(),
            kind: s.kind,
            min_score,
            max_score,
            points: s.points,
            once: if s.per_period.is_some() { "per_period" } else { "ever" },
            period: s.per_period,
            cooldown_days: s.cooldown_days,
        }
    }
}

async fn list<S: Store>(State(_): State<AppState<S>>, caller: Caller) -> Result<Json<SurveyList>, ApiError> {
    caller.require(Access::Read)?;
    let surveys = caller.program.latest().program.surveys().iter().map(SurveyView::of).collect();
    Ok(Json(SurveyList { surveys }))
}

/// The surveys as one member may answer them now.
#[derive(Debug, Serialize, JsonSchema)]
struct MemberSurveys {
    member: ExternalId,
    surveys: Vec<MemberSurvey>,
}

/// A survey, and whether the member may answer it now.
#[derive(Debug, Serialize, JsonSchema)]
struct MemberSurvey {
    #[serde(flatten)]
    survey: SurveyView,
    /// Whether an answer now would be taken (and earn its points).
    due: bool,
    /// Why not, if not: `answered` (once ever), `answered_this_period` or `cooling_down`.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_due: Option<&'static str>,
    /// When the cooldown ends, if that is why.
    #[serde(skip_serializing_if = "Option::is_none")]
    due_at: Option<Timestamp>,
}

async fn member_surveys<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(external_id): MemberPath,
) -> Result<Json<MemberSurveys>, ApiError> {
    caller.require(Access::Read)?;
    let (_, counters, now) = member_counts(&state, &caller, &external_id, COUNTERS).await?;
    let program = &caller.program.at(now).program;
    let counts = counts(&counters);
    let surveys = program
        .surveys()
        .iter()
        .map(|survey| {
            let why = survey.not_due(program.calendar(), now, |c| counts.counter(c));
            MemberSurvey {
                survey: SurveyView::of(survey),
                due: why.is_none(),
                not_due: why.map(|why| match why {
                    NotDue::Answered => "answered",
                    NotDue::AnsweredThisPeriod(_) => "answered_this_period",
                    NotDue::CoolingDown { .. } => "cooling_down",
                }),
                due_at: match why {
                    Some(NotDue::CoolingDown { next }) => Some(next),
                    _ => None,
                },
            }
        })
        .collect();
    Ok(Json(MemberSurveys { member: external_id, surveys }))
}

/// A member's answer.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(example = serde_json::json!({ "survey": "after-visit", "score": 9, "comment": "Great coffee" }))]
struct AnswerRequest {
    /// The survey's code.
    #[schemars(with = "SurveyCode")]
    survey: String,
    /// On the survey's scale: 0–10 for NPS, 1–5 for CSAT.
    score: i64,
    /// What the member wrote, if anything.
    #[schemars(with = "Option<Comment>")]
    comment: Option<String>,
    /// The member's order the answer is about.
    #[schemars(with = "Option<OrderId>")]
    order_id: Option<String>,
    /// When the member answered (RFC 3339); now by default.
    #[schemars(with = "Option<Timestamp>")]
    occurred_at: Option<String>,
}

async fn answer<S: Store>(
    State(state): State<AppState<S>>,
    PosCaller(caller): PosCaller,
    MemberPath(member): MemberPath,
    idempotency: Idempotency,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> Result<Response, ApiError> {
    let now = state.clock.now_for(caller.program.id());
    let event = Event::Survey(SurveyAnswer {
        member: member.clone(),
        survey: field("survey", SurveyCode::parse(request.survey.as_str()))?,
        score: request.score,
        comment: request.comment.as_deref().map(|c| field("comment", Comment::parse(c))).transpose()?,
        order_id: request.order_id.as_deref().map(|o| field("order_id", OrderId::parse(o))).transpose()?,
        occurred_at: occurred_at(request.occurred_at.as_deref(), now)?,
    });
    submit(&state, &caller, event, idempotency, &("survey", member.as_str(), &request)).await
}

/// The period, form and survey of a feedback report.
#[derive(Debug, Deserialize, JsonSchema)]
struct FeedbackQuery {
    /// The period's start; by default the first day of this month.
    #[schemars(with = "Option<Bound>")]
    from: Option<String>,
    /// The period's end; by default the end of today.
    #[schemars(with = "Option<Bound>")]
    to: Option<String>,
    /// One survey's code; by default every survey of the report's kind.
    #[schemars(with = "Option<SurveyCode>")]
    survey: Option<String>,
    /// `json` (the default) or `csv`.
    #[schemars(with = "Option<ReportFormat>")]
    format: Option<String>,
}

async fn nps<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiQuery(query): ApiQuery<FeedbackQuery>,
) -> Result<Response, ApiError> {
    report(&state, &caller, &query, SurveyKind::Nps).await
}

async fn csat<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiQuery(query): ApiQuery<FeedbackQuery>,
) -> Result<Response, ApiError> {
    report(&state, &caller, &query, SurveyKind::Csat).await
}

async fn report<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    query: &FeedbackQuery,
    kind: SurveyKind,
) -> Result<Response, ApiError> {
    caller.require(Access::Read)?;
    let program = &caller.program.latest().program;
    let period = Period::parse(query.from.as_deref(), query.to.as_deref(), today(state, caller))
        .map_err(ApiError::invalid_request)?;
    let (window_from, window_to) = period.instants(program.calendar()).map_err(ApiError::invalid_request)?;
    // A survey of the other kind is as unknown to this report as one never defined.
    let survey = match query.survey.as_deref() {
        Some(code) => match program.survey(code) {
            Some(s) if s.kind == kind => Some(s.code.clone()),
            _ => return Err(Rejection::SurveyNotFound { survey: code.to_owned() }.into()),
        },
        None => None,
    };
    let format = ReportFormat::parse(query.format.as_deref())?;
    let counts = state
        .store
        .survey_scores(caller.program.id(), kind, window_from, window_to, survey.as_deref())
        .await?;
    let b = breakdown(kind, &counts);
    if matches!(format, ReportFormat::Csv) {
        return Ok(
            ([(CONTENT_TYPE, "text/csv; charset=utf-8")], survey_report::csv(kind, &b)).into_response()
        );
    }
    let window =
        Window { survey, from: period.from.to_string(), to: period.to.to_string(), window_from, window_to };
    Ok(match kind {
        SurveyKind::Nps => Json(survey_report::report(window, &b, NpsTally::of)).into_response(),
        SurveyKind::Csat => Json(survey_report::report(window, &b, CsatTally::of)).into_response(),
    })
}
