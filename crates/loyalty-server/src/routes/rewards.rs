//! Spending points, and an administrator's corrections: redemptions, adjustments, and
//! decisions on points held for review.

use super::{Idempotency, MemberPath, field, submit};
use crate::auth::{AdminCaller, PosCaller};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::secrets::new_reward_code;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use loyalty_core::Event;
use loyalty_core::event::{Adjustment, Redemption, ReviewDecision};
use loyalty_core::ids::{Reason, RewardCode};
use loyalty_store::Store;
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/v1/members/{external_id}/redemptions", post(redeem::<S>))
        .route("/v1/members/{external_id}/adjustments", post(adjust::<S>))
        .route("/v1/members/{external_id}/review/release", post(release::<S>))
        .route("/v1/members/{external_id}/review/void", post(void::<S>))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RedemptionRequest {
    reward: String,
}

async fn redeem<S: Store>(
    State(state): State<AppState<S>>,
    PosCaller(caller): PosCaller,
    MemberPath(member): MemberPath,
    idempotency: Idempotency,
    ApiJson(request): ApiJson<RedemptionRequest>,
) -> Result<Response, ApiError> {
    let event = Event::Redeem(Redemption {
        member: member.clone(),
        reward: field("reward", RewardCode::parse(request.reward.as_str()))?,
        code: new_reward_code()?,
        occurred_at: state.clock.now_for(caller.program.id()),
    });
    submit(&state, &caller, event, idempotency, &("redeem", member.as_str(), &request)).await
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdjustmentRequest {
    points: i64,
    reason: String,
}

async fn adjust<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    MemberPath(member): MemberPath,
    idempotency: Idempotency,
    ApiJson(request): ApiJson<AdjustmentRequest>,
) -> Result<Response, ApiError> {
    let event = Event::Adjust(Adjustment {
        member: member.clone(),
        points: Adjustment::parse_points(request.points)?,
        reason: field("reason", Reason::parse(request.reason.as_str()))?,
        occurred_at: state.clock.now_for(caller.program.id()),
    });
    submit(&state, &caller, event, idempotency, &("adjust", member.as_str(), &request)).await
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewRequest {
    reason: String,
}

/// Makes available every point the member has held for review.
async fn release<S: Store>(
    state: State<AppState<S>>,
    caller: AdminCaller,
    member: MemberPath,
    idempotency: Idempotency,
    request: ApiJson<ReviewRequest>,
) -> Result<Response, ApiError> {
    review(state, caller, member, idempotency, request, true).await
}

/// Takes back every point the member has held for review.
async fn void<S: Store>(
    state: State<AppState<S>>,
    caller: AdminCaller,
    member: MemberPath,
    idempotency: Idempotency,
    request: ApiJson<ReviewRequest>,
) -> Result<Response, ApiError> {
    review(state, caller, member, idempotency, request, false).await
}

async fn review<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    MemberPath(member): MemberPath,
    idempotency: Idempotency,
    ApiJson(request): ApiJson<ReviewRequest>,
    release: bool,
) -> Result<Response, ApiError> {
    let event = Event::Review(ReviewDecision {
        member: member.clone(),
        release,
        reason: field("reason", Reason::parse(request.reason.as_str()))?,
        occurred_at: state.clock.now_for(caller.program.id()),
    });
    let route = if release { "review_release" } else { "review_void" };
    submit(&state, &caller, event, idempotency, &(route, member.as_str(), &request)).await
}
