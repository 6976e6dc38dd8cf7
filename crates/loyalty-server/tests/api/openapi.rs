//! The API document: generated from the code, checked in as `openapi.json`, served at
//! `GET /openapi.json`, and held to the router and to the error codes the code base can
//! produce.
//!
//! When the document and the file differ, regenerate the file:
//! `UPDATE_OPENAPI=1 cargo nextest run -p loyalty-server --test api openapi`.

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method};
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use http_body_util::BodyExt;
use loyalty_core::Rejection;
use loyalty_server::openapi;
use loyalty_testkit::{TestApp, TestDb};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tower::ServiceExt;

const REGENERATE: &str = "UPDATE_OPENAPI=1 cargo nextest run -p loyalty-server --test api openapi";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn openapi_json_is_the_generated_document() {
    let path = crate_dir().join("../../openapi.json");
    let generated = openapi::render();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != generated {
        let (line, (file, code)) = checked_in
            .lines()
            .chain(std::iter::repeat(""))
            .zip(generated.lines().chain(std::iter::repeat("")))
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .unwrap();
        panic!(
            "openapi.json is not the document the code generates; at line {}\n  openapi.json: {file:?}\n  generated:    {code:?}\n\
             regenerate it with\n  {REGENERATE}\nand commit it",
            line + 1
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_is_served_without_a_key() {
    let app = TestApp::start(TestDb::sqlite()).await;
    let got = app.send(Method::GET, "/openapi.json", None, &[("authorization", "")]).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert_eq!(got.header("content-type"), Some("application/json"));
    let generated: Value = serde_json::from_str(&openapi::render()).unwrap();
    assert_eq!(got.body, generated);
}

#[test]
fn openapi_document_is_well_formed() {
    let document = openapi::document();
    assert_eq!(document["openapi"], "3.1.0");
    let mut refs = Vec::new();
    collect_refs(&document, &mut refs);
    for reference in &refs {
        let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("{reference}: not a local $ref"));
        assert!(document.pointer(pointer).is_some(), "{reference} points at nothing");
    }
    let mut ids = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        let named: BTreeSet<&str> =
            path.split('/').filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}')).collect();
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap();
            assert!(ids.insert(id.to_owned()), "operationId {id} twice");
            let declared: BTreeSet<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(declared, named, "{method} {path}: path parameters");
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{method} {path}: no success response");
            for (status, response) in responses {
                let known = status.len() == 3 && status.chars().all(|c| c.is_ascii_digit());
                assert!(known, "{method} {path}: response {status}");
                assert!(response["description"].is_string() || response["$ref"].is_string());
            }
        }
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(target)) => refs.push(target.clone()),
                    _ => collect_refs(value, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

/// Every method a route could take; HEAD comes with GET.
const METHODS: [Method; 7] =
    [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE, Method::OPTIONS, Method::TRACE];

/// Tells, in a header, which route template answered.
async fn name_the_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(route) = route.and_then(|r| HeaderValue::from_str(&r).ok()) {
        response.headers_mut().insert("x-openapi-test-route", route);
    }
    response
}

/// The paths and methods the router serves must be exactly those the document lists.
/// The router cannot list its routes, so every path template written in a `.route(` call
/// in this crate's source (and every documented one) is asked with every method, without
/// a key; a (template, method) is served when a route answered and not with 405.
/// Routes written but not merged into the router are not served, and need no entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_exactly_the_routes_the_router_serves() {
    let document = openapi::document();
    let mut documented = BTreeMap::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let open = operation["security"].as_array().is_some_and(Vec::is_empty);
            documented.insert((path.clone(), method.to_uppercase()), open);
        }
    }
    let mut candidates: BTreeSet<String> = route_templates_in_source();
    assert!(
        candidates.contains("/v1/members/{external_id}"),
        "the source walk found no routes: {candidates:?}"
    );
    candidates.extend(documented.keys().map(|(path, _)| path.clone()));

    let app = TestApp::start(TestDb::sqlite()).await;
    let router = app.router.clone().layer(from_fn(name_the_route));
    let mut served = BTreeMap::new();
    for template in &candidates {
        let uri: String = template
            .split('/')
            .map(|segment| if segment.starts_with('{') { "probe" } else { segment })
            .collect::<Vec<_>>()
            .join("/");
        for method in METHODS {
            let request = Request::builder().method(method.clone()).uri(&uri).body(Body::empty()).unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let route =
                response.headers().get("x-openapi-test-route").map(|v| v.to_str().unwrap().to_owned());
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let Some(route) = route else { continue };
            if status == 405 && body["error"]["code"] == "method_not_allowed" {
                continue;
            }
            served.insert((route, method.as_str().to_owned()), status);
        }
    }

    let undocumented: Vec<_> = served.keys().filter(|k| !documented.contains_key(*k)).collect();
    let unserved: Vec<_> = documented.keys().filter(|k| !served.contains_key(*k)).collect();
    assert!(
        undocumented.is_empty() && unserved.is_empty(),
        "the document and the router differ (register the route with `.api_route(` so that it documents \
         itself, then regenerate openapi.json with `{REGENERATE}`)\n  served, not documented: {undocumented:?}\n  \
         documented, not served: {unserved:?}"
    );
    // What the document says about keys holds: a route that needs one answers 401 without
    // (or, once this walk's keyless requests pass the address's rate limit, 429).
    for ((path, method), open) in &documented {
        let status = served[&(path.clone(), method.clone())];
        if *open {
            assert!(status != 401 && status != 429, "{method} {path} is documented as needing no key");
        } else {
            assert!(matches!(status, 401 | 429), "{method} {path} is documented as needing a key: {status}");
        }
    }
}

/// Every `.rs` file under this crate's `src`, with its text.
fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, found: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                found.push((path, text));
            }
        }
    }
    let mut found = Vec::new();
    walk(&crate_dir().join("src"), &mut found);
    found
}

/// The path templates of every `.route("...", ...)` and `.api_route("...", ...)` in the source.
fn route_templates_in_source() -> BTreeSet<String> {
    let mut templates = BTreeSet::new();
    for (file, text) in sources() {
        for unseen in [".nest(", ".nest_service(", ".route_service("] {
            assert!(
                !text.contains(unseen),
                "{}: `{unseen}` adds routes this test cannot see; teach route_templates_in_source about it",
                file.display()
            );
        }
        let calls = text.match_indices(".route(").chain(text.match_indices(".api_route("));
        for (at, call) in calls {
            let rest = text[at + call.len()..].trim_start();
            let template = rest
                .strip_prefix('"')
                .and_then(|r| r.split_once('"'))
                .map(|(template, _)| template)
                .unwrap_or_else(|| panic!("{}: a .route( whose path is not a literal", file.display()));
            templates.insert(template.to_owned());
        }
    }
    templates
}

/// The document's codes by status, from its error responses.
fn documented_codes(document: &Value) -> BTreeMap<String, u16> {
    let mut codes = BTreeMap::new();
    for (name, response) in document["components"]["responses"].as_object().unwrap() {
        let status: u16 = name.strip_prefix("Error").unwrap().parse().unwrap();
        let schema = &response["content"]["application/json"]["schema"];
        for code in schema["properties"]["error"]["properties"]["code"]["enum"].as_array().unwrap() {
            let code = code.as_str().unwrap().to_owned();
            if let Some(other) = codes.insert(code.clone(), status) {
                panic!("{code} is listed under {other} and {status}");
            }
        }
    }
    codes
}

/// Every error code the code base can produce is in the document, under the status it is
/// answered with, and the document lists no other.
#[test]
fn openapi_lists_every_error_code_under_its_status() {
    let document = openapi::document();
    let documented = documented_codes(&document);
    let enumerated: BTreeSet<String> = document["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        enumerated,
        documented.keys().cloned().collect::<BTreeSet<_>>(),
        "ErrorCode and the responses"
    );

    let mut produced = BTreeMap::new();
    for (code, status) in rejection_statuses() {
        produced.insert(code, Some(status));
    }
    for (file, status, code) in edge_codes() {
        let known = produced.entry(code.clone()).or_insert(status);
        if known.is_none() {
            *known = status;
        }
        if let (Some(status), Some(listed)) = (status, documented.get(&code)) {
            assert_eq!(
                *listed, status,
                "{code} ({file}) is answered with {status} but documented under {listed}"
            );
        }
    }
    for (code, status) in &produced {
        let listed = documented.get(code).unwrap_or_else(|| {
            panic!("{code} can be answered but is not in the document: add it to openapi::STATUSES")
        });
        if let Some(status) = status {
            assert_eq!(listed, status, "{code} is answered with {status} but documented under {listed}");
        }
    }
    let stale: Vec<&String> = documented.keys().filter(|c| !produced.contains_key(*c)).collect();
    assert!(stale.is_empty(), "documented but never produced: {stale:?}");
}

/// Each rejection's code and status: the codes of `Rejection::code`, which must be those
/// of `Rejection::ALL_CODES`, and the status `error.rs` gives the variant.
fn rejection_statuses() -> BTreeMap<String, u16> {
    let core = std::fs::read_to_string(crate_dir().join("../loyalty-core/src/rejection.rs")).unwrap();
    let body = &core[core.find("pub fn code(&self)").unwrap()..];
    let body = &body[..body.find("\n    }\n").unwrap()];
    let mut code_of = BTreeMap::new();
    for arm in body.split("Rejection::").skip(1) {
        let variant: String = arm.chars().take_while(char::is_ascii_alphanumeric).collect();
        let code = arm.split_once("=> \"").and_then(|(_, rest)| rest.split_once('"')).unwrap().0;
        code_of.insert(variant, code.to_owned());
    }
    let mut listed: Vec<&str> = code_of.values().map(String::as_str).collect();
    listed.sort_unstable();
    let mut all = Rejection::ALL_CODES.to_vec();
    all.sort_unstable();
    assert_eq!(all, listed, "Rejection::ALL_CODES and Rejection::code");

    let error = std::fs::read_to_string(crate_dir().join("src/error.rs")).unwrap();
    let block = &error[error.find("fn rejection_status(").unwrap()..];
    let block = &block[block.find("match rejection {").unwrap()..];
    let block = &block[..block.find("\n    }\n").unwrap()];
    let mut marks: Vec<(usize, bool, String)> = Vec::new();
    for (prefix, is_status) in [("Rejection::", false), ("StatusCode::", true)] {
        for (at, _) in block.match_indices(prefix) {
            let name: String = block[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            marks.push((at, is_status, name));
        }
    }
    marks.sort();
    let (mut pending, mut status_of, mut default) = (Vec::new(), BTreeMap::new(), None);
    for (_, is_status, name) in marks {
        if !is_status {
            pending.push(name);
        } else if pending.is_empty() {
            default = Some(status_code(&name).unwrap());
        } else {
            for variant in pending.drain(..) {
                status_of.insert(variant, status_code(&name).unwrap());
            }
        }
    }
    let default = default.expect("error.rs answers other rejections with one status");
    for variant in status_of.keys() {
        assert!(code_of.contains_key(variant), "error.rs names {variant}, which Rejection::code does not");
    }
    code_of
        .into_iter()
        .map(|(variant, code)| (code, status_of.get(&variant).copied().unwrap_or(default)))
        .collect()
}

/// Every code given to `ApiError::new` in this crate's source: its file, its status when
/// that is written as a `StatusCode`, and the code.
fn edge_codes() -> Vec<(String, Option<u16>, String)> {
    let mut found = Vec::new();
    for (file, text) in sources() {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for (at, _) in text.match_indices("ApiError::new(") {
            let args = arguments(&text[at + "ApiError::new(".len()..]);
            assert!(args.len() == 3, "{name}: ApiError::new with {} arguments", args.len());
            if name == "error.rs" && args[1] == "rejection.code()" {
                continue; // a rejection, listed by rejection_statuses
            }
            let code = args[1].strip_prefix('"').and_then(|c| c.strip_suffix('"')).unwrap_or_else(|| {
                panic!("{name}: ApiError::new with a code that is not a literal: {}", args[1])
            });
            let status = args[0]
                .strip_prefix("StatusCode::")
                .map(|s| status_code(s).unwrap_or_else(|| panic!("{name}: teach status_code about {s}")));
            found.push((name.clone(), status, code.to_owned()));
        }
    }
    assert!(found.iter().any(|(_, _, code)| code == "method_not_allowed"), "the walk found no ApiError::new");
    found
}

/// The arguments of a call, from just after its `(`, trimmed.
fn arguments(text: &str) -> Vec<String> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut args, mut current) = (Vec::new(), String::new());
    for c in text.chars() {
        if in_string {
            current.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        args.push(current.trim().to_owned());
    }
    args
}

fn status_code(name: &str) -> Option<u16> {
    Some(match name {
        "BAD_REQUEST" => 400,
        "UNAUTHORIZED" => 401,
        "FORBIDDEN" => 403,
        "NOT_FOUND" => 404,
        "METHOD_NOT_ALLOWED" => 405,
        "CONFLICT" => 409,
        "PAYLOAD_TOO_LARGE" => 413,
        "UNSUPPORTED_MEDIA_TYPE" => 415,
        "UNPROCESSABLE_ENTITY" => 422,
        "TOO_MANY_REQUESTS" => 429,
        "INTERNAL_SERVER_ERROR" => 500,
        "SERVICE_UNAVAILABLE" => 503,
        _ => return None,
    })
}

/// The check every API test's answer goes through holds bodies to the document exactly.
mod answers_are_checked {
    use loyalty_testkit::contract::check;
    use serde_json::json;

    const JSON: Option<&str> = Some("application/json");

    #[test]
    fn an_answer_as_documented_passes() {
        check("GET", "/health", 200, JSON, &json!({ "status": "ok" }));
        check("GET", "/v1/nowhere", 404, JSON, &json!({ "error": { "code": "not_found", "message": "no" } }));
    }

    #[test]
    #[should_panic(expected = "does not fit the document")]
    fn a_field_the_document_does_not_declare_fails() {
        check("GET", "/health", 200, JSON, &json!({ "status": "ok", "uptime": 3 }));
    }

    #[test]
    #[should_panic(expected = "does not fit the document")]
    fn a_required_field_missing_fails() {
        check("GET", "/v1/admin/clock", 200, JSON, &json!({ "settable": true }));
    }

    #[test]
    #[should_panic(expected = "does not fit the document")]
    fn a_value_outside_its_enum_fails() {
        check("GET", "/health", 200, JSON, &json!({ "status": "fine" }));
    }

    #[test]
    #[should_panic(expected = "does not fit the document")]
    fn an_error_code_of_another_status_fails() {
        let body = json!({ "error": { "code": "member_not_found", "message": "no" } });
        check("POST", "/v1/members", 409, JSON, &body);
    }

    #[test]
    #[should_panic(expected = "the document does not say this route answers 418")]
    fn a_status_the_route_does_not_document_fails() {
        check("GET", "/health", 418, JSON, &json!({ "status": "ok" }));
    }
}

/// Every example the document gives fits the schema it is given for: the examples a
/// reader copies from `/docs` are bodies the server takes.
#[test]
fn every_example_fits_its_schema() {
    let document = openapi::document();
    let mut examples = Vec::new();
    collect_examples(&document["components"], "/components", &mut examples);
    assert!(examples.len() >= 7, "the request bodies' examples are missing: {examples:?}");
    for (pointer, schema, example) in examples {
        let mut schema = schema.clone();
        if let Some(object) = schema.as_object_mut() {
            object.remove("examples");
            object.insert("components".to_owned(), document["components"].clone());
        }
        let validator =
            jsonschema::draft202012::options().should_validate_formats(true).build(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&example).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "the example at {pointer} does not fit its schema: {errors:?}\n{example}");
    }
}

fn collect_examples<'a>(value: &'a Value, at: &str, found: &mut Vec<(String, &'a Value, Value)>) {
    match value {
        Value::Object(map) => {
            for example in map.get("examples").and_then(Value::as_array).into_iter().flatten() {
                found.push((at.to_owned(), value, example.clone()));
            }
            for (key, inner) in map {
                if key != "examples" {
                    collect_examples(inner, &format!("{at}/{key}"), found);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_examples(item, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}
