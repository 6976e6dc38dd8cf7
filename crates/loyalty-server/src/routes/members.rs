//! Members: enrolment, the member with their balance, and their journal.

use super::{Idempotency, MemberPath, field, submit};
use crate::auth::{Access, Caller};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use loyalty_core::Event;
use loyalty_core::Rejection;
use loyalty_core::event::Enrolment;
use loyalty_core::ids::{Email, ExternalId, PersonName};
use loyalty_core::outcome::MemberView;
use loyalty_store::{LedgerEntry, Store};
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/v1/members", post(enrol::<S>))
        .route("/v1/members/{external_id}", get(show::<S>))
        .route("/v1/members/{external_id}/ledger", get(ledger::<S>))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrolRequest {
    external_id: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

async fn enrol<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    idempotency: Idempotency,
    ApiJson(request): ApiJson<EnrolRequest>,
) -> Result<Response, ApiError> {
    caller.require(Access::Pos)?;
    let event = Event::Enrol(Enrolment {
        member: field("external_id", ExternalId::parse(request.external_id.as_str()))?,
        email: request.email.as_deref().map(|e| field("email", Email::parse(e))).transpose()?,
        name: request.name.as_deref().map(|n| field("name", PersonName::parse(n))).transpose()?,
        occurred_at: state.clock.now(),
    });
    submit(&state, &caller, event, idempotency, &("enrol", &request)).await
}

async fn show<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(external_id): MemberPath,
) -> Result<Json<MemberView>, ApiError> {
    caller.require(Access::Read)?;
    state
        .store
        .member(caller.program.id, &external_id)
        .await?
        .map(Json)
        .ok_or_else(|| Rejection::MemberNotFound { external_id: external_id.to_string() }.into())
}

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

#[derive(Debug, Deserialize)]
struct PageQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

#[derive(Debug, Serialize)]
struct LedgerResponse {
    member: String,
    entries: Vec<LedgerEntry>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

async fn ledger<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(external_id): MemberPath,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    caller.require(Access::Read)?;
    let limit = match page.limit.as_deref() {
        None => DEFAULT_PAGE,
        Some(text) => text.parse::<u32>().ok().filter(|l| (1..=MAX_PAGE).contains(l)).ok_or_else(|| {
            ApiError::invalid_request(format!(
                "limit: must be a whole number from 1 to {MAX_PAGE}, not `{text}`"
            ))
        })?,
    };
    let before = page.cursor.as_deref().map(decode_cursor).transpose()?;
    let found = state.store.ledger(caller.program.id, &external_id, limit, before).await?;
    let body = LedgerResponse {
        member: external_id.to_string(),
        entries: found.entries,
        next_cursor: found.next_before.map(encode_cursor),
    };
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// Cursors are opaque to clients; inside they are the entry to continue below.
fn encode_cursor(before: i64) -> String {
    format!("e{before:x}")
}

fn decode_cursor(cursor: &str) -> Result<i64, ApiError> {
    cursor
        .strip_prefix('e')
        .and_then(|hex| i64::from_str_radix(hex, 16).ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_cursor",
                "cursor: use the next_cursor of a previous page",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        assert_eq!(decode_cursor(&encode_cursor(1234)).unwrap(), 1234);
        for bad in ["", "1234", "e", "ezz", "e-5", "e0"] {
            assert_eq!(decode_cursor(bad).unwrap_err().code(), "invalid_cursor", "{bad}");
        }
    }
}
