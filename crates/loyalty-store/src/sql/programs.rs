//! Program definitions and their versions.

use super::SqlStore;
use super::rows::{int, json, text, timestamp, to_json};
use crate::StoreError;
use crate::types::{InstalledProgram, ProgramId, ProgramOrigin, StoredProgram};
use loyalty_core::Timestamp;
use loyalty_core::program::ProgramDef;
use sqlx::AnyPool;
use sqlx::any::AnyRow;

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
    let effective_from = if version == 1 { Timestamp::from_micros(0) } else { now };
    sqlx::query(
        "INSERT INTO program_versions (program_id, version, definition, created_at_us, effective_from_us, origin) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.0)
    .bind(version)
    .bind(text)
    .bind(now.as_micros())
    .bind(effective_from.as_micros())
    .bind(origin.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(InstalledProgram { id, version, effective_from, changed: true })
}

const COLUMNS: &str = "program_id, version, definition, created_at_us, effective_from_us, origin";

pub(super) async fn latest(pool: &AnyPool) -> Result<Vec<StoredProgram>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM program_versions v \
         WHERE v.version = (SELECT MAX(w.version) FROM program_versions w WHERE w.program_id = v.program_id) \
         ORDER BY v.program_id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
    rows.iter().map(stored).collect()
}

pub(super) async fn versions(pool: &AnyPool, program: ProgramId) -> Result<Vec<StoredProgram>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM program_versions WHERE program_id = $1 ORDER BY version");
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
    })
}
