//! Spending points, and an administrator's corrections: redemptions, adjustments, and
//! decisions on points held for review.

use super::{Idempotency, MemberPath, field, submit};
use crate::auth::{AdminCaller, PosCaller};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::openapi::{Documented, doc};
use crate::secrets::new_reward_code;
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::post_with;
use axum::extract::State;
use axum::response::Response;
use loyalty_core::event::{Adjustment, Redemption, ReviewDecision};
use loyalty_core::ids::{Reason, RewardCode};
use loyalty_core::outcome::{AdjustmentOutcome, RedemptionOutcome, ReviewOutcome};
use loyalty_core::{Event, Points};
use loyalty_store::Store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/members/{external_id}/redemptions",
            post_with(redeem::<S>, |op| {
                doc("redeem", "spending", "Redeem a reward: its points are spent and a reward code issued")(
                    op,
                )
                .answers::<201, RedemptionOutcome>("The reward code issued, with the member's balance")
            }),
        )
        .api_route(
            "/v1/members/{external_id}/adjustments",
            post_with(adjust::<S>, |op| {
                doc("adjust", "spending", "Add or take points by hand")(op)
                    .answers::<201, AdjustmentOutcome>("The points added or taken, with the member's balance")
            }),
        )
        .api_route(
            "/v1/members/{external_id}/review/release",
            post_with(release::<S>, |op| {
                doc("release_review", "spending", "Make available the points held for review")(op)
                    .answers::<201, ReviewOutcome>("The points released, with the member's balance")
            }),
        )
        .api_route(
            "/v1/members/{external_id}/review/void",
            post_with(void::<S>, |op| {
                doc("void_review", "spending", "Take back the points held for review")(op)
                    .answers::<201, ReviewOutcome>("The points voided, with the member's balance")
            }),
        )
}

/// The reward to redeem.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(example = serde_json::json!({ "reward": "free-drink" }))]
struct RedemptionRequest {
    /// The reward's code in the catalogue.
    #[schemars(with = "RewardCode")]
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

/// Points an administrator adds or takes by hand, and why.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(example = serde_json::json!({ "points": 20, "reason": "spilt latte" }))]
struct AdjustmentRequest {
    /// Points to add, or to take when negative; never zero.
    #[schemars(
        range(min = -Points::MAX_PER_EVENT.get(), max = Points::MAX_PER_EVENT.get()),
        extend("not" = { "const": 0 })
    )]
    points: i64,
    /// Why, for the journal.
    #[schemars(with = "Reason")]
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

/// Why an administrator decided on the points held for review.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ReviewRequest {
    /// Why, for the journal.
    #[schemars(with = "Reason")]
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
