//! A member's standing: their account's status (suspension, closure, reinstatement), the
//! paid tier the merchant's billing system reports on, and the history of both and of
//! their tier.

use super::{Idempotency, MemberPath, field, submit};
use crate::auth::{Access, AdminCaller, BillingCaller, Caller};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::json::ApiJson;
use crate::openapi::{Documented, doc};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, post_with};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use loyalty_core::decision::HistoryTopic;
use loyalty_core::event::{StatusAction, StatusChange, SubscriptionAction, SubscriptionUpdate};
use loyalty_core::ids::{ExternalId, Reason, TierCode};
use loyalty_core::outcome::{MemberView, TierProgress};
use loyalty_core::state::Subscription;
use loyalty_core::{Event, Rejection};
use loyalty_store::{HistoryEntry, Store};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/members/{external_id}/status",
            post_with(status::<S>, |op| {
                doc("change_status", "standing", "Suspend, resume, close or reinstate a member")(op)
                    .answers::<201, MemberView>("The member, in their new status")
            }),
        )
        .api_route(
            "/v1/members/{external_id}/subscription",
            post_with(subscribe::<S>, |op| {
                doc("start_subscription", "standing", "Billing took the first month of a paid tier")(op)
                    .answers::<201, MemberView>("The member, in the paid tier")
            })
            .get_with(subscription::<S>, |op| {
                doc("get_subscription", "standing", "The paid tier's state and its history")(op)
                    .answers::<200, SubscriptionView>("The paid tier")
            }),
        )
        .api_route(
            "/v1/members/{external_id}/subscription/{news}",
            post_with(news::<S>, |op| {
                doc("subscription_news", "standing", "Billing's later news of the paid tier")(op)
                    .answers::<201, MemberView>("The member, after the news")
                    // No such member, or news billing does not send.
                    .errors(&[404])
            }),
        )
        .api_route(
            "/v1/members/{external_id}/tiers",
            get_with(tiers::<S>, |op| {
                doc("member_tiers", "standing", "The member's tier, their progress and their tier history")(
                    op,
                )
                .answers::<200, TierView>("The member's tiers")
            }),
        )
        .api_route(
            "/v1/members/{external_id}/history",
            get_with(history::<S>, |op| {
                doc(
                    "member_history",
                    "standing",
                    "Every tier, subscription, status, reward code, hold, achievement and streak change, oldest first",
                )(op)
                .answers::<200, HistoryView>("The member's history")
            }),
        )
}

/// A member's paid tier and every turn it took.
#[derive(Debug, Serialize, JsonSchema)]
struct SubscriptionView {
    member: ExternalId,
    /// Null if the member never subscribed.
    subscription: Option<Box<Subscription>>,
    history: Vec<HistoryEntry>,
}

/// A member's tier, what the next one needs, and every tier they had.
#[derive(Debug, Serialize, JsonSchema)]
struct TierView {
    member: ExternalId,
    tier: Option<String>,
    tier_progress: Option<Box<TierProgress>>,
    history: Vec<HistoryEntry>,
}

/// Changes to a member's standing, oldest first.
#[derive(Debug, Serialize, JsonSchema)]
struct HistoryView {
    member: ExternalId,
    history: Vec<HistoryEntry>,
}

/// The path of billing's news of a paid tier.
#[derive(Debug, Deserialize, JsonSchema)]
struct NewsPath {
    /// The member's external id.
    external_id: String,
    /// What billing reports.
    #[schemars(with = "BillingNews")]
    news: String,
}

/// Billing's news after the first month; any other is `404 not_found`.
#[derive(Debug, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[expect(
    dead_code,
    reason = "the path is read as text to answer an unknown one 404; this names the known ones"
)]
enum BillingNews {
    Renewal,
    PaymentFailure,
    Cancellation,
}

/// What a history is asked for.
#[derive(Debug, Deserialize, JsonSchema)]
struct HistoryQuery {
    /// One topic only; every topic if not given.
    #[schemars(with = "Option<HistoryTopicName>")]
    topic: Option<String>,
}

#[derive(Debug, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[expect(
    dead_code,
    reason = "the topic is read as text to name a bad one in the answer; this names the good ones"
)]
enum HistoryTopicName {
    Tier,
    Subscription,
    Status,
    Reward,
    Hold,
    Achievement,
    Streak,
}

/// A change of a member's status.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct StatusRequest {
    /// `suspend`, `resume`, `close` or `reinstate`.
    action: StatusAction,
    #[serde(default)]
    #[schemars(with = "Option<Reason>")]
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

/// The first paid month of a tier.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SubscribeRequest {
    /// A paid tier of the program.
    #[schemars(with = "TierCode")]
    tier: String,
}

async fn subscribe<S: Store>(
    State(state): State<AppState<S>>,
    caller: BillingCaller,
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
    caller: BillingCaller,
    ApiPath(NewsPath { external_id: member, news }): ApiPath<NewsPath>,
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

/// What the merchant's billing system reports, as an event on the member. A till may not
/// hand out a paid tier: this needs an `admin` or `billing` key.
async fn billing<S: Store>(
    state: AppState<S>,
    BillingCaller(caller): BillingCaller,
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
) -> Result<Json<SubscriptionView>, ApiError> {
    caller.require(Access::Read)?;
    let now = state.clock.now_for(caller.program.id());
    let view = state
        .store
        .member(caller.program.at(now), &member, now)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: member.to_string() })?;
    let history = notes(&state, &caller, &member, Some(HistoryTopic::Subscription)).await?;
    Ok(Json(SubscriptionView { member, subscription: view.subscription, history }))
}

/// The member's tier, what the next one needs, and every tier they had.
async fn tiers<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(member): MemberPath,
) -> Result<Json<TierView>, ApiError> {
    caller.require(Access::Read)?;
    let now = state.clock.now_for(caller.program.id());
    let view = state
        .store
        .member(caller.program.at(now), &member, now)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: member.to_string() })?;
    let history = notes(&state, &caller, &member, Some(HistoryTopic::Tier)).await?;
    Ok(Json(TierView { member, tier: view.tier, tier_progress: view.tier_progress, history }))
}

/// Every change to the member's tier, subscription and status, oldest first.
async fn history<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(member): MemberPath,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Result<Json<HistoryView>, ApiError> {
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
    Ok(Json(HistoryView { member, history }))
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
