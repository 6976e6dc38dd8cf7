//! The platform key: the one key that manages programs, stored as the hash of its secret.

use super::SqlStore;
use super::rows::text;
use crate::StoreError;
use loyalty_core::Timestamp;
use sqlx::AnyPool;

/// Makes `key_hash` the platform key, revoking the one before (nothing changes if it
/// already is the key).
pub(super) async fn set(store: &SqlStore, key_hash: &str, now: Timestamp) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let live = sqlx::query("SELECT key_hash FROM platform_keys WHERE revoked_at_us IS NULL")
        .fetch_all(&mut *tx)
        .await?;
    let mut same = false;
    for row in &live {
        same |= text(row, "key_hash")? == key_hash;
    }
    if !same || live.len() > 1 {
        sqlx::query(
            "UPDATE platform_keys SET revoked_at_us = $1 WHERE revoked_at_us IS NULL AND key_hash <> $2",
        )
        .bind(now.as_micros())
        .bind(key_hash)
        .execute(&mut *tx)
        .await?;
    }
    if !same {
        // A key revoked earlier and set again is live again: its hash is unique.
        sqlx::query(
            "INSERT INTO platform_keys (key_hash, created_at_us) VALUES ($1, $2) \
             ON CONFLICT (key_hash) DO UPDATE SET revoked_at_us = NULL",
        )
        .bind(key_hash)
        .bind(now.as_micros())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether a platform key is live.
pub(super) async fn exists(pool: &AnyPool) -> Result<bool, StoreError> {
    let row =
        sqlx::query("SELECT id FROM platform_keys WHERE revoked_at_us IS NULL").fetch_optional(pool).await?;
    Ok(row.is_some())
}

/// Whether `key_hash` is the live platform key's.
pub(super) async fn is_key(pool: &AnyPool, key_hash: &str) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT id FROM platform_keys WHERE key_hash = $1 AND revoked_at_us IS NULL")
        .bind(key_hash)
        .fetch_optional(pool)
        .await?;
    Ok(row.is_some())
}
