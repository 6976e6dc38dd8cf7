//! Random secrets and digests: API keys, reward codes, request fingerprints.

use crate::error::ApiError;
use loyalty_core::ids::{ExternalId, HoldId, InstanceCode, ReferralCode};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Crockford's base-32 alphabet: no I, L, O or U to misread at a till.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new API key: `lk_` and 192 random bits.
pub fn new_api_key() -> Result<String, getrandom::Error> {
    Ok(format!("lk_{}", hex(&random_bytes::<24>()?)))
}

/// The first characters of a key (`lk_` and 8 hex digits, 32 of its 192 bits), shown to
/// tell keys apart without giving away enough to guess the rest.
pub fn key_prefix(key: &str) -> String {
    key.chars().take(11).collect()
}

/// What the database keeps of a key. The keys are random and long, so a plain SHA-256
/// cannot be reversed by guessing.
pub fn key_hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// `groups` groups of four characters of the unambiguous alphabet: 20 random bits each.
fn random_code(groups: usize) -> Result<String, ApiError> {
    let bytes = random_bytes::<10>().map_err(ApiError::internal)?;
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    let mut code = String::with_capacity(groups * 5);
    for i in 0..groups.min(4) * 4 {
        if i > 0 && i % 4 == 0 {
            code.push('-');
        }
        let index = ((bits >> (75 - 5 * i)) & 0x1f) as usize;
        code.push(char::from(CODE_ALPHABET[index]));
    }
    Ok(code)
}

/// A new reward code such as `7KQ2-M9XD-4TRB-0WNC`: 80 random bits, unguessable.
pub fn new_reward_code() -> Result<InstanceCode, ApiError> {
    InstanceCode::parse(random_code(4)?).map_err(ApiError::internal)
}

/// A new hold id such as `H-7KQ2-M9XD-4TRB-0WNC`: unguessable, so a hold cannot be captured
/// or released by someone who merely counts.
pub fn new_hold_id() -> Result<HoldId, ApiError> {
    HoldId::parse(format!("H-{}", random_code(4)?)).map_err(ApiError::internal)
}

/// A new webhook secret such as `whsec_` and 64 hex digits: 256 random bits.
pub fn new_webhook_secret() -> Result<String, ApiError> {
    let bits = random_bytes::<32>().map_err(ApiError::internal)?;
    Ok(format!("whsec_{}", hex(&bits)))
}

/// The hex HMAC-SHA256 of `message` under `key`: a webhook's signature.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    hex(&mac.finalize().into_bytes())
}

/// A fraction of jitter in [0.8, 1.2), from the system's randomness (1.0 if it fails).
pub fn jitter() -> f64 {
    random_bytes::<2>().map_or(1.0, |b| 0.8 + 0.4 * f64::from(u16::from_le_bytes(b)) / 65_536.0)
}

/// A new referral code such as `K7Q2-M9XD-4TRB`: 60 random bits, short enough to share and
/// too many to collide among millions of members.
pub fn new_referral_code() -> Result<ReferralCode, ApiError> {
    ReferralCode::parse(random_code(3)?).map_err(ApiError::internal)
}

/// The external id an erased member is known by from then on, such as
/// `erased-3f9c0a7be21d4e56`: 64 random bits, so it says nothing of who they were and does
/// not collide with another erased member's.
pub fn new_erased_id() -> Result<ExternalId, ApiError> {
    let bits = random_bytes::<8>().map_err(ApiError::internal)?;
    ExternalId::parse(format!("erased-{}", hex(&bits))).map_err(ApiError::internal)
}

/// A digest of a request as the client sent it, so a retry can be told from a new
/// request that reuses its key.
pub fn fingerprint(request: &impl Serialize) -> Result<String, ApiError> {
    let bytes = serde_json::to_vec(request).map_err(ApiError::internal)?;
    Ok(hex(&Sha256::digest(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_are_long_random_and_hash_stably() {
        let a = new_api_key().unwrap();
        let b = new_api_key().unwrap();
        assert!(a.starts_with("lk_") && a.len() == 51);
        assert_ne!(a, b);
        assert_eq!(key_hash("lk_x"), key_hash("lk_x"));
        assert_eq!(key_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn reward_codes_use_the_unambiguous_alphabet() {
        let code = new_reward_code().unwrap();
        let text = code.as_str();
        assert_eq!(text.len(), 19);
        assert!(text.split('-').all(|g| g.len() == 4 && g.bytes().all(|c| CODE_ALPHABET.contains(&c))));
        assert_ne!(new_reward_code().unwrap(), code);
        let referral = new_referral_code().unwrap();
        assert_eq!(referral.as_str().len(), 14);
    }

    #[test]
    fn erased_ids_are_sixteen_random_lowercase_hex_digits() {
        let id = new_erased_id().unwrap();
        let digits = id.as_str().strip_prefix("erased-").unwrap();
        assert_eq!(digits.len(), 16);
        assert!(digits.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_ne!(new_erased_id().unwrap(), id);
    }
}
