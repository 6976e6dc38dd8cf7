//! API keys managed over the API (admin): one per till, report reader or billing system,
//! each with its role, shown once and kept only as a hash; rotated with a grace period,
//! revoked at once.

use crate::auth::AdminCaller;
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::json::{ApiJson, MaybeJson};
use crate::openapi::{Documented, doc};
use crate::routes::{field, positive_number};
use crate::secrets::{key_hash, key_prefix, new_api_key};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::{delete_with, get_with, post_with};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_core::Timestamp;
use loyalty_core::ids::KeyName;
use loyalty_store::{KeyInfo, NewKey, Role, Store};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The longest grace period a rotation may give the old secret: a week.
const MAX_GRACE_SECONDS: i64 = 7 * 24 * 3600;

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/keys",
            get_with(list::<S>, |op| {
                doc("list_keys", "keys", "The program's live keys, never their secrets")(op)
                    .answers::<200, KeyList>("The keys, oldest first")
            })
            .post_with(create::<S>, |op| {
                doc("create_key", "keys", "Make a key; the answer shows its secret, once")(op)
                    .answers::<201, CreatedKey>("The key, with its secret")
            }),
        )
        .api_route(
            "/v1/keys/{id}",
            delete_with(revoke::<S>, |op| {
                doc("revoke_key", "keys", "End a key at once")(op)
                    .answers::<200, RevokedKey>("The key, ended")
                    .errors(&[404])
            }),
        )
        .api_route(
            "/v1/keys/{id}/rotate",
            post_with(rotate::<S>, |op| {
                doc(
                    "rotate_key",
                    "keys",
                    "Give a key a new secret; the old one works for the grace period asked",
                )(op)
                .answers::<201, CreatedKey>("The key under its new id, with its new secret")
                .errors(&[404])
            }),
        )
}

/// What may be shown of a key.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct KeyView {
    /// What `rotate` and `DELETE` name it by.
    id: i64,
    name: String,
    role: Role,
    /// The secret's first characters, to tell keys apart; null for a key made before keys
    /// were managed (such as the first admin key of an older database).
    prefix: Option<String>,
    created_at: Timestamp,
    /// When the key was last used, to the minute; null if never.
    last_used_at: Option<Timestamp>,
    /// When the key stops working; null if it does not expire.
    expires_at: Option<Timestamp>,
    /// When a rotated key's grace period ends; null for a key not rotated.
    revoked_at: Option<Timestamp>,
}

impl From<KeyInfo> for KeyView {
    fn from(key: KeyInfo) -> KeyView {
        KeyView {
            id: key.id,
            name: key.name,
            role: key.role,
            prefix: key.prefix,
            created_at: key.created_at,
            last_used_at: key.last_used_at,
            expires_at: key.expires_at,
            revoked_at: key.revoked_at,
        }
    }
}

/// The program's live keys.
#[derive(Debug, Serialize, JsonSchema)]
struct KeyList {
    keys: Vec<KeyView>,
}

/// A key just made, with its secret: the only time it is shown.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct CreatedKey {
    #[serde(flatten)]
    pub(crate) key: KeyView,
    /// `lk_` and 48 hex digits; send it as `Authorization: Bearer <secret>`.
    pub(crate) secret: String,
}

/// A key, ended.
#[derive(Debug, Serialize, JsonSchema)]
struct RevokedKey {
    id: i64,
    revoked_at: Timestamp,
}

/// A key to make.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct KeyRequest {
    /// What the key is for, such as `till 4, Main Street`: 1 to 64 characters, no control
    /// characters; kept without the spaces around it.
    #[schemars(with = "KeyName")]
    name: String,
    role: Role,
    /// When the key stops working (RFC 3339, in the future); never if not given.
    #[schemars(with = "Option<Timestamp>")]
    expires_at: Option<String>,
}

/// How long the old secret keeps working.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RotateRequest {
    /// Seconds the old secret keeps working, for clients to change over; 0 (none) if not
    /// given, at most 604800 (a week).
    #[serde(default)]
    #[schemars(range(min = 0, max = 604800))]
    grace_seconds: i64,
}

/// The `{id}` of a key.
#[derive(Debug, Deserialize, JsonSchema)]
struct KeyPath {
    /// The key's id.
    // Read by hand, so that a bad one is refused as a bad query number is.
    #[schemars(with = "i64", range(min = 1))]
    id: String,
}

impl KeyPath {
    fn id(&self) -> Result<i64, ApiError> {
        positive_number("id", &self.id)
    }
}

fn not_found(id: i64) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "key_not_found", format!("no live key {id} in this program"))
}

/// A new secret, with its hash and prefix.
pub(crate) fn secret() -> Result<(String, String, String), ApiError> {
    let secret = new_api_key().map_err(ApiError::internal)?;
    Ok((key_hash(&secret), key_prefix(&secret), secret))
}

async fn create<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiJson(body): ApiJson<KeyRequest>,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    // The name as sent is what the document's pattern and length speak of; it is kept
    // trimmed.
    let name = field("name", KeyName::parse(body.name.as_str()))?;
    let name = name.as_str().trim();
    let now = state.clock.now();
    let expires_at = match body.expires_at.as_deref() {
        None => None,
        Some(text) => {
            let at = Timestamp::parse_rfc3339(text)
                .map_err(|e| ApiError::invalid_request(format!("expires_at: {e}")))?;
            if at <= now {
                return Err(ApiError::invalid_request("expires_at: must be in the future"));
            }
            Some(at)
        }
    };
    let (key_hash, prefix, secret) = secret()?;
    let key = NewKey { name: name.to_owned(), role: body.role, key_hash, prefix: Some(prefix), expires_at };
    let made = state.store.create_api_key(caller.program.id(), &key, now).await?;
    Ok((StatusCode::CREATED, Json(CreatedKey { key: made.into(), secret })))
}

async fn list<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<KeyList>, ApiError> {
    let keys = state.store.api_keys(caller.program.id(), state.clock.now()).await?;
    Ok(Json(KeyList { keys: keys.into_iter().map(KeyView::from).collect() }))
}

async fn rotate<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(path): ApiPath<KeyPath>,
    MaybeJson(body): MaybeJson<RotateRequest>,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    let id = path.id()?;
    let grace = body.map_or(0, |b| b.grace_seconds);
    if !(0..=MAX_GRACE_SECONDS).contains(&grace) {
        return Err(ApiError::invalid_request(format!(
            "grace_seconds: must be from 0 to {MAX_GRACE_SECONDS} (a week)"
        )));
    }
    let now = state.clock.now();
    let grace_until = now.checked_add_micros(grace * 1_000_000).unwrap_or(now);
    let (key_hash, prefix, secret) = secret()?;
    let rotated = state
        .store
        .rotate_api_key(caller.program.id(), id, (&key_hash, &prefix), grace_until, now)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok((StatusCode::CREATED, Json(CreatedKey { key: rotated.into(), secret })))
}

async fn revoke<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(path): ApiPath<KeyPath>,
) -> Result<Json<RevokedKey>, ApiError> {
    let id = path.id()?;
    let now = state.clock.now();
    if !state.store.revoke_api_key(caller.program.id(), id, now).await? {
        return Err(not_found(id));
    }
    Ok(Json(RevokedKey { id, revoked_at: now }))
}
