//! Checkout holds: the till reserves points for an order (a number of points, a reward,
//! or a money amount paid with points), then captures or releases them.

use super::{Idempotency, MemberPath, field, submit};
use crate::auth::{Access, Caller, PosCaller};
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::json::ApiJson;
use crate::secrets::{new_hold_id, new_reward_code};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use loyalty_core::event::{HoldRequest, HoldSettlement, HoldSpend, SettleAction};
use loyalty_core::ids::{HoldId, OrderId, RewardCode};
use loyalty_core::money::MinorUnits;
use loyalty_core::outcome::HoldView;
use loyalty_core::{Event, Points, Rejection};
use loyalty_store::Store;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/v1/members/{external_id}/holds", post(open::<S>))
        .route("/v1/holds/{hold_id}", get(show::<S>))
        .route("/v1/holds/{hold_id}/capture", post(capture::<S>))
        .route("/v1/holds/{hold_id}/release", post(release::<S>))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HoldBody {
    order_id: String,
    #[serde(default)]
    points: Option<i64>,
    #[serde(default)]
    reward: Option<String>,
    #[serde(default)]
    amount_minor: Option<i64>,
    /// The basket's total, which a program that caps the share paid with points needs.
    #[serde(default)]
    basket_minor: Option<i64>,
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
                if v <= 0 || v > loyalty_core::limits::MAX_UNIT_PRICE.get() {
                    return Err(ApiError::invalid_request(format!(
                        "{name}: must be between 1 and {}, not {v}",
                        loyalty_core::limits::MAX_UNIT_PRICE.get()
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
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    let id = hold_id(&id)?;
    let (member, hold) = state
        .store
        .hold(caller.program.id(), &id)
        .await?
        .ok_or_else(|| Rejection::HoldNotFound { hold_id: id.to_string() })?;
    let mut body = serde_json::to_value(HoldView::of(&hold)).map_err(ApiError::internal)?;
    body["member"] = json!(member);
    Ok(Json(body))
}

async fn capture<S: Store>(
    state: State<AppState<S>>,
    caller: PosCaller,
    id: ApiPath<String>,
    idempotency: Idempotency,
) -> Result<Response, ApiError> {
    settle(state, caller, id, idempotency, SettleAction::Capture).await
}

async fn release<S: Store>(
    state: State<AppState<S>>,
    caller: PosCaller,
    id: ApiPath<String>,
    idempotency: Idempotency,
) -> Result<Response, ApiError> {
    settle(state, caller, id, idempotency, SettleAction::Release).await
}

async fn settle<S: Store>(
    State(state): State<AppState<S>>,
    PosCaller(caller): PosCaller,
    ApiPath(id): ApiPath<String>,
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
