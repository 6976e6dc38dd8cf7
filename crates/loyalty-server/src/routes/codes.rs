//! Issued reward codes at the till: checked, used, drawn on (gift cards), cancelled.

use super::{Idempotency, MemberPath, field, submit};
use crate::auth::{Access, Caller, PosCaller};
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::json::ApiJson;
use crate::openapi::{Documented, doc};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, post_with};
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use loyalty_core::event::{CodeAction, CodeUpdate};
use loyalty_core::ids::{ExternalId, InstanceCode, OrderId};
use loyalty_core::money::MinorUnits;
use loyalty_core::outcome::CodeOutcome;
use loyalty_core::program::RewardKind;
use loyalty_core::spending::{InstanceState, RewardInstance};
use loyalty_core::{Event, Rejection, Timestamp};
use loyalty_store::Store;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/rewards/codes/{code}",
            get_with(show::<S>, |op| {
                doc("get_code", "codes", "A reward code as the till checks it")(op)
                    .answers::<200, CodeView>("The code, with whether it can be accepted now")
                    .errors(&[404])
            }),
        )
        .api_route(
            "/v1/rewards/codes/{code}/use",
            post_with(use_code::<S>, |op| {
                doc("use_code", "codes", "The till accepted the code")(op)
                    .answers::<201, CodeOutcome>("The code, used")
                    .errors(&[404])
            }),
        )
        .api_route(
            "/v1/rewards/codes/{code}/cancellation",
            post_with(cancel::<S>, |op| {
                doc(
                    "cancel_code",
                    "codes",
                    "The member gives an unused reward back: its points and stock return",
                )(op)
                .answers::<201, CodeOutcome>("The code, cancelled, with the points given back")
                .errors(&[404])
            }),
        )
        .api_route(
            "/v1/gift-cards/{code}",
            get_with(gift_card::<S>, |op| {
                doc("get_gift_card", "codes", "A gift card and its balance")(op)
                    .answers::<200, CodeView>("The gift card, with whether it can be accepted now")
                    .errors(&[404])
            }),
        )
        .api_route(
            "/v1/gift-cards/{code}/draws",
            post_with(draw::<S>, |op| {
                doc("draw_gift_card", "codes", "Draw part of a gift card's balance")(op)
                    .answers::<201, CodeOutcome>("The gift card, with what is left of its balance")
                    .errors(&[404])
            }),
        )
        .api_route(
            "/v1/members/{external_id}/codes",
            get_with(member_codes::<S>, |op| {
                doc("member_codes", "codes", "The member's reward codes and their states")(op)
                    .answers::<200, MemberCodes>("The member's codes, oldest first")
            }),
        )
}

/// The `{code}` of a reward code or gift card route.
#[derive(Debug, Deserialize, JsonSchema)]
struct CodePath {
    /// The code printed on the issued reward or gift card.
    #[schemars(with = "InstanceCode")]
    code: String,
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

/// An issued reward code as the till sees it.
#[derive(Debug, Serialize, JsonSchema)]
struct CodeView {
    #[serde(flatten)]
    instance: RewardInstance,
    /// The member it was issued to.
    member: ExternalId,
    /// Whether the till can accept it now: issued, not used or cancelled, and not expired.
    usable: bool,
}

/// A member's reward codes.
#[derive(Debug, Serialize, JsonSchema)]
struct MemberCodes {
    member: ExternalId,
    /// Oldest first, in every state.
    codes: Vec<RewardInstance>,
}

/// A code as the till sees it, with whether it can be accepted now.
fn view(member: ExternalId, instance: RewardInstance, now: Timestamp) -> CodeView {
    let usable = instance.state == InstanceState::Issued && instance.expires_at.is_none_or(|e| now < e);
    CodeView { instance, member, usable }
}

async fn show<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiPath(CodePath { code }): ApiPath<CodePath>,
) -> Result<Json<CodeView>, ApiError> {
    caller.require(Access::Read)?;
    let (member, instance) = find(&state, &caller, &code).await?;
    Ok(Json(view(member, instance, state.clock.now_for(caller.program.id()))))
}

async fn gift_card<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiPath(CodePath { code }): ApiPath<CodePath>,
) -> Result<Json<CodeView>, ApiError> {
    caller.require(Access::Read)?;
    let (member, instance) = find(&state, &caller, &code).await?;
    if instance.kind != RewardKind::GiftCard {
        return Err(Rejection::NotAGiftCard { code }.into());
    }
    Ok(Json(view(member, instance, state.clock.now_for(caller.program.id()))))
}

/// The order the till accepted the code on.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct UseBody {
    /// The merchant's order number.
    #[schemars(with = "OrderId")]
    order_id: String,
}

/// What the till draws from a gift card, and for which order.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DrawBody {
    /// The merchant's order number.
    #[schemars(with = "OrderId")]
    order_id: String,
    /// The amount drawn, in minor units of the program's currency; at most the card's balance.
    #[schemars(range(min = 1))]
    amount_minor: i64,
}

async fn use_code<S: Store>(
    State(state): State<AppState<S>>,
    caller: PosCaller,
    ApiPath(CodePath { code }): ApiPath<CodePath>,
    idempotency: Idempotency,
    ApiJson(body): ApiJson<UseBody>,
) -> Result<Response, ApiError> {
    let order_id = field("order_id", OrderId::parse(body.order_id.as_str()))?;
    update(state, caller, code, idempotency, CodeAction::Use { order_id }, &body).await
}

async fn draw<S: Store>(
    State(state): State<AppState<S>>,
    caller: PosCaller,
    ApiPath(CodePath { code }): ApiPath<CodePath>,
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
    ApiPath(CodePath { code }): ApiPath<CodePath>,
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
) -> Result<Json<MemberCodes>, ApiError> {
    caller.require(Access::Read)?;
    let codes = state
        .store
        .member_codes(caller.program.id(), &member)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: member.to_string() })?;
    Ok(Json(MemberCodes { member, codes }))
}
