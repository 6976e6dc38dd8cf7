//! Erasure ("right to be forgotten"): an administrator removes a member's personal data.
//! The member's points, lots and journal stay, under a new external id that names no one.

use super::MemberPath;
use crate::auth::AdminCaller;
use crate::error::ApiError;
use crate::openapi::{Documented, doc};
use crate::secrets::new_erased_id;
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::post_with;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use loyalty_core::{Rejection, Timestamp};
use loyalty_store::Store;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new().api_route(
        "/v1/members/{external_id}/erasure",
        post_with(erase::<S>, |op| {
            doc("erase_member", "members", "Erase a member's personal data; their points and journal stay")(
                op,
            )
            .answers::<200, Erased>("The member's data is erased")
        }),
    )
}

/// The body of an erasure: nothing, or `{}`. It takes no fields.
#[derive(Debug)]
pub struct NoFields;

impl<S: Send + Sync> FromRequest<S> for NoFields {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<NoFields, ApiError> {
        no_request_fields(Bytes::from_request(request, state).await).map(|()| NoFields)
    }
}

/// The member's new external id, which names no one.
#[derive(Debug, Serialize, JsonSchema)]
struct Erased {
    /// The member's external id from now on.
    external_id: String,
    erased_at: Timestamp,
}

async fn erase<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    MemberPath(member): MemberPath,
    _: NoFields,
) -> Result<Json<Erased>, ApiError> {
    // Made here, not in the store, as the engine's other random codes are.
    let replacement = new_erased_id()?;
    let erased_at = state.clock.now_for(caller.program.id());
    let erased = state.store.erase_member(caller.program.id(), &member, &replacement, erased_at).await?;
    if !erased {
        return Err(Rejection::MemberNotFound { external_id: member.to_string() }.into());
    }
    tracing::info!(member = %replacement, "member erased");
    Ok(Json(Erased { external_id: replacement.to_string(), erased_at }))
}

/// An erasure takes no fields: the body is empty or `{}`.
fn no_request_fields(body: Result<Bytes, BytesRejection>) -> Result<(), ApiError> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(e.status(), "payload_too_large", "an erasure takes no body, or `{}`")
        }
        status => ApiError::new(status, "malformed_request", e.body_text()),
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    match crate::json::parse_strict(&body)? {
        Value::Object(fields) if fields.is_empty() => Ok(()),
        Value::Object(fields) => {
            let names: Vec<&str> = fields.keys().map(String::as_str).collect();
            Err(ApiError::invalid_request(format!(
                "unknown field `{}`: an erasure takes no fields",
                names.join("`, `")
            )))
        }
        _ => Err(ApiError::invalid_request("the body must be empty or `{}`")),
    }
}
