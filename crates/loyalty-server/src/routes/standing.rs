//! A member's standing: their account's status (suspension, closure, reinstatement), the
//! paid tier the merchant's billing system reports on, and the history of both and of
//! their tier.

use super::{Idempotency, MemberPath, field, submit};
use crate::auth::{Access, AdminCaller, Caller, PosCaller};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use loyalty_core::decision::HistoryTopic;
use loyalty_core::event::{StatusAction, StatusChange, SubscriptionAction, SubscriptionUpdate};
use loyalty_core::ids::{ExternalId, Reason, TierCode};
use loyalty_core::{Event, Rejection};
use loyalty_store::{HistoryEntry, Store};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/v1/members/{external_id}/status", post(status::<S>))
        .route("/v1/members/{external_id}/subscription", post(subscribe::<S>).get(subscription::<S>))
        .route("/v1/members/{external_id}/subscription/{news}", post(news::<S>))
        .route("/v1/members/{external_id}/tiers", get(tiers::<S>))
        .route("/v1/members/{external_id}/history", get(history::<S>))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusRequest {
    /// `suspend`, `resume`, `close` or `reinstate`.
    action: StatusAction,
    #[serde(default)]
    reason: Option<String>,
}

async fn status<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    MemberPath(member): MemberPath,
    idempotency: Idempotency,
    ApiJson(request): ApiJson<StatusRequest>,
) -> Result<Response, ApiError> {
    let event = Event::Status(StatusChange {
        member: member.clone(),
        action: request.action,
        reason: request.reason.as_deref().map(|r| field("reason", Reason::parse(r))).transpose()?,
        occurred_at: state.clock.now_for(caller.program.id()),
    });
    submit(&state, &caller, event, idempotency, &("status", member.as_str(), &request)).await
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscribeRequest {
    tier: String,
}

async fn subscribe<S: Store>(
    State(state): State<AppState<S>>,
    caller: PosCaller,
    MemberPath(member): MemberPath,
    idempotency: Idempotency,
    ApiJson(request): ApiJson<SubscribeRequest>,
) -> Result<Response, ApiError> {
    let tier = field("tier", TierCode::parse(request.tier.as_str()))?;
    billing(state, caller, member, idempotency, SubscriptionAction::Start { tier }).await
}

/// Billing's later news of a paid tier: `renewal`, `payment-failure` or `cancellation`.
async fn news<S: Store>(
    State(state): State<AppState<S>>,
    caller: PosCaller,
    ApiPath((member, news)): ApiPath<(String, String)>,
    idempotency: Idempotency,
) -> Result<Response, ApiError> {
    let member = ExternalId::parse(member).map_err(|e| ApiError::invalid_request(e.to_string()))?;
    let action = match news.as_str() {
        "renewal" => SubscriptionAction::Renew,
        "payment-failure" => SubscriptionAction::PaymentFailed,
        "cancellation" => SubscriptionAction::Cancel,
        _ => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no route for subscription/{news}"),
            ));
        }
    };
    billing(state, caller, member, idempotency, action).await
}

/// What the merchant's billing system reports, as an event on the member.
async fn billing<S: Store>(
    state: AppState<S>,
    PosCaller(caller): PosCaller,
    member: ExternalId,
    idempotency: Idempotency,
    action: SubscriptionAction,
) -> Result<Response, ApiError> {
    let request = ("subscription", member.as_str().to_owned(), action.clone());
    let event = Event::Subscription(SubscriptionUpdate {
        member: member.clone(),
        action,
        occurred_at: state.clock.now_for(caller.program.id()),
    });
    submit(&state, &caller, event, idempotency, &request).await
}

/// The paid tier's state and every turn it took.
async fn subscription<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(member): MemberPath,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    let now = state.clock.now_for(caller.program.id());
    let view = state
        .store
        .member(caller.program.at(now), &member, now)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: member.to_string() })?;
    let history = notes(&state, &caller, &member, Some(HistoryTopic::Subscription)).await?;
    Ok(Json(json!({ "member": member, "subscription": view.subscription, "history": history })))
}

/// The member's tier, what the next one needs, and every tier they had.
async fn tiers<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(member): MemberPath,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    let now = state.clock.now_for(caller.program.id());
    let view = state
        .store
        .member(caller.program.at(now), &member, now)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: member.to_string() })?;
    let history = notes(&state, &caller, &member, Some(HistoryTopic::Tier)).await?;
    Ok(Json(json!({
        "member": member,
        "tier": view.tier,
        "tier_progress": view.tier_progress,
        "history": history,
    })))
}

#[derive(Debug, Deserialize)]
struct HistoryQuery {
    topic: Option<String>,
}

/// Every change to the member's tier, subscription and status, oldest first.
async fn history<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(member): MemberPath,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    let topic = match query.topic.as_deref() {
        None => None,
        Some(t) => Some(HistoryTopic::parse(t).ok_or_else(|| {
            ApiError::invalid_request(format!(
                "topic: `{t}` is not one of tier, subscription, status, reward, hold"
            ))
        })?),
    };
    let history = notes(&state, &caller, &member, topic).await?;
    Ok(Json(json!({ "member": member, "history": history })))
}

async fn notes<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    member: &ExternalId,
    topic: Option<HistoryTopic>,
) -> Result<Vec<HistoryEntry>, ApiError> {
    state
        .store
        .member_history(caller.program.id(), member, topic)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: member.to_string() }.into())
}
