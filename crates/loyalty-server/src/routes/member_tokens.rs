//! Member tokens handed out by a till or the merchant's backend, for a member-facing page
//! or app; and revoking all of a member's tokens at once.

use super::MemberPath;
use crate::auth::{Caller, PosCaller};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::member_token::{DEFAULT_SECONDS, MAX_SECONDS, issue};
use crate::openapi::{Documented, doc, optional_body};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::post_with;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_core::ids::ExternalId;
use loyalty_core::{Rejection, Timestamp};
use loyalty_store::{ProgramId, Store};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new().api_route(
        "/v1/members/{external_id}/tokens",
        post_with(create::<S>, |op| {
            let op = doc(
                "create_member_token",
                "members",
                "A short-lived token for the member's own page or app",
            )(op)
            .answers::<201, MemberToken>("The token");
            // Without a body the token lives an hour.
            optional_body(op)
        })
        .delete_with(revoke::<S>, |op| {
            doc("revoke_member_tokens", "members", "End every token of the member made so far")(op)
                .answers::<200, RevokedTokens>("Every earlier token is ended")
        }),
    )
}

/// How long the token is good for.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    /// Seconds, from 60 to 86400 (a day); 3600 (an hour) if not given.
    #[serde(default = "default_seconds")]
    #[schemars(range(min = 60, max = 86400))]
    ttl_seconds: i64,
}

fn default_seconds() -> i64 {
    DEFAULT_SECONDS
}

/// A member token: send it as `Authorization: Bearer <token>` to the member's own routes.
#[derive(Debug, Serialize, JsonSchema)]
struct MemberToken {
    /// A PASETO v4.local token (`v4.local.` ...).
    token: String,
    /// The member it acts for.
    member: ExternalId,
    expires_at: Timestamp,
}

/// The member whose tokens were ended.
#[derive(Debug, Serialize, JsonSchema)]
struct RevokedTokens {
    member: ExternalId,
    revoked_at: Timestamp,
}

async fn create<S: Store>(
    State(state): State<AppState<S>>,
    PosCaller(caller): PosCaller,
    MemberPath(member): MemberPath,
    body: Option<ApiJson<TokenRequest>>,
) -> Result<(StatusCode, Json<MemberToken>), ApiError> {
    let seconds = body.map_or(DEFAULT_SECONDS, |ApiJson(b)| b.ttl_seconds);
    if !(60..=MAX_SECONDS).contains(&seconds) {
        return Err(ApiError::invalid_request(format!(
            "ttl_seconds: must be from 60 to {MAX_SECONDS} (a day)"
        )));
    }
    let program = enrolled(&state, &caller, &member).await?;
    let (token, expires_at) = issue(&state, program, &member, seconds).await?;
    Ok((StatusCode::CREATED, Json(MemberToken { token, member, expires_at })))
}

async fn revoke<S: Store>(
    State(state): State<AppState<S>>,
    PosCaller(caller): PosCaller,
    MemberPath(member): MemberPath,
) -> Result<Json<RevokedTokens>, ApiError> {
    let program = enrolled(&state, &caller, &member).await?;
    state.store.revoke_member_tokens(program, &member).await?;
    Ok(Json(RevokedTokens { member, revoked_at: state.clock.now_for(program) }))
}

/// The caller's program, once `member` is found enrolled in it.
async fn enrolled<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    member: &ExternalId,
) -> Result<ProgramId, ApiError> {
    let program = caller.program.id();
    let now = state.clock.now_for(program);
    state
        .store
        .member(caller.program.at(now), member, now)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: member.to_string() })?;
    Ok(program)
}
