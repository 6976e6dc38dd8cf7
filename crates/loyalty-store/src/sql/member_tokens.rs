//! What member tokens are signed and checked with: each program's rotating secrets, and
//! per member the generation a live token carries.

use super::SqlStore;
use super::rows::{int, opt_timestamp, text, timestamp};
use crate::StoreError;
use crate::types::{ProgramId, TokenSecret};
use loyalty_core::Timestamp;
use loyalty_core::ids::ExternalId;
use sqlx::AnyPool;
use sqlx::any::AnyRow;

fn secret(row: &AnyRow) -> Result<TokenSecret, StoreError> {
    Ok(TokenSecret {
        id: int(row, "id")?,
        program_id: ProgramId(int(row, "program_id")?),
        secret: text(row, "secret")?,
        created_at: timestamp(row, "created_at_us")?,
        program_archived: false,
    })
}

/// The program's newest secret made at or after `not_before`, or else `fresh`, stored now.
pub(super) async fn signing(
    store: &SqlStore,
    program: ProgramId,
    fresh: &str,
    not_before: Timestamp,
    now: Timestamp,
) -> Result<TokenSecret, StoreError> {
    let mut tx = store.begin_write().await?;
    let sql = store.dialect().locked(
        "SELECT id, program_id, secret, created_at_us FROM member_token_secrets \
         WHERE program_id = $1 AND created_at_us >= $2 ORDER BY created_at_us DESC, id DESC LIMIT 1"
            .to_owned(),
    );
    let current = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(program.0)
        .bind(not_before.as_micros())
        .fetch_optional(&mut *tx)
        .await?;
    let row =
        match current {
            Some(row) => row,
            None => sqlx::query(
                "INSERT INTO member_token_secrets (program_id, secret, created_at_us) VALUES ($1, $2, $3) \
                 RETURNING id, program_id, secret, created_at_us",
            )
            .bind(program.0)
            .bind(fresh)
            .bind(now.as_micros())
            .fetch_one(&mut *tx)
            .await?,
        };
    let found = secret(&row)?;
    tx.commit().await?;
    Ok(found)
}

/// Secret `id`.
pub(super) async fn find(pool: &AnyPool, id: i64) -> Result<Option<TokenSecret>, StoreError> {
    let row = sqlx::query(
        "SELECT id, program_id, secret, created_at_us, \
         (SELECT p.archived_at_us FROM programs p WHERE p.id = s.program_id) AS archived_at_us \
         FROM member_token_secrets s WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(TokenSecret {
        program_archived: opt_timestamp(&row, "archived_at_us")?.is_some(),
        ..secret(&row)?
    }))
}

/// The generation a live token of the member carries (0 until their tokens are first
/// revoked).
pub(super) async fn generation(
    pool: &AnyPool,
    program: ProgramId,
    member: &ExternalId,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT generation FROM member_token_generations WHERE program_id = $1 AND external_id = $2",
    )
    .bind(program.0)
    .bind(member.as_str())
    .fetch_optional(pool)
    .await?;
    row.map_or(Ok(0), |row| int(&row, "generation"))
}

/// Ends every token of the member made so far; the new generation.
pub(super) async fn revoke(
    store: &SqlStore,
    program: ProgramId,
    member: &ExternalId,
) -> Result<i64, StoreError> {
    let mut tx = store.begin_write().await?;
    let row = sqlx::query(
        "INSERT INTO member_token_generations (program_id, external_id, generation) VALUES ($1, $2, 1) \
         ON CONFLICT (program_id, external_id) DO UPDATE SET generation = member_token_generations.generation + 1 \
         RETURNING generation",
    )
    .bind(program.0)
    .bind(member.as_str())
    .fetch_one(&mut *tx)
    .await?;
    let generation = int(&row, "generation")?;
    tx.commit().await?;
    Ok(generation)
}
