//! Member tokens: short-lived PASETO v4.local tokens that let a member-facing page or app
//! act for one member of one program, on that member's own routes only.
//!
//! A token is sealed (see [`crate::sealed`]): `v4.local.<encrypted claims>.<footer>`. The
//! claims (JSON, encrypted and authenticated with XChaCha20 and BLAKE2b by `pasetors`) are
//! `prg` (the program's id), `sub` (the member's external id), `gen` (the member's token
//! generation), `iat` and `exp` (RFC 3339). The footer, authenticated but readable, is
//! `{"kid": <secret id>}`: which of the program's secrets made it. Revoking a member's
//! tokens moves their generation on, so every token made before stops working at once.

use crate::auth::{Caller, archived, counted, served};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use loyalty_core::ids::ExternalId;
use loyalty_core::{Rejection, Timestamp};
use loyalty_store::{ProgramId, Role, Store};
use serde::{Deserialize, Serialize};

/// What every member token starts with.
pub const PREFIX: &str = crate::sealed::PREFIX;
/// A token's lifetime unless the request asks for another: an hour.
pub const DEFAULT_SECONDS: i64 = 3600;
/// The longest lifetime a token may have: a day.
pub const MAX_SECONDS: i64 = crate::sealed::MAX_SECONDS;
/// Bound to every token, so that a token of this engine is never read as another's.
const IMPLICIT: &[u8] = b"loyalty-engine member token";

/// The routes a member token reaches: reading the member (balance and lots, history,
/// tiers, achievements, streaks, offers, the rewards they may redeem, their codes and
/// leaderboard standing), redeeming, answering a survey, and changing their leaderboard
/// opt-in and nickname. Each has the member in its path, and the token's member must be
/// that one.
pub const MEMBER_ROUTES: &[(&str, &str)] = &[
    ("GET", "/v1/members/{external_id}"),
    ("PATCH", "/v1/members/{external_id}"),
    ("GET", "/v1/members/{external_id}/ledger"),
    ("GET", "/v1/members/{external_id}/history"),
    ("GET", "/v1/members/{external_id}/tiers"),
    ("GET", "/v1/members/{external_id}/achievements"),
    ("GET", "/v1/members/{external_id}/streaks"),
    ("GET", "/v1/members/{external_id}/offers"),
    ("GET", "/v1/members/{external_id}/rewards"),
    ("GET", "/v1/members/{external_id}/codes"),
    ("GET", "/v1/members/{external_id}/leaderboards"),
    ("POST", "/v1/members/{external_id}/redemptions"),
    ("GET", "/v1/members/{external_id}/surveys"),
    ("POST", "/v1/members/{external_id}/survey-responses"),
];

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    prg: i64,
    sub: String,
    #[serde(rename = "gen")]
    generation: i64,
    iat: Timestamp,
    exp: Timestamp,
}

/// A token for `member` of `program`, good for `seconds`; with the instant it expires.
pub(crate) async fn issue<S: Store>(
    state: &AppState<S>,
    program: ProgramId,
    member: &ExternalId,
    seconds: i64,
) -> Result<(String, Timestamp), ApiError> {
    let now = state.clock.now_for(program);
    let generation = state.store.member_token_generation(program, member).await?;
    let expires_at =
        now.checked_add_micros(seconds * 1_000_000).ok_or_else(|| ApiError::internal("time overflow"))?;
    let claims =
        Claims { prg: program.0, sub: member.as_str().to_owned(), generation, iat: now, exp: expires_at };
    let token = crate::sealed::seal(state, program, IMPLICIT, &claims).await?;
    Ok((token, expires_at))
}

fn invalid() -> ApiError {
    ApiError::unauthorized("this member token is not valid (malformed, expired or revoked)")
}

/// Who a valid member token is for: a page that takes the token (the member portal) keeps
/// it only as long as it lives.
#[derive(Debug, Clone)]
pub struct Holder {
    pub program: ProgramId,
    pub member: ExternalId,
    pub expires_at: Timestamp,
    pub program_archived: bool,
}

/// Whom `token` is good for now; or 401.
pub async fn verify<S: Store>(state: &AppState<S>, token: &str) -> Result<Holder, ApiError> {
    let (claims, secret) =
        crate::sealed::open::<S, Claims>(state, IMPLICIT, token).await?.ok_or_else(invalid)?;
    let program = ProgramId(claims.prg);
    let now = state.clock.now_for(program);
    if program != secret.program_id || claims.exp <= now {
        return Err(invalid());
    }
    let member = ExternalId::parse(claims.sub).map_err(|_| invalid())?;
    if state.store.member_token_generation(program, &member).await? != claims.generation {
        return Err(invalid());
    }
    Ok(Holder { program, member, expires_at: claims.exp, program_archived: secret.program_archived })
}

/// The caller a member token makes, on a route it reaches and for its own member only:
/// another route is `403 forbidden`, another member `404 member_not_found` (as if there
/// were no such member: a token learns nothing of others).
pub(crate) async fn caller<S: Store>(
    parts: &mut Parts,
    state: &AppState<S>,
    token: &str,
) -> Result<Caller, ApiError> {
    let Holder { program: program_id, member, program_archived, .. } =
        verify(state, token).await.map_err(|e| counted(state, parts, e))?;
    let route = parts.extensions.get::<MatchedPath>().map(MatchedPath::as_str);
    if !route.is_some_and(|route| reaches(&parts.method, route)) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "a member token reaches only its member's own routes (see x-member-token in the API document)",
        ));
    }
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "malformed_request", e.body_text()))?;
    let asked = params.iter().find(|(name, _)| *name == "external_id").map(|(_, value)| value.to_owned());
    if asked.as_deref() != Some(member.as_str()) {
        return Err(Rejection::MemberNotFound { external_id: asked.unwrap_or_default() }.into());
    }
    if program_archived && !parts.method.is_safe() {
        return Err(archived());
    }
    let program = served(state, program_id).await?;
    if let Some(actor) = parts.extensions.get::<crate::observe::Actor>() {
        actor.set(crate::observe::Who {
            program_code: program.latest().program.code().to_owned(),
            program: Some(program_id),
            label: format!("member:{member}"),
            name: format!("member token of {member}"),
        });
    }
    Ok(Caller { program, role: Role::Pos, member: Some(member) })
}

/// Whether a member token reaches `route` (as the router names it) with `method`.
pub fn reaches(method: &Method, route: &str) -> bool {
    MEMBER_ROUTES.iter().any(|(m, r)| *r == route && *m == method.as_str())
}
