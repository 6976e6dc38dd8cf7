//! What every request leaves behind: an `x-request-id`, a sample in the metrics and one
//! log line.

use crate::metrics::{Metrics, UNMATCHED};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// The longest request id a client may choose; a longer one is replaced.
const MAX_REQUEST_ID: usize = 128;

/// The state of [`observe`]: the metrics it feeds and where request ids come from.
#[derive(Debug, Clone)]
pub struct Observer {
    metrics: Arc<Metrics>,
    ids: Arc<RequestIds>,
}

impl Observer {
    pub fn new(metrics: Arc<Metrics>) -> Observer {
        Observer { metrics, ids: Arc::new(RequestIds::new()) }
    }
}

/// Request ids such as `3f9a2c1b-42`: random per router, then a sequence, so that they
/// differ across restarts and sort within one.
#[derive(Debug)]
struct RequestIds {
    prefix: String,
    next: AtomicU64,
}

impl RequestIds {
    fn new() -> RequestIds {
        let mut bytes = [0u8; 4];
        let prefix = match getrandom::fill(&mut bytes) {
            Ok(()) => u32::from_be_bytes(bytes),
            // Without randomness the process id keeps two servers apart well enough.
            Err(_) => std::process::id(),
        };
        RequestIds { prefix: format!("{prefix:08x}"), next: AtomicU64::new(0) }
    }

    fn next(&self) -> HeaderValue {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::try_from(format!("{}-{n}", self.prefix)).unwrap_or(HeaderValue::from_static("unknown"))
    }
}

/// Who made a request, once its key is known: put in the request's extensions by
/// [`observe`] and filled by the key's check, so that the request's log line names the
/// program and the key (never the key itself).
#[derive(Debug, Clone, Default)]
pub struct Actor(Arc<Mutex<Option<Who>>>);

/// Who made a request: their program (none for the platform key) and how the audit trail
/// names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub program_code: String,
    pub program: Option<loyalty_store::ProgramId>,
    /// As a filter names them: `key:12`, `member:c-1001`, `platform`.
    pub label: String,
    /// In words: `till 4 (pos key)`.
    pub name: String,
}

impl Actor {
    /// Records the caller.
    pub fn set(&self, who: Who) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(who);
    }

    pub fn who(&self) -> Option<Who> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn get(&self) -> (String, String) {
        self.who().map(|who| (who.program_code, who.name)).unwrap_or_default()
    }
}

/// A client's own request id is kept when it is short and printable, so that it can go
/// into a log line as it is.
fn acceptable(id: &HeaderValue) -> bool {
    (1..=MAX_REQUEST_ID).contains(&id.len()) && id.as_bytes().iter().all(u8::is_ascii_graphic)
}

/// Gives the request an id (the client's, or a new one) that the response carries back,
/// runs it inside a span that names it, then counts it and logs one line: method, route
/// template (never the path, which may name a member), status, latency, request id, and
/// the program and key that made it (empty when no valid key was sent).
pub async fn observe(State(observer): State<Observer>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = match request.headers().get(REQUEST_ID).filter(|id| acceptable(id)) {
        Some(id) => id.clone(),
        None => {
            let id = observer.ids.next();
            request.headers_mut().insert(REQUEST_ID, id.clone());
            id
        }
    };
    let request_id = id.to_str().unwrap_or_default().to_owned();
    let actor = Actor::default();
    request.extensions_mut().insert(actor.clone());
    let method = request.method().clone();
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let route = matched.as_ref().map_or(UNMATCHED, MatchedPath::as_str);

    let span = tracing::info_span!("request", %method, route, request_id);
    let mut response = next.run(request).instrument(span).await;

    let latency = started.elapsed();
    let status = response.status();
    observer.metrics.request(&method, route, status, latency);
    response.headers_mut().insert(REQUEST_ID, id);
    let latency_ms = (latency.as_secs_f64() * 1e6).round() / 1e3;
    let (program, actor) = actor.get();
    tracing::info!(%method, route, status = status.as_u16(), latency_ms, request_id, program, actor, "request");
    response
}
