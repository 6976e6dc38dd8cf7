//! The API document: an OpenAPI 3.1 description of every route and every error code,
//! served at `GET /openapi.json` and checked in as `openapi.json` at the repository root.
//!
//! It is built from `operations()`, one entry per route and method, and from the error
//! codes: the engine's (`Rejection::ALL_CODES`) and the edge's own ([`STATUSES`]). The
//! API tests hold it to the code: its paths and methods must be those the router serves,
//! its codes those the code base can produce, and `openapi.json` must be what [`render`]
//! gives (`UPDATE_OPENAPI=1 cargo nextest run -p loyalty-server --test api openapi`
//! rewrites the file).
//!
//! Request and response schemas are coarse: objects with their main fields, most of them
//! open to more.

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use loyalty_core::Rejection;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::sync::LazyLock;

mod operations;
mod schemas;

use operations::operations;
use schemas::schemas;

/// `GET /openapi.json`: the document, needing no key.
pub async fn serve() -> Response {
    static TEXT: LazyLock<String> = LazyLock::new(render);
    ([(CONTENT_TYPE, "application/json")], TEXT.as_str()).into_response()
}

/// The document as `openapi.json` holds it: pretty, keys sorted, a newline at the end.
pub fn render() -> String {
    let mut text = serde_json::to_string_pretty(&sorted(document())).expect("a JSON value always serialises");
    text.push('\n');
    text
}

/// Keys in order whether or not serde_json preserves insertion order, so that the text
/// is the same in every build.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The edge's own error codes, and the rejections that `error.rs` does not answer with
/// 422, by status; every other rejection is a 422.
pub const STATUSES: &[(u16, &str, &[&str])] = &[
    (400, "The request could not be read", &["malformed_json", "malformed_request", "invalid_cursor"]),
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
        ],
    ),
    (413, "The body is over the limit of 1 MiB", &["payload_too_large"]),
    (415, "The body is not sent as application/json", &["unsupported_media_type"]),
    (
        422,
        "Refused: a field or the request is not acceptable",
        &["invalid_request", "invalid_program", "webhook_url_refused"],
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

/// The key a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    None,
    Read,
    Pos,
    Admin,
}

/// What a route takes as its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    None,
    /// A JSON body of this schema.
    Json(&'static str),
    /// No body, or a JSON body of this schema; no content type is needed.
    Optional(&'static str),
}

/// An answer that is not an error: its status, its description, and the media type and
/// schema of each form it comes in.
type Reply = (u16, &'static str, Vec<(&'static str, &'static str)>);

/// One route and method.
#[derive(Debug)]
struct Operation {
    method: &'static str,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    key: Key,
    body: Body,
    idempotent: bool,
    query: Vec<(&'static str, Value)>,
    replies: Vec<Reply>,
    errors: Vec<u16>,
}

fn op(method: &'static str, path: &'static str, id: &'static str, tag: &'static str) -> Operation {
    Operation {
        method,
        path,
        id,
        tag,
        summary: "",
        key: Key::Read,
        body: Body::None,
        idempotent: false,
        query: Vec::new(),
        replies: Vec::new(),
        errors: Vec::new(),
    }
}

impl Operation {
    fn says(mut self, summary: &'static str) -> Operation {
        self.summary = summary;
        self
    }

    fn key(mut self, key: Key) -> Operation {
        self.key = key;
        self
    }

    fn body(mut self, body: Body) -> Operation {
        self.body = body;
        self
    }

    /// A write that takes an `Idempotency-Key` and answers 201 with the event's outcome.
    fn idempotent(mut self) -> Operation {
        self.idempotent = true;
        self
    }

    fn query(mut self, name: &'static str, schema: Value) -> Operation {
        self.query.push((name, schema));
        self
    }

    fn ok(self, status: u16, schema: &'static str) -> Operation {
        let description = match status {
            201 => "Created",
            _ => "OK",
        };
        self.reply(status, description, schema)
    }

    fn reply(mut self, status: u16, description: &'static str, schema: &'static str) -> Operation {
        self.replies.push((status, description, vec![("application/json", schema)]));
        self
    }

    /// The last answer can also be CSV (`?format=csv`).
    fn or_csv(mut self) -> Operation {
        if let Some((_, _, content)) = self.replies.last_mut() {
            content.push(("text/csv", "Csv"));
        }
        self
    }

    /// The metrics answer in Prometheus text.
    fn text_reply(mut self) -> Operation {
        self.replies.push((200, "Prometheus text exposition", vec![("text/plain", "Metrics")]));
        self
    }

    /// A page or a file of the API reference, not JSON.
    fn page_reply(mut self, description: &'static str, media: &'static str) -> Operation {
        self.replies.push((200, description, vec![(media, "Page")]));
        self
    }

    fn errors(mut self, statuses: &[u16]) -> Operation {
        self.errors.extend_from_slice(statuses);
        self
    }
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

/// One end of a report's period: a local day of the program (as `from`, from its start;
/// as `to`, included to its end) or an RFC 3339 instant (as `to`, excluded).
fn bound() -> Value {
    json!({
        "description": "A local day of the program (YYYY-MM-DD; as `to`, the day is included) or an RFC 3339 \
            instant (as `to`, excluded).",
        "oneOf": [date(), instant()],
    })
}

fn instant() -> Value {
    json!({ "type": "string", "format": "date-time" })
}

fn format() -> Value {
    json!({ "type": "string", "enum": ["json", "csv"], "default": "json" })
}

impl Operation {
    /// Every status this route can answer an error with.
    fn error_statuses(&self) -> BTreeSet<u16> {
        let mut statuses: BTreeSet<u16> = self.errors.iter().copied().collect();
        statuses.extend([500, 503]);
        if self.key != Key::None {
            statuses.insert(401);
        }
        if matches!(self.key, Key::Pos | Key::Admin) {
            statuses.insert(403);
        }
        match self.body {
            Body::Json(_) => statuses.extend([400, 413, 415, 422]),
            Body::Optional(_) => statuses.extend([400, 413, 422]),
            Body::None => {}
        }
        let parsed = ["{external_id}", "{hold_id}", "/v1/rewards/codes/{", "/v1/gift-cards/{"];
        if parsed.iter().any(|p| self.path.contains(p)) {
            // An id of the wrong shape.
            statuses.insert(422);
        }
        if self.path.contains('{') || !self.query.is_empty() {
            // A path that cannot be read at all (not UTF-8), or a query parameter given
            // twice or of the wrong shape.
            statuses.insert(400);
        }
        if self.idempotent {
            // A reused key, and a key of the wrong shape.
            statuses.extend([409, 422]);
        }
        statuses
    }

    fn render(&self) -> Value {
        let mut parameters: Vec<Value> = path_parameters(self.path);
        for (name, schema) in &self.query {
            parameters.push(json!({ "name": name, "in": "query", "required": false, "schema": schema }));
        }
        if self.idempotent {
            parameters.push(json!({ "$ref": "#/components/parameters/IdempotencyKey" }));
        }
        let mut responses = Map::new();
        for (status, description, content) in &self.replies {
            let content: Map<String, Value> = content
                .iter()
                .map(|(media, schema)| (media.to_string(), json!({ "schema": reference(schema) })))
                .collect();
            let mut response = json!({ "description": description, "content": content });
            if self.idempotent {
                response["headers"] = json!({
                    "Idempotent-Replayed": { "$ref": "#/components/headers/IdempotentReplayed" }
                });
            }
            responses.insert(status.to_string(), response);
        }
        for status in self.error_statuses() {
            responses.insert(
                status.to_string(),
                json!({ "$ref": format!("#/components/responses/Error{status}") }),
            );
        }
        let role = match self.key {
            Key::None => "No key needed.",
            Key::Read => "Any key.",
            Key::Pos => "An `admin` or `pos` key.",
            Key::Admin => "An `admin` key.",
        };
        let mut operation = json!({
            "operationId": self.id,
            "tags": [self.tag],
            "summary": self.summary,
            "description": role,
            "responses": responses,
        });
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        if self.key == Key::None {
            operation["security"] = json!([]);
        }
        match self.body {
            Body::None => {}
            Body::Json(schema) => {
                operation["requestBody"] = json!({
                    "required": true,
                    "content": { "application/json": { "schema": reference(schema) } },
                });
            }
            Body::Optional(schema) => {
                operation["requestBody"] = json!({
                    "required": false,
                    "content": { "application/json": { "schema": reference(schema) } },
                });
            }
        }
        operation
    }
}

fn reference(schema: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{schema}") })
}

/// The parameters a path template names, in order.
fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let (description, schema) = match name {
                "external_id" => ("The member's external id", string()),
                "id" if path.starts_with("/v1/webhooks/deliveries/") => {
                    ("The delivery's id", json!({ "type": "integer" }))
                }
                "id" if path.starts_with("/v1/webhooks/") => ("The subscription's id", json!({ "type": "integer" })),
                "id" => ("The campaign's id", string()),
                "hold_id" => ("The hold's id", string()),
                "news" => (
                    "What billing reports",
                    json!({ "type": "string", "enum": ["renewal", "payment-failure", "cancellation"] }),
                ),
                "code" if path.starts_with("/v1/rewards/codes/") => ("An issued reward code", string()),
                "code" if path.starts_with("/v1/gift-cards/") => ("The gift card's code", string()),
                "code" => ("The reward's code in the catalogue", string()),
                _ => ("", string()),
            };
            json!({ "name": name, "in": "path", "required": true, "description": description, "schema": schema })
        })
        .collect()
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for operation in operations() {
        let item = paths.entry(operation.path).or_insert_with(|| json!({}));
        item[operation.method] = operation.render();
    }
    let codes = error_codes();
    let mut responses = Map::new();
    for (status, codes) in &codes {
        let what = STATUSES.iter().find(|(s, _, _)| s == status).map_or("", |(_, what, _)| *what);
        let listed: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
        responses.insert(
            format!("Error{status}"),
            json!({
                "description": format!("{what}. Codes: {}.", listed.join(", ")),
                "content": { "application/json": { "schema": {
                    "allOf": [{ "$ref": "#/components/schemas/Error" }],
                    "properties": { "error": { "properties": { "code": { "enum": codes } } } },
                } } },
            }),
        );
    }
    let every_code: Vec<&str> = codes.iter().flat_map(|(_, codes)| codes.iter().copied()).collect();
    let mut schemas = schemas();
    schemas["ErrorCode"] = json!({
        "type": "string",
        "description": "Every error code the API answers with; each response lists the codes of its status.",
        "enum": every_code,
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Loyalty engine API",
            "version": env!("CARGO_PKG_VERSION"),
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" },
            "description": "The HTTP API of the loyalty engine. JSON in and out; timestamps are RFC 3339. \
                Every route but `/health`, `/metrics`, `/openapi.json` and `/docs` needs `Authorization: Bearer <key>`; \
                a key belongs to one program and has a role: `admin`, `pos` or `read`. \
                Writes that record an event take an `Idempotency-Key`. Every error is \
                `{\"error\": {\"code\", \"message\"}}` with a stable code. Every response carries an \
                `x-request-id`. Schemas are coarse: the main fields of each object.",
        },
        "tags": [
            { "name": "system", "description": "Health, metrics and this document" },
            { "name": "members", "description": "Enrolment, profiles, erasure and the journal" },
            { "name": "events", "description": "Purchases, returns and activities" },
            { "name": "spending", "description": "Redemptions, adjustments and review decisions" },
            { "name": "program", "description": "The program's definition and versions" },
            { "name": "campaigns", "description": "Campaigns, each change a new program version" },
            { "name": "standing", "description": "Status, paid tiers and history" },
            { "name": "rewards", "description": "The reward catalogue" },
            { "name": "codes", "description": "Issued reward codes and gift cards at the till" },
            { "name": "holds", "description": "Checkout holds" },
            { "name": "reports", "description": "Liability, breakage, KPIs and donations" },
            { "name": "jobs", "description": "Due jobs and the test clock" },
            { "name": "webhooks", "description": "Webhook subscriptions and their deliveries" },
        ],
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key of the program, as `Authorization: Bearer <key>`.",
                },
            },
            "parameters": {
                "IdempotencyKey": {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": false,
                    "description": "The same key with the same body returns the first response and changes \
                        nothing; with another body it is `409 idempotency_key_reused`.",
                    "schema": { "type": "string" },
                },
            },
            "headers": {
                "IdempotentReplayed": {
                    "description": "`true` when the response repeats the stored result of an earlier request.",
                    "schema": { "type": "string", "enum": ["true"] },
                },
            },
            "responses": responses,
            "schemas": schemas,
        },
    })
}
