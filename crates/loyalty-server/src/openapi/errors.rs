//! The error answers of the document: every error code under the one status it is
//! answered with, and one shared response per status that every route refers to.

use aide::generate::GenContext;
use aide::openapi::{Operation, Response};
use loyalty_core::Rejection;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The edge's own error codes, and the rejections that `error.rs` does not answer with
/// 422, by status; every other rejection is a 422.
pub const STATUSES: &[(u16, &str, &[&str])] = &[
    (
        400,
        "The request could not be read",
        &["malformed_json", "json_too_deep", "malformed_request", "invalid_cursor", "invalid_period"],
    ),
    (401, "No valid API key was sent", &["unauthorized"]),
    (403, "The key's role does not allow this", &["forbidden"]),
    (
        404,
        "Not found",
        &[
            "member_not_found",
            "reward_not_found",
            "order_not_found",
            "campaign_not_found",
            "tier_not_found",
            "reward_code_not_found",
            "hold_not_found",
            "leaderboard_not_found",
            "key_not_found",
            "segment_not_found",
            "survey_not_found",
            "program_not_found",
            "not_found",
        ],
    ),
    (405, "The route does not take this method", &["method_not_allowed"]),
    (
        409,
        "In conflict with what is stored",
        &[
            "member_already_exists",
            "idempotency_key_reused",
            "order_already_recorded",
            "campaign_already_exists",
            "campaign_already_ended",
            "test_clock_off",
            "member_closed",
            "member_suspended",
            "status_unchanged",
            "member_not_closed",
            "already_subscribed",
            "reward_already_exists",
            "reward_archived",
            "reward_not_active",
            "reward_out_of_stock",
            "reward_limit_reached",
            "reward_already_used",
            "reward_cancelled",
            "reward_expired",
            "gift_card_insufficient_balance",
            "gift_card_partly_used",
            "hold_not_open",
            "hold_expired",
            "member_has_open_holds",
            "survey_already_answered",
            "survey_cooling_down",
            "program_archived",
            "program_already_exists",
        ],
    ),
    (413, "The body is over the limit of 1 MiB", &["payload_too_large"]),
    (415, "The body is not sent as application/json", &["unsupported_media_type"]),
    (
        422,
        "Refused: a field or the request is not acceptable",
        &["invalid_request", "string_too_long", "invalid_program", "webhook_url_refused"],
    ),
    (
        429,
        "Past the rate limit of the key, or of the address for requests without a valid key; `Retry-After` says how many seconds to wait",
        &["rate_limited"],
    ),
    (500, "An internal error; its cause is logged, never sent", &["internal_error"]),
    (
        503,
        "The server is at its limit of connections, or the request ran past its time limit (30 s) and was abandoned; try again shortly",
        &["too_many_connections", "request_timeout"],
    ),
];

/// Every error code by status, as the document lists them.
pub fn error_codes() -> Vec<(u16, Vec<&'static str>)> {
    let placed: BTreeSet<&str> = STATUSES.iter().flat_map(|(_, _, codes)| codes.iter().copied()).collect();
    STATUSES
        .iter()
        .map(|&(status, _, codes)| {
            let mut codes = codes.to_vec();
            if status == 422 {
                codes.extend(Rejection::ALL_CODES.iter().filter(|code| !placed.contains(*code)));
            }
            (status, codes)
        })
        .collect()
}

/// What an extractor or a route says it may answer: one error response per status. Its
/// content is filled in once for the whole document (see [`shared_responses`]): each
/// operation's error responses end up as references to `#/components/responses/Error{status}`.
pub fn may_answer(statuses: &[u16]) -> Vec<(Option<u16>, Response)> {
    statuses.iter().map(|&status| (Some(status), Response::default())).collect()
}

/// Adds error responses to an operation, from a route's own transform.
pub fn add_errors(operation: &mut Operation, statuses: &[u16]) {
    let responses = operation.responses.get_or_insert_with(Default::default);
    for (status, response) in may_answer(statuses) {
        if let Some(status) = status {
            responses
                .responses
                .entry(aide::openapi::StatusCode::Code(status))
                .or_insert(aide::openapi::ReferenceOr::Item(response));
        }
    }
}

/// The inferred-response hook of an extractor that may refuse with these statuses.
pub fn early(_: &mut GenContext, statuses: &[u16]) -> Vec<(Option<u16>, Response)> {
    may_answer(statuses)
}

/// `components.responses`: one response per status, whose body's code is one of that
/// status's codes.
pub fn shared_responses() -> Value {
    let mut responses = serde_json::Map::new();
    for (status, codes) in error_codes() {
        let what = STATUSES.iter().find(|(s, _, _)| *s == status).map_or("", |(_, what, _)| *what);
        let listed: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
        responses.insert(
            format!("Error{status}"),
            json!({
                "description": format!("{what}. Codes: {}.", listed.join(", ")),
                "content": { "application/json": { "schema": error_body(&codes) } },
            }),
        );
    }
    Value::Object(responses)
}

/// The error body with its code one of `codes`.
fn error_body(codes: &[&str]) -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "additionalProperties": false,
        "properties": { "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": false,
            "properties": {
                "code": { "type": "string", "enum": codes },
                "message": { "type": "string", "description": "For people; names the field when one is at fault." },
            },
        } },
    })
}

/// `Error`: the error body with any code, for a client that reads every error alike.
pub fn any_error() -> Value {
    let mut body = error_body(&[]);
    body["description"] = json!("An error answer: the status's own response lists the codes it may carry.");
    body["properties"]["error"]["properties"]["code"] = json!({ "$ref": "#/components/schemas/ErrorCode" });
    body
}

/// `ErrorCode`: every code the API answers with.
pub fn every_code() -> Value {
    let every: Vec<&str> = error_codes().into_iter().flat_map(|(_, codes)| codes).collect();
    json!({
        "type": "string",
        "description": "Every error code the API answers with; each response lists the codes of its status.",
        "enum": every,
    })
}

/// A handler's own errors are declared by its route (`Documented::errors`), and 500 and
/// 503 by every route; the type says nothing more.
impl aide::operation::OperationOutput for crate::error::ApiError {
    type Inner = ();
}
