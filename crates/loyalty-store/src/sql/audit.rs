//! The audit trail: one row per write, kept in the order made.

use super::SqlStore;
use super::rows::{int, opt_text, text, timestamp};
use crate::StoreError;
use crate::types::{AuditEntry, AuditQuery, AuditRecord, ProgramId};
use loyalty_core::ids::ExternalId;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, AssertSqlSafe, Transaction};

pub(super) async fn record(store: &SqlStore, entry: &AuditEntry) -> Result<i64, StoreError> {
    let mut tx = store.begin_write().await?;
    let row = sqlx::query(
        "INSERT INTO audit_log (program_id, at_us, actor, actor_name, action, path, member, request_id, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(entry.program.0)
    .bind(entry.at.as_micros())
    .bind(entry.actor.as_str())
    .bind(entry.actor_name.as_str())
    .bind(entry.action.as_str())
    .bind(entry.path.as_str())
    .bind(entry.member.clone())
    .bind(entry.request_id.clone())
    .bind(entry.before.as_ref().map(ToString::to_string))
    .bind(entry.after.as_ref().map(ToString::to_string))
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    int(&row, "id")
}

fn json(row: &AnyRow, column: &str) -> Result<Option<serde_json::Value>, StoreError> {
    opt_text(row, column)?
        .map(|text| {
            serde_json::from_str(&text).map_err(|e| StoreError::corrupt(format!("audit {column}: {e}")))
        })
        .transpose()
}

fn read(row: &AnyRow) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        id: int(row, "id")?,
        entry: AuditEntry {
            program: ProgramId(int(row, "program_id")?),
            at: timestamp(row, "at_us")?,
            actor: text(row, "actor")?,
            actor_name: text(row, "actor_name")?,
            action: text(row, "action")?,
            path: text(row, "path")?,
            member: opt_text(row, "member")?,
            request_id: opt_text(row, "request_id")?,
            before: json(row, "before")?,
            after: json(row, "after")?,
        },
    })
}

const COLUMNS: &str =
    "id, program_id, at_us, actor, actor_name, action, path, member, request_id, before, after";

/// Up to `limit` of the program's rows after row `after`, in order, within `tx` (an
/// export's snapshot).
pub(super) async fn page(
    tx: &mut Transaction<'static, Any>,
    program: ProgramId,
    after: i64,
    limit: u32,
) -> Result<Vec<AuditRecord>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM audit_log WHERE program_id = $1 AND id > $2 ORDER BY id LIMIT $3");
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&mut **tx)
        .await?;
    rows.iter().map(read).collect()
}

/// The program's rows matching `query`, oldest first, `limit` after row `after`.
pub(super) async fn list(
    pool: &AnyPool,
    program: ProgramId,
    query: &AuditQuery,
    after: Option<i64>,
    limit: u32,
) -> Result<Vec<AuditRecord>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log WHERE program_id = $1 AND id > $2 \
         AND ($3 IS NULL OR actor = $3) AND ($4 IS NULL OR action = $4) \
         AND ($5 IS NULL OR at_us >= $5) AND ($6 IS NULL OR at_us < $6) \
         ORDER BY id LIMIT $7"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(after.unwrap_or(0))
        .bind(query.actor.clone())
        .bind(query.action.clone())
        .bind(query.from.map(|t| t.as_micros()))
        .bind(query.to.map(|t| t.as_micros()))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(read).collect()
}

/// Within an erasure: the member's rows keep who did what and when, under the
/// replacement id, without the states before and after, which held their profile.
pub(super) async fn scrub(
    tx: &mut Transaction<'static, Any>,
    program: ProgramId,
    old: &ExternalId,
    new: &ExternalId,
) -> Result<(), StoreError> {
    let rows = sqlx::query("SELECT id, path FROM audit_log WHERE program_id = $1 AND member = $2")
        .bind(program.0)
        .bind(old.as_str())
        .fetch_all(&mut **tx)
        .await?;
    for row in &rows {
        let path = text(row, "path")?;
        let scrubbed: Vec<&str> =
            path.split('/').map(|part| if part == old.as_str() { new.as_str() } else { part }).collect();
        sqlx::query("UPDATE audit_log SET member = $1, path = $2, before = NULL, after = NULL WHERE id = $3")
            .bind(new.as_str())
            .bind(scrubbed.join("/"))
            .bind(int(row, "id")?)
            .execute(&mut **tx)
            .await?;
    }
    // A member's own token names them as the actor.
    sqlx::query("UPDATE audit_log SET actor = $1, actor_name = $2 WHERE program_id = $3 AND actor = $4")
        .bind(format!("member:{new}"))
        .bind(format!("member token of {new}"))
        .bind(program.0)
        .bind(format!("member:{old}"))
        .execute(&mut **tx)
        .await?;
    Ok(())
}
