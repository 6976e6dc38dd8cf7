//! The platform key's caller: the operator of the deployment, who manages programs and
//! nothing inside them.

use crate::auth::{bearer, counted};
use crate::error::ApiError;
use crate::secrets::key_hash;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use loyalty_store::Store;

/// A request made with the platform key. A program's key is refused (403): whatever its
/// role, it can never reach `/v1/admin/programs`.
#[derive(Debug, Clone, Copy)]
pub struct PlatformCaller;

impl<S: Store> FromRequestParts<AppState<S>> for PlatformCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<PlatformCaller, ApiError> {
        let key = bearer(parts).map_err(|problem| counted(state, parts, ApiError::unauthorized(problem)))?;
        let hash = key_hash(key);
        if state.store.is_platform_key(&hash).await? {
            if let Some(actor) = parts.extensions.get::<crate::observe::Actor>() {
                actor.set(crate::observe::Who {
                    program_code: String::new(),
                    program: None,
                    label: "platform".to_owned(),
                    name: "the platform key".to_owned(),
                });
            }
            return Ok(PlatformCaller);
        }
        if state.store.api_key(&hash, state.clock.now()).await?.is_some() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "this needs the platform key; a program's key cannot manage programs",
            ));
        }
        Err(counted(
            state,
            parts,
            ApiError::unauthorized("this is not the platform key (unknown or replaced)"),
        ))
    }
}
