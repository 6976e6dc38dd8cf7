//! Checkout holds: the till reserves points for an order (a number of points, a reward,
//! or a money amount paid with points), then captures or releases them.

use super::{Idempotency, MemberPath, field, submit};
use crate::auth::{Access, Caller, PosCaller};
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::json::ApiJson;
use crate::openapi::{Documented, doc};
use crate::secrets::{new_hold_id, new_reward_code};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, post_with};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use loyalty_core::event::{HoldRequest, HoldSettlement, HoldSpend, SettleAction};
use loyalty_core::ids::{ExternalId, HoldId, OrderId, RewardCode};
use loyalty_core::limits::MAX_UNIT_PRICE;
use loyalty_core::money::MinorUnits;
use loyalty_core::outcome::{HoldOutcome, HoldView};
use loyalty_core::{Event, Points, Rejection};
use loyalty_store::Store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/members/{external_id}/holds",
            post_with(open::<S>, |op| {
                doc(
                    "open_hold",
                    "holds",
                    "Reserve points for an order: a number of points, a reward, or an amount paid with points",
                )(op)
                .answers::<201, HoldOutcome>("The hold, open, with the member's balance")
            }),
        )
        .api_route(
            "/v1/holds/{hold_id}",
            get_with(show::<S>, |op| {
                doc("get_hold", "holds", "A hold")(op).answers::<200, HoldDetail>("The hold").errors(&[404])
            }),
        )
        .api_route(
            "/v1/holds/{hold_id}/capture",
            post_with(capture::<S>, |op| {
                doc("capture_hold", "holds", "Spend a hold's points (a reward's code is issued now)")(op)
                    .answers::<201, HoldOutcome>("The hold, captured, with the code a reward's hold issued")
                    .errors(&[404])
            }),
        )
        .api_route(
            "/v1/holds/{hold_id}/release",
            post_with(release::<S>, |op| {
                doc("release_hold", "holds", "Free a hold's points")(op)
                    .answers::<201, HoldOutcome>("The hold, released, its points available again")
                    .errors(&[404])
            }),
        )
}

/// Exactly one of `points`, `reward` or `amount_minor`; `basket_minor` only beside `amount_minor`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(example = serde_json::json!({ "order_id": "o-2", "amount_minor": 100, "basket_minor": 475 }))]
// The same rule for the API document: one branch per way of holding (a field left out and
// one that is null are alike). The branches exclude one another, so `anyOf` says what
// `oneOf` would, in a form fuzzers can generate from.
#[schemars(extend("anyOf" = [
    { "required": ["points"], "properties": {
        "points": { "type": "integer" }, "reward": { "type": "null" },
        "amount_minor": { "type": "null" }, "basket_minor": { "type": "null" } } },
    { "required": ["reward"], "properties": {
        "reward": { "type": "string" }, "points": { "type": "null" },
        "amount_minor": { "type": "null" }, "basket_minor": { "type": "null" } } },
    { "required": ["amount_minor"], "properties": {
        "amount_minor": { "type": "integer" }, "points": { "type": "null" }, "reward": { "type": "null" } } }
]))]
struct HoldBody {
    /// The merchant's order number the hold is for.
    #[schemars(with = "OrderId")]
    order_id: String,
    /// A number of points to reserve.
    #[serde(default)]
    #[schemars(range(min = 1, max = Points::MAX_PER_EVENT.get()))]
    points: Option<i64>,
    /// The code of a reward in the catalogue, whose cost is reserved; its code is issued on capture.
    #[serde(default)]
    #[schemars(with = "Option<RewardCode>")]
    reward: Option<String>,
    /// An amount of the order, in minor units, to pay with points at the program's rate.
    #[serde(default)]
    #[schemars(range(min = 1, max = MAX_UNIT_PRICE.get()))]
    amount_minor: Option<i64>,
    /// The basket's total, which a program that caps the share paid with points needs.
    #[serde(default)]
    #[schemars(range(min = 1, max = MAX_UNIT_PRICE.get()))]
    basket_minor: Option<i64>,
}

/// The `{hold_id}` of a hold route.
#[derive(Debug, Deserialize, JsonSchema)]
struct HoldPath {
    /// The hold's id, as opening it answered.
    #[schemars(with = "HoldId")]
    hold_id: String,
}

/// A hold, with the member it reserves points of.
#[derive(Debug, Serialize, JsonSchema)]
struct HoldDetail {
    #[serde(flatten)]
    hold: HoldView,
    /// The member whose points it reserves.
    member: ExternalId,
}

fn spend(body: &HoldBody) -> Result<HoldSpend, ApiError> {
    match (body.points, &body.reward, body.amount_minor) {
        (Some(points), None, None) if body.basket_minor.is_none() => {
            if points <= 0 || points > Points::MAX_PER_EVENT.get() {
                return Err(ApiError::invalid_request(format!(
                    "points: must be between 1 and {}, not {points}",
                    Points::MAX_PER_EVENT
                )));
            }
            Ok(HoldSpend::Points { points: Points::new(points) })
        }
        (None, Some(reward), None) if body.basket_minor.is_none() => Ok(HoldSpend::Reward {
            reward: field("reward", RewardCode::parse(reward.as_str()))?,
            code: new_reward_code()?,
        }),
        (None, None, Some(amount)) => {
            let money = |name: &str, v: i64| {
                if v <= 0 || v > MAX_UNIT_PRICE.get() {
                    return Err(ApiError::invalid_request(format!(
                        "{name}: must be between 1 and {}, not {v}",
                        MAX_UNIT_PRICE.get()
                    )));
                }
                Ok(MinorUnits::new(v))
            };
            Ok(HoldSpend::Payment {
                amount: money("amount_minor", amount)?,
                basket: body.basket_minor.map(|b| money("basket_minor", b)).transpose()?,
            })
        }
        _ => Err(ApiError::invalid_request(
            "a hold takes exactly one of points, reward, or amount_minor (with basket_minor only beside amount_minor)",
        )),
    }
}

async fn open<S: Store>(
    State(state): State<AppState<S>>,
    PosCaller(caller): PosCaller,
    MemberPath(member): MemberPath,
    idempotency: Idempotency,
    ApiJson(body): ApiJson<HoldBody>,
) -> Result<Response, ApiError> {
    let event = Event::Hold(HoldRequest {
        member: member.clone(),
        hold_id: new_hold_id()?,
        order_id: field("order_id", OrderId::parse(body.order_id.as_str()))?,
        spend: spend(&body)?,
        occurred_at: state.clock.now_for(caller.program.id()),
    });
    submit(&state, &caller, event, idempotency, &("hold", member.as_str(), &body)).await
}

fn hold_id(raw: &str) -> Result<HoldId, ApiError> {
    field("hold_id", HoldId::parse(raw))
}

async fn show<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiPath(HoldPath { hold_id: id }): ApiPath<HoldPath>,
) -> Result<Json<HoldDetail>, ApiError> {
    caller.require(Access::Read)?;
    let id = hold_id(&id)?;
    let (member, hold) = state
        .store
        .hold(caller.program.id(), &id)
        .await?
        .ok_or_else(|| Rejection::HoldNotFound { hold_id: id.to_string() })?;
    Ok(Json(HoldDetail { hold: HoldView::of(&hold), member }))
}

async fn capture<S: Store>(
    state: State<AppState<S>>,
    caller: PosCaller,
    id: ApiPath<HoldPath>,
    idempotency: Idempotency,
) -> Result<Response, ApiError> {
    settle(state, caller, id, idempotency, SettleAction::Capture).await
}

async fn release<S: Store>(
    state: State<AppState<S>>,
    caller: PosCaller,
    id: ApiPath<HoldPath>,
    idempotency: Idempotency,
) -> Result<Response, ApiError> {
    settle(state, caller, id, idempotency, SettleAction::Release).await
}

async fn settle<S: Store>(
    State(state): State<AppState<S>>,
    PosCaller(caller): PosCaller,
    ApiPath(HoldPath { hold_id: id }): ApiPath<HoldPath>,
    idempotency: Idempotency,
    action: SettleAction,
) -> Result<Response, ApiError> {
    let id = hold_id(&id)?;
    let (member, _) = state
        .store
        .hold(caller.program.id(), &id)
        .await?
        .ok_or_else(|| Rejection::HoldNotFound { hold_id: id.to_string() })?;
    let request = ("settle", id.as_str().to_owned(), action);
    let event = Event::Settle(HoldSettlement {
        member,
        hold_id: id,
        action,
        occurred_at: state.clock.now_for(caller.program.id()),
    });
    submit(&state, &caller, event, idempotency, &request).await
}
