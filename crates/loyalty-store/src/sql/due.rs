//! What the jobs have to do: the members whose lots, tier evaluation or inactivity closure
//! fell due, and whose birthday it is.

use super::rows::{int, parsed, timestamp};
use crate::StoreError;
use crate::types::{Due, DueCursor, DueWork, ProgramId};
use loyalty_core::Timestamp;
use loyalty_core::ids::{ExternalId, MemberId};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, AssertSqlSafe};

/// One row per member and instant at which `work` fell due by `until`, earliest first,
/// after `after`.
pub(super) async fn due(
    pool: &AnyPool,
    program: ProgramId,
    work: DueWork,
    after: Option<DueCursor>,
    limit: u32,
) -> Result<Vec<Due>, StoreError> {
    let after = after.unwrap_or(DueCursor { at: Timestamp::from_micros(i64::MIN), member: MemberId(0) });
    let (column, filter, until) = match work {
        DueWork::TierReview { until } => ("tier_review_at_us", "tier_review_at_us IS NOT NULL", until),
        DueWork::Inactive { until } => ("last_activity_us", "status IN ('active', 'suspended')", until),
        _ => return lots_due(pool, program, work, after, limit).await,
    };
    let sql = format!(
        "SELECT {column} AS at, id AS member_id, external_id FROM members \
         WHERE program_id = $1 AND {filter} AND {column} <= $2 \
         AND ({column} > $3 OR ({column} = $3 AND id > $4)) ORDER BY {column}, id LIMIT $5"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(until.as_micros())
        .bind(after.at.as_micros())
        .bind(after.member.0)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(due_row).collect()
}

/// The lots' work: expiry, release and warnings.
async fn lots_due(
    pool: &AnyPool,
    program: ProgramId,
    work: DueWork,
    after: DueCursor,
    limit: u32,
) -> Result<Vec<Due>, StoreError> {
    // Lots held for review are left alone by every job until the review is decided.
    let (column, window, bounds) = match work {
        DueWork::Expiry { until } => {
            ("expires_at_us", "l.remaining > 0 AND l.expires_at_us IS NOT NULL", (None, until))
        }
        DueWork::Release { until } => {
            ("pending_until_us", "l.remaining > 0 AND l.pending_until_us IS NOT NULL", (None, until))
        }
        DueWork::ExpiringSoon { from, until } => {
            ("expires_at_us", "l.remaining > 0 AND l.expires_at_us IS NOT NULL", (Some(from), until))
        }
        DueWork::TierReview { .. } | DueWork::Inactive { .. } => return Ok(Vec::new()),
    };
    let sql = format!(
        "SELECT l.{column} AS at, m.id AS member_id, m.external_id FROM lots l JOIN members m ON m.id = l.member_id \
         WHERE l.program_id = $1 AND {window} AND l.in_review = 0 AND l.{column} > $2 AND l.{column} <= $3 \
         AND (l.{column} > $4 OR (l.{column} = $4 AND m.id > $5)) \
         GROUP BY l.{column}, m.id, m.external_id ORDER BY l.{column}, m.id LIMIT $6"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(bounds.0.map_or(i64::MIN, |t| t.as_micros()))
        .bind(bounds.1.as_micros())
        .bind(after.at.as_micros())
        .bind(after.member.0)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(due_row).collect()
}

/// Members born on one of `month_days` (`MM-DD`), by id after `after`.
pub(super) async fn birthdays(
    pool: &AnyPool,
    program: ProgramId,
    month_days: &[String],
    after: MemberId,
    limit: u32,
) -> Result<Vec<(MemberId, ExternalId)>, StoreError> {
    let mut found = Vec::new();
    for month_day in month_days {
        let rows = sqlx::query(
            "SELECT id, external_id FROM members WHERE program_id = $1 AND status = 'active' \
             AND substr(birth_date, 6) = $2 AND id > $3 ORDER BY id LIMIT $4",
        )
        .bind(program.0)
        .bind(month_day.as_str())
        .bind(after.0)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
        for row in &rows {
            found.push((MemberId(int(row, "id")?), external_id(row)?));
        }
    }
    found.sort_by_key(|(id, _)| *id);
    found.truncate(limit as usize);
    Ok(found)
}

/// When `job` of the program last finished a run.
pub(super) async fn last_run(
    pool: &AnyPool,
    program: ProgramId,
    job: &str,
) -> Result<Option<Timestamp>, StoreError> {
    let row = sqlx::query("SELECT last_run_us FROM job_runs WHERE program_id = $1 AND job = $2")
        .bind(program.0)
        .bind(job)
        .fetch_optional(pool)
        .await?;
    row.map(|row| timestamp(&row, "last_run_us")).transpose()
}

/// Records that `job` finished a run at `at`; a run dated earlier (a test clock set back)
/// leaves the later one.
pub(super) async fn record_run(
    pool: &AnyPool,
    program: ProgramId,
    job: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO job_runs (program_id, job, last_run_us) VALUES ($1, $2, $3) \
         ON CONFLICT (program_id, job) DO UPDATE SET last_run_us = excluded.last_run_us \
         WHERE job_runs.last_run_us < excluded.last_run_us",
    )
    .bind(program.0)
    .bind(job)
    .bind(at.as_micros())
    .execute(pool)
    .await?;
    Ok(())
}

fn due_row(row: &AnyRow) -> Result<Due, StoreError> {
    Ok(Due {
        at: timestamp(row, "at")?,
        member: MemberId(int(row, "member_id")?),
        external_id: external_id(row)?,
    })
}

fn external_id(row: &AnyRow) -> Result<ExternalId, StoreError> {
    parsed(row, "external_id", ExternalId::parse)
}
