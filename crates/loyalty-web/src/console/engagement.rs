//! Engagement: achievements with how many members completed each, every leaderboard's
//! current standings, and the surveys with this month's NPS.

use super::{Staff, failed};
use crate::api::escape;
use crate::page::{context, with};
use crate::web::Web;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use futures_util::future::join_all;
use loyalty_store::{ProgramId, Store};
use serde_json::json;

pub async fn show<S: Store>(State(web): State<Web<S>>, Staff(session): Staff) -> Response {
    let bearer = session.bearer.as_str();
    let (achievements, surveys, nps) = tokio::join!(
        web.api.get(bearer, "/v1/achievements"),
        web.api.get(bearer, "/v1/surveys"),
        web.api.get(bearer, "/v1/reports/nps"),
    );
    let (achievements, surveys, nps) = match (achievements, surveys, nps) {
        (Ok(a), Ok(s), Ok(n)) => (a, s, n),
        (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => return failed(&web, &e),
    };
    // The boards are named by the program; their standings come from the API.
    let codes: Vec<String> = web
        .state
        .programs
        .get(ProgramId(session.program))
        .map(|v| v.latest().program.definition().leaderboards.iter().map(|b| b.code.clone()).collect())
        .unwrap_or_default();
    let api = &web.api;
    let boards = join_all(codes.iter().map(|code| {
        let path = format!("/v1/leaderboards/{}", escape(code));
        async move { api.get(bearer, &path).await }
    }))
    .await
    .into_iter()
    .collect::<Result<Vec<_>, _>>();
    let boards = match boards {
        Ok(boards) => boards,
        Err(refusal) => return failed(&web, &refusal),
    };
    let page = json!({
        "achievements": achievements["achievements"],
        "boards": boards,
        "surveys": surveys["surveys"],
        "nps": nps,
    });
    web.renderer.page(
        StatusCode::OK,
        "console/engagement.html",
        with(context(&web, &session, "engagement"), page),
    )
}
