//! Sealed tokens: a payload encrypted and authenticated as PASETO v4.local under one of a
//! program's rotating secrets. Member tokens are sealed here, and so are the console's and
//! the portal's session cookies; each use binds its own purpose (PASETO's implicit
//! assertion), so that a token sealed for one is never opened as another.
//!
//! A token is `v4.local.<encrypted payload>.<footer>`; the footer, authenticated but
//! readable, is `{"kid": <secret id>}`: which of the program's secrets sealed it. A
//! program seals with one secret for a day, then makes another; a secret opens tokens for
//! as long as the longest-lived one it sealed may live, [`MAX_SECONDS`].

use crate::error::ApiError;
use crate::state::AppState;
use loyalty_core::Timestamp;
use loyalty_store::{ProgramId, Store, TokenSecret};
use pasetors::Local;
use pasetors::keys::SymmetricKey;
use pasetors::token::UntrustedToken;
use pasetors::version4::{LocalToken, V4};
use serde::{Deserialize, Serialize};

/// What every sealed token starts with.
pub const PREFIX: &str = "v4.local.";
/// The longest a sealed token may live: a day.
pub const MAX_SECONDS: i64 = 24 * 3600;
/// How long a program seals with one secret before it makes the next.
const SIGNING_MICROS: i64 = 24 * 3600 * 1_000_000;

#[derive(Debug, Serialize, Deserialize)]
struct Footer {
    kid: i64,
}

fn key(hex: &str) -> Result<SymmetricKey<V4>, ApiError> {
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| ApiError::internal("a token secret is not hex"))?;
    SymmetricKey::<V4>::from(&bytes).map_err(|e| ApiError::internal(format!("token key: {e:?}")))
}

/// 32 random bytes as hex: a fresh secret, or a session's CSRF token.
pub fn random_hex() -> Result<String, ApiError> {
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh).map_err(ApiError::internal)?;
    Ok(fresh.iter().map(|b| format!("{b:02x}")).collect())
}

/// `payload` sealed for `purpose` under `program`'s current secret (made if due).
pub async fn seal<S: Store, T: Serialize>(
    state: &AppState<S>,
    program: ProgramId,
    purpose: &[u8],
    payload: &T,
) -> Result<String, ApiError> {
    let now = state.clock.now_for(program);
    let not_before = Timestamp::from_micros(now.as_micros().saturating_sub(SIGNING_MICROS));
    let secret = state.store.member_token_signing_secret(program, &random_hex()?, not_before, now).await?;
    let message = serde_json::to_vec(payload).map_err(ApiError::internal)?;
    let footer = serde_json::to_vec(&Footer { kid: secret.id }).map_err(ApiError::internal)?;
    LocalToken::encrypt(&key(&secret.secret)?, &message, Some(&footer), Some(purpose))
        .map_err(|e| ApiError::internal(format!("sealing a token: {e:?}")))
}

/// The payload of a token sealed for `purpose`, with the secret that opened it; `None` if
/// it is malformed, sealed for another purpose or by a secret no longer kept, or altered.
/// The payload's own expiry is the caller's to check.
pub async fn open<S: Store, T: for<'de> Deserialize<'de>>(
    state: &AppState<S>,
    purpose: &[u8],
    token: &str,
) -> Result<Option<(T, TokenSecret)>, ApiError> {
    let Ok(untrusted) = UntrustedToken::<Local, V4>::try_from(token) else { return Ok(None) };
    let Ok(footer) = serde_json::from_slice::<Footer>(untrusted.untrusted_footer()) else { return Ok(None) };
    let Some(secret) = state.store.member_token_secret(footer.kid).await? else { return Ok(None) };
    let now = state.clock.now_for(secret.program_id);
    let secret_ends = secret.created_at.as_micros().saturating_add(SIGNING_MICROS + MAX_SECONDS * 1_000_000);
    if secret_ends <= now.as_micros() {
        return Ok(None);
    }
    let Ok(trusted) = LocalToken::decrypt(
        &key(&secret.secret)?,
        &untrusted,
        Some(untrusted.untrusted_footer()),
        Some(purpose),
    ) else {
        return Ok(None);
    };
    Ok(serde_json::from_str(trusted.payload()).ok().map(|payload| (payload, secret)))
}
