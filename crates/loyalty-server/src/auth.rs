//! Who is calling: a bearer API key that belongs to one program and has one role.

use crate::error::ApiError;
use crate::observe::Actor;
use crate::secrets::key_hash;
use crate::state::AppState;
use crate::state::Versions;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use loyalty_store::{Role, Store};
use std::sync::Arc;

/// The authenticated caller; the request's program is their key's program.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Every version of the key's program.
    pub program: Arc<Versions>,
    pub role: Role,
}

/// What a route needs the caller's role to allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading: any role.
    Read,
    /// What a till does: members, events, redemptions.
    Pos,
    /// Administration: adjustments and configuration.
    Admin,
}

impl Caller {
    pub fn require(&self, access: Access) -> Result<(), ApiError> {
        let allowed = match access {
            Access::Read => true,
            Access::Pos => matches!(self.role, Role::Admin | Role::Pos),
            Access::Admin => self.role == Role::Admin,
        };
        if allowed {
            return Ok(());
        }
        let needed = match access {
            Access::Read => "any",
            Access::Pos => "an admin or pos",
            Access::Admin => "an admin",
        };
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this needs {needed} key; yours is a {} key", self.role.as_str()),
        ))
    }
}

/// A caller whose key may do what a till does (`admin` or `pos`). As an extractor it is
/// checked from the request's head, before the body is read: a key without the role is
/// told `403 forbidden` whatever it sent, never a complaint about a body it may not send.
/// It must come before the body (and the path) among a handler's arguments.
#[derive(Debug, Clone)]
pub struct PosCaller(pub Caller);

/// A caller with an `admin` key, checked before the body is read (see [`PosCaller`]).
#[derive(Debug, Clone)]
pub struct AdminCaller(pub Caller);

impl<S: Store> FromRequestParts<AppState<S>> for PosCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<PosCaller, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require(Access::Pos)?;
        Ok(PosCaller(caller))
    }
}

impl<S: Store> FromRequestParts<AppState<S>> for AdminCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<AdminCaller, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require(Access::Admin)?;
        Ok(AdminCaller(caller))
    }
}

impl<S: Store> FromRequestParts<AppState<S>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<Caller, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("send your API key as `Authorization: Bearer <key>`"))?;
        let key = header
            .to_str()
            .ok()
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, key)| key.trim())
            .filter(|key| !key.is_empty())
            .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <key>`"))?;
        let found = state
            .store
            .api_key(&key_hash(key))
            .await?
            .ok_or_else(|| ApiError::unauthorized("this API key is not valid"))?;
        let program = state
            .programs
            .get(found.program_id)
            .ok_or_else(|| ApiError::unauthorized("this API key's program is not served here"))?;
        if let Some(actor) = parts.extensions.get::<Actor>() {
            actor.set(program.latest().program.code(), format!("{} key {}", found.role.as_str(), found.name));
        }
        Ok(Caller { program, role: found.role })
    }
}
