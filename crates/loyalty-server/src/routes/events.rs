//! `POST /v1/events`: purchases and returns from the till, and members' activities.

use super::{Idempotency, field, occurred_at, submit};
use crate::auth::PosCaller;
use crate::error::ApiError;
use crate::json::{ApiJson, from_value, parse_strict};
use crate::openapi::{Documented, doc};
use crate::secrets::new_reward_code;
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::post_with;
use axum::extract::State;
use axum::response::Response;
use loyalty_core::event::{Activity, Purchase, PurchaseLine, Quantity, Return, ReturnLine, check_line_count};
use loyalty_core::ids::{ActivityKind, ActivityTarget, Category, ExternalId, OrderId, Sku};
use loyalty_core::outcome::{EarningOutcome, PurchaseOutcome, ReturnOutcome};
use loyalty_core::{Event, Timestamp};
use loyalty_store::Store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new().api_route(
        "/v1/events",
        post_with(record::<S>, |op| {
            doc("record_event", "events", "Record a purchase, a return or an activity")(op)
                .answers::<201, EventOutcome>("The event's outcome")
                .errors(&[404])
        }),
    )
}

/// An event from the till or the member's app; `type` says which.
#[derive(Debug, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[expect(
    dead_code,
    reason = "the body is read by `record`, by its type; this names its forms for the document"
)]
enum EventRequest {
    Purchase(PurchaseRequest),
    Return(ReturnRequest),
    Activity(ActivityRequest),
}

/// The body of `POST /v1/events`, kept as JSON until its `type` is known.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
struct EventBody(#[schemars(with = "EventRequest")] Value);

/// What an event did, by its type.
#[derive(Debug, JsonSchema)]
#[serde(untagged)]
#[expect(
    dead_code,
    reason = "the outcome is sent as the store gives it; this names its forms for the document"
)]
enum EventOutcome {
    Purchase(PurchaseOutcome),
    Return(ReturnOutcome),
    Activity(EarningOutcome),
}

/// A purchase: an order's lines at the price paid.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(example = serde_json::json!({
    "type": "purchase",
    "member": "c-1001",
    "order_id": "o-1",
    "lines": [
        { "sku": "latte", "category": "coffee", "quantity": 2, "unit_price_minor": 475 },
        { "sku": "pumpkin-loaf", "category": "pastry", "quantity": 1, "unit_price_minor": 325 }
    ]
}))]
struct PurchaseRequest {
    /// The member's external id.
    member: String,
    /// The order's id at the till; an order is recorded once.
    order_id: String,
    /// When it happened; now if not given.
    #[serde(default)]
    #[schemars(with = "Option<Timestamp>")]
    occurred_at: Option<String>,
    lines: Vec<PurchaseLineRequest>,
}

/// A line of an order.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PurchaseLineRequest {
    sku: String,
    #[serde(default)]
    category: Option<String>,
    quantity: i64,
    /// The price of one unit, in the currency's minor units (cents).
    unit_price_minor: i64,
}

/// Goods of an earlier order brought back.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(example = serde_json::json!({
    "type": "return",
    "member": "c-1001",
    "order_id": "o-1",
    "lines": [{ "sku": "pumpkin-loaf", "quantity": 1 }]
}))]
struct ReturnRequest {
    /// The member's external id.
    member: String,
    /// The order the goods were bought in.
    order_id: String,
    /// When it happened; now if not given.
    #[serde(default)]
    #[schemars(with = "Option<Timestamp>")]
    occurred_at: Option<String>,
    lines: Vec<ReturnLineRequest>,
}

/// Units of one SKU brought back.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ReturnLineRequest {
    sku: String,
    quantity: i64,
}

/// Something the member did that the program rewards (a review, a visit, a share).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(example = serde_json::json!({ "type": "activity", "member": "c-1001", "kind": "review", "target": "latte" }))]
struct ActivityRequest {
    /// The member's external id.
    member: String,
    /// The activity, as the program's activity rules name it.
    kind: String,
    /// What it was about (a product reviewed); one reward per target where the rule says so.
    #[serde(default)]
    target: Option<String>,
    /// When it happened; now if not given.
    #[serde(default)]
    #[schemars(with = "Option<Timestamp>")]
    occurred_at: Option<String>,
}

const EVENT_TYPES: &str = "`purchase`, `return` or `activity`";

/// Records the event a body describes, under the caller's idempotency key.
async fn record<S: Store>(
    State(state): State<AppState<S>>,
    PosCaller(caller): PosCaller,
    idempotency: Idempotency,
    ApiJson(EventBody(body)): ApiJson<EventBody>,
) -> Result<Response, ApiError> {
    let now = state.clock.now_for(caller.program.id());
    let (mut event, request) = decode(body, now)?;
    // Made for every purchase and activity: used if it fills a punch card or completes an
    // achievement with a reward, unused otherwise.
    match &mut event {
        Event::Purchase(purchase) => purchase.reward_code = Some(new_reward_code()?),
        Event::Activity(activity) => activity.reward_code = Some(new_reward_code()?),
        _ => {}
    }
    submit(&state, &caller, event, idempotency, &request).await
}

/// Reads a `POST /v1/events` body into its event as the route does, every check of the
/// body's shape and values made, but without a reward code, which the route adds. `now`
/// is the time of an event that does not give its own.
pub fn decode_event(body: &[u8], now: Timestamp) -> Result<Event, ApiError> {
    decode(parse_strict(body)?, now).map(|(event, _)| event)
}

/// The request an event was read from: what its idempotency fingerprint is made of.
#[derive(Debug)]
enum Request {
    Purchase(PurchaseRequest),
    Return(ReturnRequest),
    Activity(ActivityRequest),
}

impl Serialize for Request {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Request::Purchase(request) => ("purchase", request).serialize(serializer),
            Request::Return(request) => ("return", request).serialize(serializer),
            Request::Activity(request) => ("activity", request).serialize(serializer),
        }
    }
}

/// The event a body describes, and the request it was read from.
///
/// The body is read as JSON first and then by its `type`, so that a field of the wrong
/// shape is reported with its path (`lines[0].quantity`), which a tagged enum would lose.
fn decode(mut body: Value, now: Timestamp) -> Result<(Event, Request), ApiError> {
    let object =
        body.as_object_mut().ok_or_else(|| ApiError::invalid_request("the body must be a JSON object"))?;
    let kind = match object.remove("type") {
        Some(Value::String(kind)) => kind,
        Some(_) => return Err(ApiError::invalid_request(format!("type: must be {EVENT_TYPES}"))),
        None => return Err(ApiError::invalid_request(format!("type: missing; it must be {EVENT_TYPES}"))),
    };
    match kind.as_str() {
        "purchase" => {
            let request: PurchaseRequest = from_value(body)?;
            Ok((purchase(&request, now)?, Request::Purchase(request)))
        }
        "return" => {
            let request: ReturnRequest = from_value(body)?;
            Ok((refund(&request, now)?, Request::Return(request)))
        }
        "activity" => {
            let request: ActivityRequest = from_value(body)?;
            Ok((activity(&request, now)?, Request::Activity(request)))
        }
        other => {
            Err(ApiError::invalid_request(format!("type: `{other}` is not an event type; use {EVENT_TYPES}")))
        }
    }
}

fn activity(request: &ActivityRequest, now: Timestamp) -> Result<Event, ApiError> {
    Ok(Event::Activity(Activity {
        member: field("member", ExternalId::parse(request.member.as_str()))?,
        kind: field("kind", ActivityKind::parse(request.kind.as_str()))?,
        target: request.target.as_deref().map(|t| field("target", ActivityTarget::parse(t))).transpose()?,
        occurred_at: occurred_at(request.occurred_at.as_deref(), now)?,
        reward_code: None,
    }))
}

fn purchase(request: &PurchaseRequest, now: Timestamp) -> Result<Event, ApiError> {
    let member = field("member", ExternalId::parse(request.member.as_str()))?;
    let order_id = field("order_id", OrderId::parse(request.order_id.as_str()))?;
    let occurred_at = occurred_at(request.occurred_at.as_deref(), now)?;
    check_line_count(request.lines.len())?;
    let lines = request
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let sku = field(format!("lines[{i}].sku"), Sku::parse(line.sku.as_str()))?;
            let category = line
                .category
                .as_deref()
                .map(|c| field(format!("lines[{i}].category"), Category::parse(c)))
                .transpose()?;
            Ok(PurchaseLine::parse(i + 1, sku, category, line.quantity, line.unit_price_minor)?)
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Event::Purchase(Purchase { member, order_id, occurred_at, lines, reward_code: None }))
}

fn refund(request: &ReturnRequest, now: Timestamp) -> Result<Event, ApiError> {
    let member = field("member", ExternalId::parse(request.member.as_str()))?;
    let order_id = field("order_id", OrderId::parse(request.order_id.as_str()))?;
    let occurred_at = occurred_at(request.occurred_at.as_deref(), now)?;
    check_line_count(request.lines.len())?;
    let lines = request
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            Ok(ReturnLine {
                sku: field(format!("lines[{i}].sku"), Sku::parse(line.sku.as_str()))?,
                quantity: Quantity::parse(i + 1, line.quantity)?,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Event::Return(Return { member, order_id, occurred_at, lines }))
}
