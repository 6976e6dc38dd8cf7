//! API keys, stored as hashes of their secrets. A key is live while it is neither past
//! its expiry nor its `revoked_at_us`, which a rotation sets ahead to the end of the old
//! secret's grace period.

use super::SqlStore;
use super::rows::{int, opt_text, opt_timestamp, text, timestamp};
use crate::StoreError;
use crate::types::{ApiKey, KEY_USE_EVERY_MICROS, KeyInfo, NewKey, ProgramId, Role};
use loyalty_core::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Transaction};

/// The condition of a live key, with `$1` the current time.
const LIVE: &str =
    "(revoked_at_us IS NULL OR revoked_at_us > $1) AND (expires_at_us IS NULL OR expires_at_us > $1)";

const INFO_COLUMNS: &str =
    "id, name, role, prefix, created_at_us, last_used_at_us, expires_at_us, revoked_at_us";

pub(super) async fn insert(
    tx: &mut Transaction<'static, Any>,
    program: ProgramId,
    key: &NewKey,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO api_keys (program_id, name, role, key_hash, prefix, expires_at_us, created_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(program.0)
    .bind(key.name.as_str())
    .bind(key.role.as_str())
    .bind(key.key_hash.as_str())
    .bind(key.prefix.clone())
    .bind(key.expires_at.map(Timestamp::as_micros))
    .bind(now.as_micros())
    .fetch_one(&mut **tx)
    .await?;
    int(&row, "id")
}

fn role(row: &AnyRow) -> Result<Role, StoreError> {
    let role = text(row, "role")?;
    Role::parse(&role).ok_or_else(|| StoreError::corrupt(format!("unknown role {role}")))
}

fn info(row: &AnyRow) -> Result<KeyInfo, StoreError> {
    Ok(KeyInfo {
        id: int(row, "id")?,
        name: text(row, "name")?,
        role: role(row)?,
        prefix: opt_text(row, "prefix")?,
        created_at: timestamp(row, "created_at_us")?,
        last_used_at: opt_timestamp(row, "last_used_at_us")?,
        expires_at: opt_timestamp(row, "expires_at_us")?,
        revoked_at: opt_timestamp(row, "revoked_at_us")?,
    })
}

pub(super) async fn create(
    store: &SqlStore,
    program: ProgramId,
    key: &NewKey,
    now: Timestamp,
) -> Result<KeyInfo, StoreError> {
    let mut tx = store.begin_write().await?;
    let id = insert(&mut tx, program, key, now).await?;
    tx.commit().await?;
    Ok(made(id, key, now))
}

/// What may be shown of key `id`, just made as `key` at `now`.
pub(super) fn made(id: i64, key: &NewKey, now: Timestamp) -> KeyInfo {
    KeyInfo {
        id,
        name: key.name.clone(),
        role: key.role,
        prefix: key.prefix.clone(),
        created_at: now,
        last_used_at: None,
        expires_at: key.expires_at,
        revoked_at: None,
    }
}

/// The program's live keys, oldest first.
pub(super) async fn list(
    pool: &AnyPool,
    program: ProgramId,
    now: Timestamp,
) -> Result<Vec<KeyInfo>, StoreError> {
    let sql = format!("SELECT {INFO_COLUMNS} FROM api_keys WHERE program_id = $2 AND {LIVE} ORDER BY id");
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now.as_micros()).bind(program.0).fetch_all(pool).await?;
    rows.iter().map(info).collect()
}

/// A new secret for the live key `id`, as a new key of the same name, role and expiry;
/// the old secret works until `grace_until` (or its own earlier end). The bootstrap key
/// stays the bootstrap key under its new secret. `None` if the program has no such key.
pub(super) async fn rotate(
    store: &SqlStore,
    program: ProgramId,
    id: i64,
    secret: (&str, &str),
    grace_until: Timestamp,
    now: Timestamp,
) -> Result<Option<KeyInfo>, StoreError> {
    let mut tx = store.begin_write().await?;
    let sql = format!("SELECT {INFO_COLUMNS} FROM api_keys WHERE program_id = $2 AND id = $3 AND {LIVE}");
    let old = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now.as_micros())
        .bind(program.0)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(old) = old.as_ref().map(info).transpose()? else { return Ok(None) };
    let (key_hash, prefix) = secret;
    let new = NewKey {
        name: old.name.clone(),
        role: old.role,
        key_hash: key_hash.to_owned(),
        prefix: Some(prefix.to_owned()),
        expires_at: old.expires_at,
    };
    let new_id = insert(&mut tx, program, &new, now).await?;
    let until = old.revoked_at.map_or(grace_until, |r| r.min(grace_until));
    sqlx::query("UPDATE api_keys SET revoked_at_us = $1 WHERE id = $2")
        .bind(until.as_micros())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE bootstrap_keys SET api_key_id = $1 WHERE api_key_id = $2")
        .bind(new_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(KeyInfo {
        id: new_id,
        prefix: new.prefix,
        created_at: now,
        last_used_at: None,
        revoked_at: None,
        ..old
    }))
}

/// Ends the live key `id` now; false if the program has no such key.
pub(super) async fn revoke(
    store: &SqlStore,
    program: ProgramId,
    id: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let sql = format!("UPDATE api_keys SET revoked_at_us = $1 WHERE program_id = $2 AND id = $3 AND {LIVE}");
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now.as_micros())
        .bind(program.0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected() > 0)
}

/// Records that key `id` was used at `now`, unless that was recorded less than a minute ago.
pub(super) async fn touch(store: &SqlStore, id: i64, now: Timestamp) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "UPDATE api_keys SET last_used_at_us = $1 WHERE id = $2 AND (last_used_at_us IS NULL OR last_used_at_us < $3)",
    )
    .bind(now.as_micros())
    .bind(id)
    .bind(now.as_micros().saturating_sub(KEY_USE_EVERY_MICROS))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

fn bootstrap(key_hash: &str) -> NewKey {
    NewKey {
        name: "bootstrap admin key".to_owned(),
        role: Role::Admin,
        key_hash: key_hash.to_owned(),
        // The secret is not at hand here, only its hash.
        prefix: None,
        expires_at: None,
    }
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
            insert(&mut tx, program, &bootstrap(key_hash), now).await?
        }
        None => insert(&mut tx, program, &bootstrap(key_hash), now).await?,
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

pub(super) async fn find(
    pool: &AnyPool,
    key_hash: &str,
    now: Timestamp,
) -> Result<Option<ApiKey>, StoreError> {
    let sql = format!(
        "SELECT id, program_id, role, name, last_used_at_us, \
         (SELECT p.archived_at_us FROM programs p WHERE p.id = api_keys.program_id) AS archived_at_us \
         FROM api_keys WHERE key_hash = $2 AND {LIVE}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now.as_micros())
        .bind(key_hash)
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(ApiKey {
        id: int(&row, "id")?,
        program_id: ProgramId(int(&row, "program_id")?),
        role: role(&row)?,
        name: text(&row, "name")?,
        last_used_at: opt_timestamp(&row, "last_used_at_us")?,
        program_archived: opt_timestamp(&row, "archived_at_us")?.is_some(),
    }))
}
