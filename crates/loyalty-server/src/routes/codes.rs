//! Issued reward codes at the till: checked, used, drawn on (gift cards), cancelled.

use super::{Idempotency, MemberPath, field, submit};
use crate::auth::{Access, Caller, PosCaller};
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use loyalty_core::event::{CodeAction, CodeUpdate};
use loyalty_core::ids::{ExternalId, InstanceCode, OrderId};
use loyalty_core::money::MinorUnits;
use loyalty_core::program::RewardKind;
use loyalty_core::spending::RewardInstance;
use loyalty_core::{Event, Rejection, Timestamp};
use loyalty_store::Store;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/v1/rewards/codes/{code}", get(show::<S>))
        .route("/v1/rewards/codes/{code}/use", post(use_code::<S>))
        .route("/v1/rewards/codes/{code}/cancellation", post(cancel::<S>))
        .route("/v1/gift-cards/{code}", get(gift_card::<S>))
        .route("/v1/gift-cards/{code}/draws", post(draw::<S>))
        .route("/v1/members/{external_id}/codes", get(member_codes::<S>))
}

async fn find<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    raw: &str,
) -> Result<(ExternalId, RewardInstance), ApiError> {
    let code = field("code", InstanceCode::parse(raw))?;
    state
        .store
        .reward_code(caller.program.id(), &code)
        .await?
        .ok_or_else(|| Rejection::RewardCodeNotFound { code: code.to_string() }.into())
}

/// A code as the till sees it, with whether it can be accepted now.
fn view(member: &ExternalId, instance: &RewardInstance, now: Timestamp) -> Result<Value, ApiError> {
    let mut body = serde_json::to_value(instance).map_err(ApiError::internal)?;
    let usable = instance.state == loyalty_core::spending::InstanceState::Issued
        && instance.expires_at.is_none_or(|e| now < e);
    body["member"] = json!(member);
    body["usable"] = json!(usable);
    Ok(body)
}

async fn show<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    let (member, instance) = find(&state, &caller, &code).await?;
    Ok(Json(view(&member, &instance, state.clock.now_for(caller.program.id()))?))
}

async fn gift_card<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    let (member, instance) = find(&state, &caller, &code).await?;
    if instance.kind != RewardKind::GiftCard {
        return Err(Rejection::NotAGiftCard { code }.into());
    }
    Ok(Json(view(&member, &instance, state.clock.now_for(caller.program.id()))?))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UseBody {
    order_id: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DrawBody {
    order_id: String,
    amount_minor: i64,
}

async fn use_code<S: Store>(
    State(state): State<AppState<S>>,
    caller: PosCaller,
    ApiPath(code): ApiPath<String>,
    idempotency: Idempotency,
    ApiJson(body): ApiJson<UseBody>,
) -> Result<Response, ApiError> {
    let order_id = field("order_id", OrderId::parse(body.order_id.as_str()))?;
    update(state, caller, code, idempotency, CodeAction::Use { order_id }, &body).await
}

async fn draw<S: Store>(
    State(state): State<AppState<S>>,
    caller: PosCaller,
    ApiPath(code): ApiPath<String>,
    idempotency: Idempotency,
    ApiJson(body): ApiJson<DrawBody>,
) -> Result<Response, ApiError> {
    let order_id = field("order_id", OrderId::parse(body.order_id.as_str()))?;
    if body.amount_minor <= 0 {
        return Err(Rejection::AmountMustBePositive { given: body.amount_minor }.into());
    }
    let amount = MinorUnits::new(body.amount_minor);
    update(state, caller, code, idempotency, CodeAction::Draw { order_id, amount }, &body).await
}

async fn cancel<S: Store>(
    State(state): State<AppState<S>>,
    caller: PosCaller,
    ApiPath(code): ApiPath<String>,
    idempotency: Idempotency,
) -> Result<Response, ApiError> {
    update(state, caller, code, idempotency, CodeAction::Cancel, &()).await
}

async fn update<S: Store>(
    state: AppState<S>,
    PosCaller(caller): PosCaller,
    code: String,
    idempotency: Idempotency,
    action: CodeAction,
    body: &impl Serialize,
) -> Result<Response, ApiError> {
    let (member, instance) = find(&state, &caller, &code).await?;
    let request = ("code", instance.code.as_str(), action.as_str(), body);
    let event = Event::Code(CodeUpdate {
        member,
        code: instance.code.clone(),
        action,
        occurred_at: state.clock.now_for(caller.program.id()),
    });
    submit(&state, &caller, event, idempotency, &request).await
}

async fn member_codes<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(member): MemberPath,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    let codes = state
        .store
        .member_codes(caller.program.id(), &member)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: member.to_string() })?;
    Ok(Json(json!({ "member": member, "codes": codes })))
}
