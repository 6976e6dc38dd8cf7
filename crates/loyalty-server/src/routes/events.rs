//! `POST /v1/events`: purchases and returns from the till, and members' activities.

use super::{Idempotency, field, occurred_at, submit};
use crate::auth::PosCaller;
use crate::error::ApiError;
use crate::json::{ApiJson, from_value};
use crate::secrets::new_reward_code;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use loyalty_core::event::{Activity, Purchase, PurchaseLine, Quantity, Return, ReturnLine, check_line_count};
use loyalty_core::ids::{ActivityKind, ActivityTarget, Category, ExternalId, OrderId, Sku};
use loyalty_core::{Event, Timestamp};
use loyalty_store::Store;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new().route("/v1/events", post(record::<S>))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PurchaseRequest {
    member: String,
    order_id: String,
    #[serde(default)]
    occurred_at: Option<String>,
    lines: Vec<PurchaseLineRequest>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PurchaseLineRequest {
    sku: String,
    #[serde(default)]
    category: Option<String>,
    quantity: i64,
    unit_price_minor: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReturnRequest {
    member: String,
    order_id: String,
    #[serde(default)]
    occurred_at: Option<String>,
    lines: Vec<ReturnLineRequest>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReturnLineRequest {
    sku: String,
    quantity: i64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActivityRequest {
    member: String,
    kind: String,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    occurred_at: Option<String>,
}

const EVENT_TYPES: &str = "`purchase`, `return` or `activity`";

/// The body is read as JSON first and then by its `type`, so that a field of the wrong
/// shape is reported with its path (`lines[0].quantity`), which a tagged enum would lose.
async fn record<S: Store>(
    State(state): State<AppState<S>>,
    PosCaller(caller): PosCaller,
    idempotency: Idempotency,
    ApiJson(mut body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let object =
        body.as_object_mut().ok_or_else(|| ApiError::invalid_request("the body must be a JSON object"))?;
    let kind = match object.remove("type") {
        Some(Value::String(kind)) => kind,
        Some(_) => return Err(ApiError::invalid_request(format!("type: must be {EVENT_TYPES}"))),
        None => return Err(ApiError::invalid_request(format!("type: missing; it must be {EVENT_TYPES}"))),
    };
    let now = state.clock.now_for(caller.program.id());
    match kind.as_str() {
        "purchase" => {
            let request: PurchaseRequest = from_value(body)?;
            let event = purchase(&request, now)?;
            submit(&state, &caller, event, idempotency, &("purchase", &request)).await
        }
        "return" => {
            let request: ReturnRequest = from_value(body)?;
            let event = refund(&request, now)?;
            submit(&state, &caller, event, idempotency, &("return", &request)).await
        }
        "activity" => {
            let request: ActivityRequest = from_value(body)?;
            let event = Event::Activity(Activity {
                member: field("member", ExternalId::parse(request.member.as_str()))?,
                kind: field("kind", ActivityKind::parse(request.kind.as_str()))?,
                target: request
                    .target
                    .as_deref()
                    .map(|t| field("target", ActivityTarget::parse(t)))
                    .transpose()?,
                occurred_at: occurred_at(request.occurred_at.as_deref(), now)?,
            });
            submit(&state, &caller, event, idempotency, &("activity", &request)).await
        }
        other => {
            Err(ApiError::invalid_request(format!("type: `{other}` is not an event type; use {EVENT_TYPES}")))
        }
    }
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
    // A code for the reward a punch card may give; unused otherwise.
    let reward_code = Some(new_reward_code()?);
    Ok(Event::Purchase(Purchase { member, order_id, occurred_at, lines, reward_code }))
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
