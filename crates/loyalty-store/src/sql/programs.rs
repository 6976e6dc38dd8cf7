//! Program definitions and their versions.

use super::SqlStore;
use super::rows::{int, json, opt_timestamp, text, timestamp, to_json};
use crate::StoreError;
use crate::types::{InstalledProgram, KeyInfo, NewKey, ProgramId, ProgramOrigin, StoredProgram};
use loyalty_core::Timestamp;
use loyalty_core::program::ProgramDef;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Transaction};

/// Stores a definition. The first version is in force from the beginning of time (events
/// recorded before the program existed are judged by it); each later one from `now`.
pub(super) async fn install(
    store: &SqlStore,
    definition: &ProgramDef,
    origin: ProgramOrigin,
    now: Timestamp,
) -> Result<InstalledProgram, StoreError> {
    let text = to_json(definition)?;
    let mut tx = store.begin_write().await?;
    // Locked on PostgreSQL until the new version is written, so that two changes at once
    // are numbered one after the other rather than both taking the next number; SQLite's
    // write transaction already runs one at a time.
    let sql = store.dialect().locked("SELECT id FROM programs WHERE code = $1".to_owned());
    let existing =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&definition.id).fetch_optional(&mut *tx).await?;
    let (id, version) = match existing {
        None => {
            let row = sqlx::query("INSERT INTO programs (code, created_at_us) VALUES ($1, $2) RETURNING id")
                .bind(&definition.id)
                .bind(now.as_micros())
                .fetch_one(&mut *tx)
                .await?;
            (ProgramId(int(&row, "id")?), 1)
        }
        Some(row) => {
            let id = ProgramId(int(&row, "id")?);
            let latest = sqlx::query(
                "SELECT version, definition, effective_from_us FROM program_versions WHERE program_id = $1 \
                 ORDER BY version DESC LIMIT 1",
            )
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
            let version = int(&latest, "version")?;
            let stored: ProgramDef = json(&latest, "definition")?;
            if &stored == definition {
                let effective_from = timestamp(&latest, "effective_from_us")?;
                return Ok(InstalledProgram { id, version, effective_from, changed: false });
            }
            (id, version + 1)
        }
    };
    let installed = insert_version(&mut tx, id, version, &text, origin, now).await?;
    tx.commit().await?;
    Ok(installed)
}

async fn insert_version(
    tx: &mut Transaction<'static, Any>,
    id: ProgramId,
    version: i64,
    definition: &str,
    origin: ProgramOrigin,
    now: Timestamp,
) -> Result<InstalledProgram, StoreError> {
    let effective_from = if version == 1 { Timestamp::from_micros(0) } else { now };
    sqlx::query(
        "INSERT INTO program_versions (program_id, version, definition, created_at_us, effective_from_us, origin) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.0)
    .bind(version)
    .bind(definition)
    .bind(now.as_micros())
    .bind(effective_from.as_micros())
    .bind(origin.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(InstalledProgram { id, version, effective_from, changed: true })
}

/// Makes a new program (made over the API) with its first key, in one transaction;
/// `None` if a program of that code exists.
pub(super) async fn create(
    store: &SqlStore,
    definition: &ProgramDef,
    first_key: &NewKey,
    now: Timestamp,
) -> Result<Option<(InstalledProgram, KeyInfo)>, StoreError> {
    let text = to_json(definition)?;
    let mut tx = store.begin_write().await?;
    let row = sqlx::query(
        "INSERT INTO programs (code, created_at_us) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING RETURNING id",
    )
    .bind(&definition.id)
    .bind(now.as_micros())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id = ProgramId(int(&row, "id")?);
    let installed = insert_version(&mut tx, id, 1, &text, ProgramOrigin::Api, now).await?;
    let key = super::keys::insert(&mut tx, id, first_key, now).await?;
    tx.commit().await?;
    Ok(Some((installed, super::keys::made(key, first_key, now))))
}

const COLUMNS: &str =
    "v.program_id, v.version, v.definition, v.created_at_us, v.effective_from_us, v.origin, p.archived_at_us";

pub(super) async fn latest(pool: &AnyPool) -> Result<Vec<StoredProgram>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM program_versions v JOIN programs p ON p.id = v.program_id \
         WHERE v.version = (SELECT MAX(w.version) FROM program_versions w WHERE w.program_id = v.program_id) \
         ORDER BY v.program_id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
    rows.iter().map(stored).collect()
}

pub(super) async fn latest_by_code(pool: &AnyPool, code: &str) -> Result<Option<StoredProgram>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM program_versions v JOIN programs p ON p.id = v.program_id \
         WHERE p.code = $1 ORDER BY v.version DESC LIMIT 1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(pool).await?;
    row.as_ref().map(stored).transpose()
}

pub(super) async fn versions(pool: &AnyPool, program: ProgramId) -> Result<Vec<StoredProgram>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM program_versions v JOIN programs p ON p.id = v.program_id \
         WHERE v.program_id = $1 ORDER BY v.version"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(program.0).fetch_all(pool).await?;
    rows.iter().map(stored).collect()
}

fn stored(row: &AnyRow) -> Result<StoredProgram, StoreError> {
    let origin = text(row, "origin")?;
    Ok(StoredProgram {
        id: ProgramId(int(row, "program_id")?),
        version: int(row, "version")?,
        effective_from: timestamp(row, "effective_from_us")?,
        created_at: timestamp(row, "created_at_us")?,
        definition: json(row, "definition")?,
        origin: ProgramOrigin::parse(&origin)
            .ok_or_else(|| StoreError::corrupt(format!("unknown program origin {origin}")))?,
        archived_at: opt_timestamp(row, "archived_at_us")?,
    })
}

/// Archives the program at `now`; the instant it was archived (now, or earlier if it
/// already was), or `None` if there is no such program.
pub(super) async fn archive(
    store: &SqlStore,
    program: ProgramId,
    now: Timestamp,
) -> Result<Option<Timestamp>, StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE programs SET archived_at_us = $1 WHERE id = $2 AND archived_at_us IS NULL")
        .bind(now.as_micros())
        .bind(program.0)
        .execute(&mut *tx)
        .await?;
    let row = sqlx::query("SELECT archived_at_us FROM programs WHERE id = $1")
        .bind(program.0)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    row.map(|row| timestamp(&row, "archived_at_us")).transpose()
}
