//! The API document: an OpenAPI 3.1 description of every route, derived from the code.
//!
//! The routes are registered through aide (`app::api_routes`), which records each
//! operation as it registers its handler: the extractors say what the request carries
//! (key, path, query, body, `Idempotency-Key`; see `inputs`) and which errors they can
//! answer with, the route adds its name and its success bodies, and schemars derives
//! every schema from the request and response types as serde reads and writes them.
//! This module adds what is the same for every route: the error answers by status
//! (`errors`), the security scheme, and closing each object to fields it declares.
//!
//! The document is served at `GET /openapi.json` and checked in as `openapi.json` at the
//! repository root; `UPDATE_OPENAPI=1 cargo nextest run -p loyalty-server --test api
//! openapi` rewrites the file.

use aide::openapi::OpenApi;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};
use std::sync::LazyLock;

mod errors;
mod inputs;
mod route;

pub use errors::{STATUSES, error_codes};
pub use route::{Documented, answers_raw, doc, optional_body};

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

/// The schema generator the routes are documented with: JSON Schema 2020-12 (the dialect
/// of OpenAPI 3.1), every named type under `#/components/schemas/`, read as serde
/// deserialises, which for the engine's types is also what it writes: a field the
/// engine may leave out is one a reader may miss.
pub fn generator() -> SchemaGenerator {
    SchemaGenerator::new(SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "#/components/schemas/".into();
        s.meta_schema = None;
    }))
}

/// The whole document.
pub fn document() -> Value {
    let mut api = OpenApi::default();
    aide::generate::in_context(|ctx| ctx.schema = generator());
    let _ = crate::app::api_routes::<loyalty_store::SqlStore>().finish_api(&mut api);
    let mut document = serde_json::to_value(&api).expect("the document serialises");
    finish(&mut document);
    document
}

/// What every route shares, added to what aide derived.
fn finish(document: &mut Value) {
    document["openapi"] = json!("3.1.0");
    document["info"] = json!({
        "title": "Loyalty engine API",
        "version": env!("CARGO_PKG_VERSION"),
        "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" },
        "description": "The HTTP API of the loyalty engine. JSON in and out; timestamps are RFC 3339. \
            Every route but `/health`, `/metrics`, `/openapi.json` and `/docs` needs `Authorization: Bearer <key>`; \
            a key belongs to one program and has a role: `admin`, `pos`, `read` or `billing`; the platform key \
            manages programs under `/v1/admin/programs` and reaches nothing else. \
            Writes that record an event take an `Idempotency-Key`. Every error is \
            `{\"error\": {\"code\", \"message\"}}` with a stable code. Every response carries an \
            `x-request-id`.",
    });
    document["tags"] = json!([
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
        { "name": "engagement", "description": "Achievements, streaks and leaderboards" },
        { "name": "insight", "description": "RFM segments, churn risk and personalised offers" },
        { "name": "surveys", "description": "NPS and CSAT surveys, answers and their reports" },
        { "name": "keys", "description": "The program's API keys" },
        { "name": "platform", "description": "Programs, managed with the platform key" },
    ]);
    document["security"] = json!([{ "bearer": [] }]);
    if let Some(paths) = document["paths"].as_object_mut() {
        for item in paths.values_mut() {
            for operation in item.as_object_mut().into_iter().flat_map(|item| item.values_mut()) {
                finish_operation(operation);
            }
        }
        for (method, route) in crate::member_token::MEMBER_ROUTES {
            if let Some(operation) =
                paths.get_mut(*route).and_then(|item| item.get_mut(method.to_lowercase()))
            {
                operation["x-member-token"] = json!(true);
            }
        }
    }
    let components = &mut document["components"];
    components["securitySchemes"] = json!({
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key of the program, the platform key, or a member token \
                (`POST /v1/members/{external_id}/tokens`; on the operations marked `x-member-token`, \
                for its own member only), as `Authorization: Bearer <key>`.",
        },
    });
    components["headers"] = json!({
        "IdempotentReplayed": {
            "description": "`true` when the response repeats the stored result of an earlier request.",
            "schema": { "type": "string", "enum": ["true"] },
        },
    });
    components["responses"] = errors::shared_responses();
    components["schemas"]["ErrorCode"] = errors::every_code();
    components["schemas"]["Error"] = errors::any_error();
    if let Some(schemas) = components["schemas"].as_object_mut() {
        schemas.values_mut().for_each(close);
    }
}

fn finish_operation(operation: &mut Value) {
    let keyless = operation.get("security").is_none();
    if keyless {
        operation["security"] = json!([]);
        operation["description"] = json!("No key needed.");
    }
    let idempotent = operation["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
    let Some(responses) = operation["responses"].as_object_mut() else { return };
    for status in ["500", "503"] {
        responses.insert(status.to_owned(), Value::Null);
    }
    for (status, response) in responses.iter_mut() {
        // An error the route or its extractors may answer with is declared without a body:
        // every status has one shared answer. (`/health` says what its own 503 carries.)
        let placeholder = response.get("content").is_none();
        if (status.starts_with('4') || status.starts_with('5')) && placeholder {
            *response = json!({ "$ref": format!("#/components/responses/Error{status}") });
        } else if idempotent {
            response["headers"] =
                json!({ "Idempotent-Replayed": { "$ref": "#/components/headers/IdempotentReplayed" } });
        }
    }
    for response in responses.values_mut() {
        let content = response.get_mut("content").and_then(Value::as_object_mut);
        for media in content.into_iter().flat_map(|c| c.values_mut()) {
            close(&mut media["schema"]);
        }
    }
}

/// An object that lists its fields has those and no others: a client generated from the
/// document may rely on it, and the API tests hold every answer to it. An object made of
/// others (`allOf`, `$ref` beside fields) is left open, since each part sees only its own;
/// so is a schema without a `type`, which only adds conditions on some fields to an object
/// described elsewhere (a branch of a rule between fields).
fn close(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let composed = ["$ref", "allOf", "anyOf", "oneOf"].iter().any(|k| map.contains_key(*k));
            let described = map.contains_key("properties") && map.contains_key("type");
            if described && !composed && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".to_owned(), Value::Bool(false));
            }
            map.values_mut().for_each(close);
        }
        Value::Array(items) => items.iter_mut().for_each(close),
        _ => {}
    }
}

/// Keys in order whether or not serde_json preserves insertion order, so that the text
/// is the same in every build.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect::<Map<_, _>>())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
