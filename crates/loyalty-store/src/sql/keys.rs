//! API keys, stored as hashes of their secrets.

use super::SqlStore;
use super::rows::{int, text};
use crate::StoreError;
use crate::types::{ApiKey, ProgramId, Role};
use loyalty_core::Timestamp;
use sqlx::{Any, AnyPool, Transaction};

pub(super) async fn insert(
    tx: &mut Transaction<'static, Any>,
    program: ProgramId,
    role: Role,
    name: &str,
    key_hash: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO api_keys (program_id, name, role, key_hash, created_at_us) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(program.0)
    .bind(name)
    .bind(role.as_str())
    .bind(key_hash)
    .bind(now.as_micros())
    .fetch_one(&mut **tx)
    .await?;
    int(&row, "id")
}

pub(super) async fn set_bootstrap(
    store: &SqlStore,
    program: ProgramId,
    key_hash: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let current = sqlx::query(
        "SELECT b.api_key_id, k.key_hash FROM bootstrap_keys b JOIN api_keys k ON k.id = b.api_key_id \
         WHERE b.program_id = $1",
    )
    .bind(program.0)
    .fetch_optional(&mut *tx)
    .await?;
    let key_id = match &current {
        Some(row) if text(row, "key_hash")? == key_hash => int(row, "api_key_id")?,
        Some(row) => {
            sqlx::query("UPDATE api_keys SET revoked_at_us = $1 WHERE id = $2")
                .bind(now.as_micros())
                .bind(int(row, "api_key_id")?)
                .execute(&mut *tx)
                .await?;
            insert(&mut tx, program, Role::Admin, "bootstrap admin key", key_hash, now).await?
        }
        None => insert(&mut tx, program, Role::Admin, "bootstrap admin key", key_hash, now).await?,
    };
    let sql = if current.is_some() {
        "UPDATE bootstrap_keys SET api_key_id = $2 WHERE program_id = $1"
    } else {
        "INSERT INTO bootstrap_keys (program_id, api_key_id) VALUES ($1, $2)"
    };
    sqlx::query(sql).bind(program.0).bind(key_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the program has a live bootstrap key (only its hash is stored, so that is all
/// there is to know).
pub(super) async fn has_bootstrap(pool: &AnyPool, program: ProgramId) -> Result<bool, StoreError> {
    let row = sqlx::query(
        "SELECT k.id FROM bootstrap_keys b JOIN api_keys k ON k.id = b.api_key_id \
         WHERE b.program_id = $1 AND k.revoked_at_us IS NULL",
    )
    .bind(program.0)
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some())
}

pub(super) async fn find(pool: &AnyPool, key_hash: &str) -> Result<Option<ApiKey>, StoreError> {
    let row = sqlx::query(
        "SELECT program_id, role, name FROM api_keys WHERE key_hash = $1 AND revoked_at_us IS NULL",
    )
    .bind(key_hash)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let role = text(&row, "role")?;
    Ok(Some(ApiKey {
        program_id: ProgramId(int(&row, "program_id")?),
        role: Role::parse(&role).ok_or_else(|| StoreError::corrupt(format!("unknown role {role}")))?,
        name: text(&row, "name")?,
    }))
}
