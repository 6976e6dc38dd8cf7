//! Who is calling: a bearer API key that belongs to one program and has one role.

use crate::error::ApiError;
use crate::observe::Actor;
use crate::secrets::key_hash;
use crate::state::AppState;
use crate::state::Versions;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use loyalty_core::Timestamp;
use loyalty_store::{KEY_USE_EVERY_MICROS, ProgramId, Role, Store};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// When each key's use was last written (or is being written) by this server.
#[derive(Debug, Default)]
pub struct KeyUses(Mutex<HashMap<i64, Timestamp>>);

impl KeyUses {
    /// Whether a use of key `id` at `now` should be written: the last one written, here or
    /// (as the store says) by any node, is at least `KEY_USE_EVERY_MICROS` old. Claims the
    /// write, so that a burst of requests makes one.
    fn due(&self, id: i64, stored: Option<Timestamp>, now: Timestamp) -> bool {
        let stale = |at: Option<Timestamp>| {
            at.is_none_or(|at| at.as_micros() < now.as_micros().saturating_sub(KEY_USE_EVERY_MICROS))
        };
        let mut written = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let due = stale(stored) && stale(written.get(&id).copied());
        if due {
            written.insert(id, now);
        }
        due
    }
}

/// The authenticated caller; the request's program is their key's program.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Every version of the key's program.
    pub program: Arc<Versions>,
    pub role: Role,
    /// The member a member token acts for; `None` for an API key.
    pub member: Option<loyalty_core::ids::ExternalId>,
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
    /// Starting and changing paid tiers: the billing system's, never a till's.
    Billing,
}

impl Access {
    /// Whether a key of `role` may do this.
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Read => true,
            Access::Pos => matches!(role, Role::Admin | Role::Pos),
            Access::Admin => role == Role::Admin,
            Access::Billing => matches!(role, Role::Admin | Role::Billing),
        }
    }

    /// The role named in the document's `x-required-role`: the least a key must be (an
    /// `admin` key may do everything).
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Pos => "pos",
            Access::Admin => "admin",
            Access::Billing => "billing",
        }
    }
}

impl Caller {
    pub fn require(&self, access: Access) -> Result<(), ApiError> {
        if access.allows(self.role) {
            return Ok(());
        }
        let needed = match access {
            Access::Read => "any",
            Access::Pos => "an admin or pos",
            Access::Admin => "an admin",
            Access::Billing => "an admin or billing",
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

/// A caller with an `admin` or `billing` key, checked before the body is read (see
/// [`PosCaller`]).
#[derive(Debug, Clone)]
pub struct BillingCaller(pub Caller);

async fn caller_with<S: Store>(
    parts: &mut Parts,
    state: &AppState<S>,
    access: Access,
) -> Result<Caller, ApiError> {
    let caller = Caller::from_request_parts(parts, state).await?;
    caller.require(access)?;
    Ok(caller)
}

impl<S: Store> FromRequestParts<AppState<S>> for PosCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<PosCaller, ApiError> {
        caller_with(parts, state, Access::Pos).await.map(PosCaller)
    }
}

impl<S: Store> FromRequestParts<AppState<S>> for AdminCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<AdminCaller, ApiError> {
        caller_with(parts, state, Access::Admin).await.map(AdminCaller)
    }
}

impl<S: Store> FromRequestParts<AppState<S>> for BillingCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<BillingCaller, ApiError> {
        caller_with(parts, state, Access::Billing).await.map(BillingCaller)
    }
}

impl<S: Store> FromRequestParts<AppState<S>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState<S>) -> Result<Caller, ApiError> {
        let refused = |error| counted(state, parts, error);
        let key = bearer(parts).map_err(|problem| refused(ApiError::unauthorized(problem)))?;
        if key.starts_with(crate::member_token::PREFIX) {
            let token = key.to_owned();
            return crate::member_token::caller(parts, state, &token).await;
        }
        let now = state.clock.now();
        let hash = key_hash(key);
        let Some(found) = state.store.api_key(&hash, now).await? else {
            if state.store.is_platform_key(&hash).await? {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "the platform key manages programs (/v1/admin/programs) and reaches no program's \
                     data; use a key of the program",
                ));
            }
            return Err(refused(ApiError::unauthorized(
                "this API key is not valid (unknown, revoked or expired)",
            )));
        };
        state.limits.key(found.id, found.role)?;
        if found.program_archived && !parts.method.is_safe() {
            return Err(archived());
        }
        let program = served(state, found.program_id).await?;
        if let Some(actor) = parts.extensions.get::<Actor>() {
            actor.set(crate::observe::Who {
                program_code: program.latest().program.code().to_owned(),
                program: Some(found.program_id),
                label: format!("key:{}", found.id),
                name: format!("{} ({} key)", found.name, found.role.as_str()),
            });
        }
        // A write at most once a minute per key (and one per burst, see `KeyUses`); a
        // failure to note the use must not refuse the request.
        if state.key_uses.due(found.id, found.last_used_at, now)
            && let Err(e) = state.store.touch_api_key(found.id, now).await
        {
            tracing::warn!(error = %e, key = found.id, "could not record the key's last use");
        }
        Ok(Caller { program, role: found.role, member: None })
    }
}

/// `error`, for a request without a valid key, counted against its address's bucket:
/// past it, the answer is 429 rather than 401, so that guessing is slowed to the bucket's
/// rate.
pub(crate) fn counted<S>(state: &AppState<S>, parts: &Parts, error: ApiError) -> ApiError {
    let address = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    match state.limits.unauthenticated(address) {
        Ok(()) => error,
        Err(limited) => limited,
    }
}

/// The key sent as `Authorization: Bearer <key>`, or what is wrong with the header.
pub(crate) fn bearer(parts: &Parts) -> Result<&str, &'static str> {
    let header =
        parts.headers.get(AUTHORIZATION).ok_or("send your API key as `Authorization: Bearer <key>`")?;
    header
        .to_str()
        .ok()
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim())
        .filter(|key| !key.is_empty())
        .ok_or("the Authorization header must be `Bearer <key>`")
}

/// An archived program's answer to a write: it is kept for reading and export only.
pub(crate) fn archived() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "program_archived",
        "this program is archived: it can be read and exported, not changed",
    )
}

/// The program as this server serves it. One made since this server started (by the
/// platform API on another node) is loaded from the store the first time it is asked for.
pub(crate) async fn served<S: Store>(state: &AppState<S>, id: ProgramId) -> Result<Arc<Versions>, ApiError> {
    if let Some(program) = state.programs.get(id) {
        return Ok(program);
    }
    let versions = crate::startup::versions(&*state.store, id).await.map_err(ApiError::internal)?;
    state.programs.insert_if_absent(versions);
    state.programs.get(id).ok_or_else(|| ApiError::internal(format!("program {id:?} vanished while loaded")))
}
