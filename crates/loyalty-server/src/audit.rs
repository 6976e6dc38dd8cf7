//! The audit trail of the API: every successful write is recorded with who made it (the
//! key, member token or platform key that `Actor` names), what it was (the operation's id
//! in the API document) and the member it concerned. An administrator's change (a route
//! whose required role is `admin`, `billing` or `platform`) also keeps the state before
//! it (the nearest resource above it that can be read, such as the member for an
//! adjustment) and its answer after, with secrets and tokens taken out.

use crate::observe::{Actor, REQUEST_ID};
use crate::state::AppState;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use loyalty_store::{AuditEntry, ProgramId, Store};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;
use tower::ServiceExt;

/// The largest answer kept as `after`; a larger one is recorded without it.
const MAX_KEPT_BYTES: usize = 256 * 1024;

/// What the middleware needs: the state, and the routes themselves to read `before`.
#[derive(Debug)]
pub(crate) struct Auditor<S> {
    pub state: AppState<S>,
    pub reads: Router,
}

impl<S> Clone for Auditor<S> {
    fn clone(&self) -> Self {
        Auditor { state: self.state.clone(), reads: self.reads.clone() }
    }
}

/// What the document says of an operation: its id and required role.
#[derive(Debug, Clone)]
struct Operation {
    id: String,
    role: Option<String>,
}

/// Every operation by method and route, read from the API document once.
fn operations() -> &'static HashMap<(String, String), Operation> {
    static OPERATIONS: OnceLock<HashMap<(String, String), Operation>> = OnceLock::new();
    OPERATIONS.get_or_init(|| {
        let document = crate::openapi::document();
        let mut found = HashMap::new();
        for (route, item) in document["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let id = operation["operationId"].as_str().unwrap_or_default().to_owned();
                let role = operation["x-required-role"].as_str().map(str::to_owned);
                found.insert((method.to_uppercase(), route.clone()), Operation { id, role });
            }
        }
        found
    })
}

/// Takes out every `secret` and `token`: the trail never holds what lets one in.
fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| key != "secret" && key != "token");
            map.values_mut().for_each(redact);
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// The value of `{name}` of `route` in `path`.
fn segment<'a>(route: &str, path: &'a str, name: &str) -> Option<&'a str> {
    let at = route.split('/').position(|part| part == name)?;
    path.split('/').nth(at)
}

/// The nearest route at or above `route` that answers GET, as `path` fills it in.
fn readable(route: &str, path: &str) -> Option<String> {
    let parts: Vec<&str> = route.split('/').collect();
    let filled: Vec<&str> = path.split('/').collect();
    (3..=parts.len().min(filled.len())).rev().find_map(|n| {
        let above = parts[..n].join("/");
        operations().contains_key(&("GET".to_owned(), above)).then(|| filled[..n].join("/"))
    })
}

/// Records a successful write; the answer goes back as it was.
pub(crate) async fn record<S: Store>(
    State(auditor): State<Auditor<S>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method().is_safe() {
        return next.run(request).await;
    }
    let Some(route) = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()) else {
        return next.run(request).await;
    };
    let method = request.method().clone();
    let Some(operation) = operations().get(&(method.as_str().to_owned(), route.clone())).cloned() else {
        return next.run(request).await;
    };
    let path = request.uri().path().to_owned();
    let actor = request.extensions().get::<Actor>().cloned();
    let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let changes = matches!(operation.role.as_deref(), Some("admin" | "billing" | "platform"))
        && operation.id != "erase_member";
    // The list of every program is no one program's "before": its trail would show the others.
    let reads_before = changes && (operation.role.as_deref() != Some("platform") || route.contains("{code}"));
    let before = match (reads_before, request.headers().get(AUTHORIZATION)) {
        (true, Some(authorization)) => read(&auditor.reads, &route, &path, authorization.clone()).await,
        _ => None,
    };
    let response = next.run(request).await;
    if !response.status().is_success() {
        return response;
    }
    let Some(who) = actor.and_then(|a| a.who()) else { return response };
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "could not read an answer to audit it");
            return Response::from_parts(parts, Body::empty());
        }
    };
    let answer: Option<Value> = serde_json::from_slice(&bytes).ok();
    let member = segment(&route, &path, "{external_id}").map(str::to_owned).or_else(|| {
        let answer = answer.as_ref()?;
        answer["member"].as_str().or_else(|| answer["external_id"].as_str()).map(str::to_owned)
    });
    // An erasure is recorded under the member's new id: the old one is personal data.
    let (member, path) = match answer.as_ref().and_then(|a| a["external_id"].as_str()) {
        Some(new) if operation.id == "erase_member" => {
            let old = member.unwrap_or_default();
            let path: Vec<&str> = path.split('/').map(|part| if part == old { new } else { part }).collect();
            (Some(new.to_owned()), path.join("/"))
        }
        _ => (member, path),
    };
    let program = match who.program {
        Some(program) => Some(program),
        None => platform_program(&auditor.state, &route, &path, answer.as_ref()).await,
    };
    if let Some(program) = program {
        let after = answer.filter(|_| changes && bytes.len() <= MAX_KEPT_BYTES).map(|mut a| {
            redact(&mut a);
            a
        });
        let entry = AuditEntry {
            program,
            at: auditor.state.clock.now_for(program),
            actor: who.label,
            actor_name: who.name,
            action: operation.id,
            path,
            member,
            request_id,
            before,
            after,
        };
        // The write is made: a trail that cannot be written is an operator's alarm, not
        // the client's error.
        if let Err(e) = auditor.state.store.record_audit(&entry).await {
            tracing::error!(error = %e, action = entry.action, "could not record the audit trail of a write");
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// What the resource at or above `path` was before the write, read with the caller's key.
async fn read(
    reads: &Router,
    route: &str,
    path: &str,
    authorization: axum::http::HeaderValue,
) -> Option<Value> {
    let target = readable(route, path)?;
    let request = Request::builder()
        .method(Method::GET)
        .uri(target)
        .header(AUTHORIZATION, authorization)
        .body(Body::empty())
        .ok()?;
    let response = reads.clone().oneshot(request).await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let bytes = to_bytes(response.into_body(), MAX_KEPT_BYTES).await.ok()?;
    let mut value: Value = serde_json::from_slice(&bytes).ok()?;
    redact(&mut value);
    Some(value)
}

/// The program a platform write concerned: the `{code}` of its path, or the program it made.
async fn platform_program<S: Store>(
    state: &AppState<S>,
    route: &str,
    path: &str,
    answer: Option<&Value>,
) -> Option<ProgramId> {
    let code = segment(route, path, "{code}")
        .map(str::to_owned)
        .or_else(|| answer.and_then(|a| a["program"]["code"].as_str()).map(str::to_owned))?;
    state.store.program_by_code(&code).await.ok()?.map(|p| p.id)
}

/// Records a run of work outside the API — a job run, an import — as one row of the
/// program's trail, with what it did as `after`.
pub async fn record_run<S: Store>(
    store: &S,
    program: ProgramId,
    at: loyalty_core::Timestamp,
    (actor, action): (&str, &str),
    what: Value,
) -> Result<(), loyalty_store::StoreError> {
    let entry = AuditEntry {
        program,
        at,
        actor: actor.to_owned(),
        actor_name: actor.replace(':', " "),
        action: action.to_owned(),
        path: String::new(),
        member: None,
        request_id: None,
        before: None,
        after: Some(what),
    };
    store.record_audit(&entry).await.map(|_| ())
}
