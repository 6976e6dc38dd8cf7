//! The HTTP routes, one module per resource, and what their handlers share.

pub mod audit;
pub mod campaigns;
pub mod catalog;
pub mod codes;
pub mod engagement;
pub mod erasure;
pub mod events;
pub mod health;
pub mod holds;
pub mod jobs;
pub mod keys;
pub mod leaderboards;
pub mod member_search;
pub mod member_tokens;
pub mod members;
mod paging;
pub mod platform;
pub mod program;
pub mod reports;
pub mod rewards;
pub mod segments;
pub mod standing;
pub mod surveys;
pub mod webhooks;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::secrets::fingerprint;
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use loyalty_core::ids::{ExternalId, FieldError, IdempotencyKey};
use loyalty_core::{Event, Outcome, Timestamp};
use loyalty_store::{Command, Store};
use serde::Serialize;

const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on a response that repeats the stored result of an earlier identical request.
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The optional `Idempotency-Key` header of a write.
#[derive(Debug)]
pub struct Idempotency(pub Option<IdempotencyKey>);

impl<S: Send + Sync> FromRequestParts<S> for Idempotency {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Idempotency, ApiError> {
        let Some(value) = parts.headers.get(IDEMPOTENCY_KEY) else {
            return Ok(Idempotency(None));
        };
        let text = value.to_str().map_err(|_| ApiError::invalid_request("Idempotency-Key must be ASCII"))?;
        IdempotencyKey::parse(text)
            .map(|k| Idempotency(Some(k)))
            .map_err(|e| ApiError::invalid_request(e.to_string()))
    }
}

/// The `{external_id}` of a member route, parsed.
#[derive(Debug)]
pub struct MemberPath(pub ExternalId);

impl<S: Send + Sync> FromRequestParts<S> for MemberPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<MemberPath, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| crate::extract::path_error(&e))?;
        ExternalId::parse(raw).map(MemberPath).map_err(|e| ApiError::invalid_request(e.to_string()))
    }
}

/// An id from the path or the query, read by hand so that a bad one is a 422 naming the
/// field, as a bad field of a body is.
pub fn positive_number(field: &str, text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        ApiError::invalid_request(format!("{field}: must be a positive whole number, not `{text}`"))
    })
}

/// Names a field as the request spelt it when its value is refused.
pub fn field<T>(name: impl std::fmt::Display, parsed: Result<T, FieldError>) -> Result<T, ApiError> {
    parsed.map_err(|e| ApiError::invalid_request(format!("{name}: {}", e.problem)))
}

/// An optional RFC 3339 time from a request; absent means now.
pub fn occurred_at(text: Option<&str>, now: Timestamp) -> Result<Timestamp, ApiError> {
    match text {
        None => Ok(now),
        Some(t) => {
            Timestamp::parse_rfc3339(t).map_err(|e| ApiError::invalid_request(format!("occurred_at: {e}")))
        }
    }
}

/// Applies an event for the caller's program and answers 201 with its outcome, or with
/// the stored outcome of the identical request this one retries.
pub async fn submit<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    event: Event,
    idempotency: Idempotency,
    request: &impl Serialize,
) -> Result<Response, ApiError> {
    // An event is judged by the version of the program in force when it occurred.
    let program = caller.program.at(event.occurred_at()).clone();
    let kind = event.kind();
    let command = Command {
        event,
        idempotency_key: idempotency.0,
        fingerprint: fingerprint(request)?,
        now: state.clock.now_for(caller.program.id()),
        recorded_segment: None,
    };
    let result = state.store.submit(&program, &command).await;
    state.metrics.decided(program.program.code(), kind, &result);
    let submitted = result.map_err(|e| ApiError::from_store(e, &program.program))?;
    let mut response = outcome_body(&submitted.outcome);
    *response.status_mut() = StatusCode::CREATED;
    if submitted.replayed {
        response.headers_mut().insert(REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The body of an outcome, without the tag the store keeps it under.
fn outcome_body(outcome: &Outcome) -> Response {
    match outcome {
        Outcome::Member(o) => Json(o).into_response(),
        Outcome::Purchase(o) => Json(o).into_response(),
        Outcome::Return(o) => Json(o).into_response(),
        Outcome::Redemption(o) => Json(o).into_response(),
        Outcome::Adjustment(o) => Json(o).into_response(),
        Outcome::Earning(o) => Json(o).into_response(),
        Outcome::Review(o) => Json(o).into_response(),
        Outcome::Job(o) => Json(o).into_response(),
        Outcome::Hold(o) => Json(o).into_response(),
        Outcome::Code(o) => Json(o).into_response(),
        Outcome::Survey(o) => Json(o).into_response(),
    }
}
