//! Webhook subscriptions and their delivery log over the API (admin).

use crate::auth::AdminCaller;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::json::ApiJson;
use crate::openapi::{Documented, doc};
use crate::routes::positive_number as number;
use crate::secrets::new_webhook_secret;
use crate::state::AppState;
use crate::webhooks::{DispatchReport, dispatch_due};
use aide::axum::ApiRouter;
use aide::axum::routing::{delete_with, get_with, post_with};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_core::Timestamp;
use loyalty_store::{Delivery, DeliveryAttempt, Store, WEBHOOK_EVENT_TYPES, WebhookSubscription};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/webhooks",
            get_with(list::<S>, |op| {
                doc(
                    "list_webhooks",
                    "webhooks",
                    "The webhook subscriptions, and the event types one can name",
                )(op)
                .answers::<200, WebhookList>("The subscriptions")
            })
            .post_with(create::<S>, |op| {
                doc(
                    "create_webhook",
                    "webhooks",
                    "Subscribe a URL to event types; the answer shows the signing secret, once",
                )(op)
                .answers::<201, WebhookSubscription>("The subscription, with its secret")
            }),
        )
        .api_route(
            "/v1/webhooks/{id}",
            delete_with(remove::<S>, |op| {
                doc(
                    "remove_webhook",
                    "webhooks",
                    "End a subscription; its deliveries not yet sent are cancelled",
                )(op)
                .answers::<200, WebhookRemoved>("The subscription, ended")
                .errors(&[404])
            }),
        )
        .api_route(
            "/v1/webhooks/deliveries",
            get_with(deliveries::<S>, |op| {
                doc("list_deliveries", "webhooks", "The delivery log, newest first")(op)
                    .answers::<200, DeliveryPage>("A page of the log")
                    .errors(&[422])
            }),
        )
        .api_route(
            "/v1/webhooks/deliveries/{id}",
            get_with(delivery::<S>, |op| {
                doc("get_delivery", "webhooks", "One delivery with its attempts")(op)
                    .answers::<200, DeliveryDetail>("The delivery")
                    .errors(&[404])
            }),
        )
        .api_route(
            "/v1/webhooks/deliveries/{id}/replay",
            post_with(replay::<S>, |op| {
                doc("replay_delivery", "webhooks", "Send a delivery again")(op)
                    .answers::<200, DeliveryReplayed>("The delivery, due again")
                    .errors(&[404])
            }),
        )
        .api_route(
            "/v1/webhooks/dispatch",
            post_with(dispatch::<S>, |op| {
                doc("dispatch_webhooks", "webhooks", "Send every delivery of the caller's program due now")(
                    op,
                )
                .answers::<200, DispatchRun>("What the round did")
            }),
        )
}

/// The name of an event type a subscription may ask for: one of the store's list, which
/// the schema is made from so that the two cannot part.
enum WebhookEventType {}

impl JsonSchema for WebhookEventType {
    fn schema_name() -> Cow<'static, str> {
        "WebhookEventType".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A kind of event a webhook subscription may be sent.",
            "enum": WEBHOOK_EVENT_TYPES,
        })
    }
}

/// The `{id}` of a subscription.
#[derive(Debug, Deserialize, JsonSchema)]
struct WebhookPath {
    /// The subscription's id.
    // Read by hand, so that a bad one is refused as a bad query number is.
    #[schemars(with = "i64", range(min = 1))]
    id: String,
}

/// The `{id}` of a delivery.
#[derive(Debug, Deserialize, JsonSchema)]
struct DeliveryPath {
    /// The delivery's id.
    // Read by hand, so that a bad one is refused as a bad query number is.
    #[schemars(with = "i64", range(min = 1))]
    id: String,
}

fn not_found(what: &str, id: i64) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no {what} {id} in this program"))
}

/// A URL to subscribe to event types.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct WebhookRequest {
    /// An absolute `https` URL (or `http`, on a server that allows private webhooks) with
    /// a host that resolves to public addresses only, and no user name or password.
    #[schemars(url)]
    url: String,
    #[schemars(with = "Vec<WebhookEventType>", length(min = 1))]
    event_types: Vec<String>,
    /// The key deliveries are signed with, 16 to 256 visible ASCII characters; made if
    /// not given.
    #[serde(default)]
    #[schemars(length(min = 16, max = 256), pattern(r"^[!-~]+$"))]
    secret: Option<String>,
}

async fn create<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiJson(body): ApiJson<WebhookRequest>,
) -> Result<(StatusCode, Json<WebhookSubscription>), ApiError> {
    // The URL is never echoed: it may carry credentials.
    reqwest::Url::parse(&body.url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| ApiError::invalid_request("url: must be an absolute http(s) URL with a host"))?;
    let url = state.webhooks.targets.check(&body.url).await.map_err(|refusal| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "webhook_url_refused", format!("url: {refusal}"))
    })?;
    if body.event_types.is_empty() {
        return Err(ApiError::invalid_request("event_types: name at least one"));
    }
    if let Some(unknown) = body.event_types.iter().find(|t| !WEBHOOK_EVENT_TYPES.contains(&t.as_str())) {
        return Err(ApiError::invalid_request(format!(
            "event_types: `{unknown}` is not one of {}",
            WEBHOOK_EVENT_TYPES.join(", ")
        )));
    }
    let secret = match body.secret {
        Some(s) if s.len() >= 16 && s.len() <= 256 && s.chars().all(|c| c.is_ascii_graphic()) => s,
        Some(_) => {
            return Err(ApiError::invalid_request("secret: must be 16 to 256 visible ASCII characters"));
        }
        None => new_webhook_secret()?,
    };
    let made = state
        .store
        .add_webhook(caller.program.id(), url.as_str(), &secret, &body.event_types, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(made)))
}

async fn list<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<WebhookList>, ApiError> {
    let mut webhooks = state.store.webhooks(caller.program.id()).await?;
    for s in &mut webhooks {
        s.url = without_credentials(&s.url);
    }
    Ok(Json(WebhookList { webhooks, event_types: &WEBHOOK_EVENT_TYPES }))
}

/// The program's subscriptions, and the event types one can name.
#[derive(Debug, Serialize, JsonSchema)]
struct WebhookList {
    webhooks: Vec<WebhookSubscription>,
    #[schemars(with = "Vec<WebhookEventType>")]
    event_types: &'static [&'static str],
}

/// A URL stored before credentials were refused is listed without them.
fn without_credentials(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            // Both fail only for URLs without a host, which were never accepted.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Ends a subscription; its deliveries not yet sent are cancelled with it.
async fn remove<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(path): ApiPath<WebhookPath>,
) -> Result<Json<WebhookRemoved>, ApiError> {
    let id = number("id", &path.id)?;
    if !state.store.remove_webhook(caller.program.id(), id).await? {
        return Err(not_found("active webhook", id));
    }
    Ok(Json(WebhookRemoved { id, active: false }))
}

/// A subscription, ended.
#[derive(Debug, Serialize, JsonSchema)]
struct WebhookRemoved {
    id: i64,
    #[schemars(extend("const" = false))]
    active: bool,
}

/// Which page of the delivery log.
#[derive(Debug, Deserialize, JsonSchema)]
struct LogQuery {
    /// Only the deliveries in this state.
    #[schemars(with = "Option<DeliveryState>")]
    state: Option<String>,
    /// `next_before` of the previous page.
    #[schemars(with = "Option<i64>", range(min = 1))]
    before: Option<String>,
    /// Deliveries on the page, from 1 to 500; 50 if not given.
    #[schemars(with = "Option<u32>", range(min = 1, max = 500))]
    limit: Option<String>,
}

/// How a delivery stands: `pending` (to be tried, or tried again), `delivered`, `failed`
/// (given up on after its last attempt) or `cancelled` (its subscription was removed
/// before it was delivered).
#[derive(Debug, Clone, Copy, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum DeliveryState {
    Pending,
    Delivered,
    Failed,
    Cancelled,
}

impl DeliveryState {
    fn parse(text: &str) -> Option<DeliveryState> {
        Some(match text {
            "pending" => DeliveryState::Pending,
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            "cancelled" => DeliveryState::Cancelled,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
            DeliveryState::Cancelled => "cancelled",
        }
    }
}

async fn deliveries<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiQuery(query): ApiQuery<LogQuery>,
) -> Result<Json<DeliveryPage>, ApiError> {
    let wanted = query
        .state
        .as_deref()
        .map(|s| {
            DeliveryState::parse(s).ok_or_else(|| {
                ApiError::invalid_request(format!(
                    "state: `{s}` is not pending, delivered, failed or cancelled"
                ))
            })
        })
        .transpose()?;
    let limit = match query.limit.as_deref() {
        None => 50,
        Some(text) => {
            u32::try_from(number("limit", text)?).ok().filter(|l| (1..=500).contains(l)).ok_or_else(|| {
                ApiError::invalid_request(format!("limit: must be between 1 and 500, not `{text}`"))
            })?
        }
    };
    let before = query.before.as_deref().map(|b| number("before", b)).transpose()?;
    let page =
        state.store.deliveries(caller.program.id(), wanted.map(DeliveryState::as_str), before, limit).await?;
    let next_before = (page.len() == limit as usize).then(|| page.last().map(|d| d.id)).flatten();
    Ok(Json(DeliveryPage { deliveries: page, next_before }))
}

/// A page of the delivery log, newest first.
#[derive(Debug, Serialize, JsonSchema)]
struct DeliveryPage {
    deliveries: Vec<Delivery>,
    /// Pass as `before` for the next page; null on the last.
    next_before: Option<i64>,
}

async fn delivery<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(path): ApiPath<DeliveryPath>,
) -> Result<Json<DeliveryDetail>, ApiError> {
    let id = number("id", &path.id)?;
    let (delivery, attempt_log) =
        state.store.delivery(caller.program.id(), id).await?.ok_or_else(|| not_found("delivery", id))?;
    Ok(Json(DeliveryDetail { delivery, attempt_log }))
}

/// A delivery with every attempt to send it.
#[derive(Debug, Serialize, JsonSchema)]
struct DeliveryDetail {
    #[serde(flatten)]
    delivery: Delivery,
    /// The attempts, oldest first.
    attempt_log: Vec<DeliveryAttempt>,
}

/// Sends a delivery again (a failed one, or one the receiver lost), unless its
/// subscription was removed.
async fn replay<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(path): ApiPath<DeliveryPath>,
) -> Result<Json<DeliveryReplayed>, ApiError> {
    let id = number("id", &path.id)?;
    if !state.store.replay_delivery(caller.program.id(), id, state.clock.now()).await? {
        return Err(not_found("delivery of an active webhook", id));
    }
    Ok(Json(DeliveryReplayed { id, state: DeliveryState::Pending.as_str() }))
}

/// A delivery, due to be sent again.
#[derive(Debug, Serialize, JsonSchema)]
struct DeliveryReplayed {
    id: i64,
    #[schemars(extend("const" = "pending"))]
    state: &'static str,
}

/// Sends every delivery of the caller's program due now, at once, rather than at the
/// dispatcher's next tick; other programs' deliveries wait for theirs.
async fn dispatch<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<DispatchRun>, ApiError> {
    let program = Some(caller.program.id());
    let report = dispatch_due(state.store.as_ref(), &state.webhooks, &state.clock, program).await?;
    Ok(Json(DispatchRun { now: state.clock.now(), report }))
}

/// A round of dispatch, run on demand.
#[derive(Debug, Serialize, JsonSchema)]
struct DispatchRun {
    /// The server's time the round ran at.
    now: Timestamp,
    report: DispatchReport,
}
