//! The member portal at `/portal/`: a member opens the link with their token (made by
//! `POST /v1/members/{id}/tokens`), which is exchanged at once for a cookie and taken out
//! of the address bar; then they see their points and redeem them, on a phone first.

mod home;
mod survey;

use crate::api::Refusal;
use crate::page::see_other;
use crate::session::{self, PORTAL, Session};
use crate::web::Web;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use loyalty_server::member_token;
use loyalty_server::sealed::random_hex;
use loyalty_store::Store;
use serde::Deserialize;
use serde_json::json;

pub fn router<S: Store>(web: Web<S>) -> Router {
    Router::new()
        .route("/portal", get(|| async { see_other("/portal/", &[]) }))
        .route("/portal/", get(entry::<S>))
        .route("/portal/redeem", post(home::redeem::<S>))
        .route("/portal/leaderboards", post(home::leaderboards::<S>))
        .route("/portal/survey", post(survey::answer::<S>))
        .with_state(web)
}

#[derive(Debug, Default, Deserialize)]
pub struct Entry {
    token: Option<String>,
    /// What the member just did, for the page to confirm (`survey`).
    done: Option<String>,
}

/// `/portal/?token=…` starts a session and leaves the token out of the address; `/portal/`
/// shows the member's page.
async fn entry<S: Store>(
    State(web): State<Web<S>>,
    headers: HeaderMap,
    Query(entry): Query<Entry>,
) -> Response {
    match entry.token {
        Some(token) => open(&web, &token).await,
        None => home::show(&web, &headers, entry.done.as_deref()).await,
    }
}

async fn open<S: Store>(web: &Web<S>, token: &str) -> Response {
    let Ok(holder) = member_token::verify(&web.state, token.trim()).await else {
        return closed(web, StatusCode::UNAUTHORIZED);
    };
    let csrf = match random_hex() {
        Ok(csrf) => csrf,
        Err(_) => return closed(web, StatusCode::INTERNAL_SERVER_ERROR),
    };
    let session = Session {
        bearer: token.trim().to_owned(),
        role: "member".to_owned(),
        who: holder.member.as_str().to_owned(),
        program: holder.program.0,
        csrf,
        expires_at: holder.expires_at,
    };
    match session::start(web, PORTAL, &session).await {
        // A page, not a redirect, moves on to /portal/: a link followed from a mail or
        // another site is a cross-site navigation, and a SameSite=Strict cookie set by a
        // redirect in it would not be sent to the page it leads to.
        Ok(cookie) => {
            let mut page = web.renderer.page(StatusCode::OK, "portal/opening.html", json!({}));
            if let Ok(value) = cookie.parse() {
                page.headers_mut().append(axum::http::header::SET_COOKIE, value);
            }
            page
        }
        Err(_) => closed(web, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The page for a visitor without a working link: what to do, and nothing of anyone.
pub(crate) fn closed<S>(web: &Web<S>, status: StatusCode) -> Response {
    web.renderer.page(
        status,
        "message.html",
        json!({
            "title": "Your loyalty page",
            "message": "This link has expired or is not valid. Open the newest link you were sent, or ask at the till for a new one.",
        }),
    )
}

/// The request's portal session, or the page that says the link is needed.
pub(crate) async fn member<S: Store>(web: &Web<S>, headers: &HeaderMap) -> Result<Session, Response> {
    session::current(web, PORTAL, headers).await.ok_or_else(|| closed(web, StatusCode::UNAUTHORIZED))
}

/// The portal session that sent a form, if the form carries its CSRF token; otherwise the
/// page that says so.
pub(crate) async fn member_form<S: Store>(
    web: &Web<S>,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<Session, Response> {
    let session = member(web, headers).await?;
    if session.csrf_matches(csrf) {
        return Ok(session);
    }
    Err(web.renderer.page(
        StatusCode::FORBIDDEN,
        "message.html",
        json!({"title": "Not done", "message": "This form is out of date. Open your page again and try from there.", "back": "/portal/"}),
    ))
}

/// A page that says why the API refused, or the closed page if the token no longer works.
pub(crate) fn failed<S>(web: &Web<S>, refusal: &Refusal) -> Response {
    if refusal.signed_out() {
        return closed(web, StatusCode::UNAUTHORIZED);
    }
    web.renderer.page(
        refusal.status,
        "message.html",
        json!({"title": "Not done", "message": refusal.message, "back": "/portal/"}),
    )
}
