//! Spending points: redemptions, and adjustments by an administrator.

use super::{Idempotency, MemberPath, field, submit};
use crate::auth::{Access, Caller};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::secrets::new_reward_code;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use loyalty_core::Event;
use loyalty_core::event::{Adjustment, Redemption};
use loyalty_core::ids::{Reason, RewardCode};
use loyalty_store::Store;
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/v1/members/{external_id}/redemptions", post(redeem::<S>))
        .route("/v1/members/{external_id}/adjustments", post(adjust::<S>))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RedemptionRequest {
    reward: String,
}

async fn redeem<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(member): MemberPath,
    idempotency: Idempotency,
    ApiJson(request): ApiJson<RedemptionRequest>,
) -> Result<Response, ApiError> {
    caller.require(Access::Pos)?;
    let event = Event::Redeem(Redemption {
        member: member.clone(),
        reward: field("reward", RewardCode::parse(request.reward.as_str()))?,
        code: new_reward_code()?,
        occurred_at: state.clock.now(),
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
    caller: Caller,
    MemberPath(member): MemberPath,
    idempotency: Idempotency,
    ApiJson(request): ApiJson<AdjustmentRequest>,
) -> Result<Response, ApiError> {
    caller.require(Access::Admin)?;
    let event = Event::Adjust(Adjustment {
        member: member.clone(),
        points: Adjustment::parse_points(request.points)?,
        reason: field("reason", Reason::parse(request.reason.as_str()))?,
        occurred_at: state.clock.now(),
    });
    submit(&state, &caller, event, idempotency, &("adjust", member.as_str(), &request)).await
}
