//! Leaderboards: a board's ranked entries for the current or previous period, and where
//! one member stands on each board. Only members who opted in are shown, by a display
//! name that is never their e-mail or external id.

use super::MemberPath;
use crate::auth::{Access, Caller};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::openapi::{Documented, doc};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::get_with;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_core::engage::leaderboard::{
    BoardMeasure, BoardPeriod, Leaderboard, PeriodSpan, Which, display_name, ranks,
};
use loyalty_core::ids::ExternalId;
use loyalty_core::{Rejection, Timestamp};
use loyalty_store::{BoardQuery, Store};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/leaderboards/{code}",
            get_with(board::<S>, |op| {
                doc(
                    "get_leaderboard",
                    "engagement",
                    "A leaderboard's ranked entries for the current or previous period",
                )(op)
                .answers::<200, BoardView>("The board's entries, best first; ties share a rank")
                .errors(&[400, 404])
            }),
        )
        .api_route(
            "/v1/members/{external_id}/leaderboards",
            get_with(member_boards::<S>, |op| {
                doc("member_leaderboards", "engagement", "A member's score and rank on each leaderboard")(op)
                    .answers::<200, MemberBoards>("Each board of the program, current period")
                    .errors(&[404])
            }),
        )
}

#[derive(Debug, Deserialize, JsonSchema)]
struct BoardPath {
    /// The board's code in the program.
    code: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct BoardParams {
    /// `current` (the default) or `previous`.
    #[schemars(extend("enum" = ["current", "previous"]))]
    period: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct BoardView {
    code: String,
    name: String,
    measure: BoardMeasure,
    period: PeriodView,
    /// At most the board's size; members tied at the cut beyond it are left off.
    entries: Vec<BoardEntry>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct PeriodView {
    /// `week`, `month`, `calendar_year` or `30d`.
    kind: BoardPeriod,
    /// `w2026-11-30` (its Monday), `m2026-11`, `y2026`, `30d2026-12-03` (its last day).
    key: String,
    starts_at: Timestamp,
    /// The first instant after the period.
    ends_at: Timestamp,
}

#[derive(Debug, Serialize, JsonSchema)]
struct BoardEntry {
    /// Competition ranking: members with equal scores share a rank, the next skips (1, 1, 3).
    rank: u32,
    /// The member's nickname, else first name and initial ("Ada L."), else "Member #…".
    display_name: String,
    score: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
struct MemberBoards {
    member: ExternalId,
    leaderboards: Vec<MemberBoard>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct MemberBoard {
    code: String,
    name: String,
    measure: BoardMeasure,
    period: PeriodView,
    score: i64,
    /// The member's rank among those shown; `null` unless they opted in, are in the
    /// board's scope and have a score above zero.
    rank: Option<i64>,
    opted_in: bool,
}

fn not_found(code: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "leaderboard_not_found",
        format!("the program has no leaderboard `{code}`"),
    )
}

fn query(board: &Leaderboard, span: &PeriodSpan) -> BoardQuery {
    BoardQuery {
        board: board.code.clone(),
        key: span.key.clone(),
        tiers: board.tiers.iter().map(ToString::to_string).collect(),
        tags: board.tags.iter().map(ToString::to_string).collect(),
        limit: board.size,
    }
}

fn period_view(board: &Leaderboard, span: &PeriodSpan) -> PeriodView {
    PeriodView { kind: board.period, key: span.key.clone(), starts_at: span.starts_at, ends_at: span.ends_at }
}

fn span(
    board: &Leaderboard,
    calendar: &loyalty_core::calendar::Calendar,
    now: Timestamp,
    which: Which,
) -> Result<PeriodSpan, ApiError> {
    board.period.span(calendar, now, which).ok_or_else(|| ApiError::internal("a period outside the calendar"))
}

async fn board<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiPath(BoardPath { code }): ApiPath<BoardPath>,
    ApiQuery(params): ApiQuery<BoardParams>,
) -> Result<Json<BoardView>, ApiError> {
    caller.require(Access::Read)?;
    let which = match params.period.as_deref() {
        None => Which::Current,
        Some(text) => Which::parse(text).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_period",
                format!("period: must be `current` or `previous`, not `{text}`"),
            )
        })?,
    };
    let now = state.clock.now_for(caller.program.id());
    let program = &caller.program.at(now).program;
    let board = program.leaderboard(&code).ok_or_else(|| not_found(&code))?;
    let span = span(board, program.calendar(), now, which)?;
    let rows = state.store.leaderboard_top(caller.program.id(), &query(board, &span)).await?;
    let scores: Vec<i64> = rows.iter().map(|r| r.score).collect();
    let entries = rows
        .iter()
        .zip(ranks(&scores))
        .map(|(row, rank)| BoardEntry {
            rank,
            display_name: display_name(row.nickname.as_deref(), row.name.as_deref(), row.member_id),
            score: row.score,
        })
        .collect();
    Ok(Json(BoardView {
        code: board.code.clone(),
        name: board.name.clone(),
        measure: board.measure,
        period: period_view(board, &span),
        entries,
    }))
}

async fn member_boards<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(external_id): MemberPath,
) -> Result<Json<MemberBoards>, ApiError> {
    caller.require(Access::Read)?;
    let now = state.clock.now_for(caller.program.id());
    let view = state
        .store
        .member(caller.program.at(now), &external_id, now)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: external_id.to_string() })?;
    let program = &caller.program.at(now).program;
    let mut leaderboards = Vec::new();
    for board in program.leaderboards() {
        let span = span(board, program.calendar(), now, Which::Current)?;
        let (score, ahead) =
            state.store.leaderboard_standing(caller.program.id(), &external_id, &query(board, &span)).await?;
        let in_scope = (board.tiers.is_empty()
            || view.tier.as_deref().is_some_and(|t| board.tiers.iter().any(|c| c.as_str() == t)))
            && (board.tags.is_empty()
                || board.tags.iter().any(|tag| view.tags.iter().any(|t| t == tag.as_str())));
        let shown = view.leaderboard_opt_in && in_scope && score > 0 && !view.status.is_closed();
        leaderboards.push(MemberBoard {
            code: board.code.clone(),
            name: board.name.clone(),
            measure: board.measure,
            period: period_view(board, &span),
            score,
            rank: shown.then_some(ahead + 1),
            opted_in: view.leaderboard_opt_in,
        });
    }
    Ok(Json(MemberBoards { member: external_id, leaderboards }))
}
