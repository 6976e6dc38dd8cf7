//! The analytics job's reads and writes: per-member purchase facts computed in SQL, the
//! scores written back in bulk (replacing the previous run's in one transaction), and the
//! reads of the routes that show them.

use super::rows::{int, json, text, timestamp, to_json};
use crate::StoreError;
use crate::segments::{MemberSegment, SegmentPage, SegmentSpread, SegmentTotals, StoredSegment};
use crate::types::ProgramId;
use loyalty_core::Timestamp;
use loyalty_core::ids::{ExternalId, MemberId};
use loyalty_core::insight::{Churn, ChurnRisk, MemberFacts, MemberScore, Rfm, Segment};
use loyalty_core::state::OrderLineRecord;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, AssertSqlSafe, Row, Transaction};
use std::collections::BTreeMap;

/// Rows per INSERT, and INSERTs sent in one call to the database.
const INSERT_ROWS: usize = 1_000;
const STATEMENTS_PER_CALL: usize = 10;

/// Per member with a purchase (an order not wholly returned) in [since, until]: the last
/// purchase, how many, the net spend, and the gaps between consecutive purchases.
pub(super) async fn purchase_facts(
    pool: &AnyPool,
    program: ProgramId,
    since: Timestamp,
    until: Timestamp,
) -> Result<Vec<(MemberId, MemberFacts)>, StoreError> {
    let rows = sqlx::query(
        "SELECT member_id, MAX(occurred_at_us) AS last_us, COUNT(*) AS purchases, \
         CAST(SUM(amount_minor) AS BIGINT) AS spend, string_agg(CAST(gap AS TEXT), ',') AS gaps \
         FROM (SELECT member_id, occurred_at_us, amount_minor, occurred_at_us - \
               LAG(occurred_at_us) OVER (PARTITION BY member_id ORDER BY occurred_at_us) AS gap \
               FROM orders WHERE program_id = $1 AND amount_minor > 0 \
               AND occurred_at_us >= $2 AND occurred_at_us <= $3) o \
         GROUP BY member_id ORDER BY member_id",
    )
    .bind(program.0)
    .bind(since.as_micros())
    .bind(until.as_micros())
    .fetch_all(pool)
    .await?;
    rows.iter().map(facts_row).collect()
}

fn facts_row(row: &AnyRow) -> Result<(MemberId, MemberFacts), StoreError> {
    let gaps: Option<String> = row.try_get("gaps")?;
    let gaps_us = gaps
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|g| !g.is_empty())
        .map(|g| g.parse::<i64>().map_err(|e| StoreError::corrupt(format!("purchase gap `{g}`: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        MemberId(int(row, "member_id")?),
        MemberFacts {
            last_purchase_at: timestamp(row, "last_us")?,
            purchases: int(row, "purchases")?,
            spend_minor: int(row, "spend")?,
            gaps_us,
        },
    ))
}

/// Replaces the program's scores with `scores`, computed at `at`, in one transaction.
pub(super) async fn replace(
    tx: &mut Transaction<'static, Any>,
    program: ProgramId,
    scores: &[(MemberId, MemberScore)],
    at: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM member_segments WHERE program_id = $1")
        .bind(program.0)
        .execute(&mut **tx)
        .await?;
    // Literal values, many rows to a statement and several statements to a call: binding
    // thirteen parameters per row cost more than the writes (see docs/benchmarks.md).
    for calls in scores.chunks(INSERT_ROWS * STATEMENTS_PER_CALL) {
        let mut sql = String::with_capacity(calls.len() * 96);
        for chunk in calls.chunks(INSERT_ROWS) {
            sql.push_str(
                "INSERT INTO member_segments (program_id, member_id, segment, r, f, m, recency_days, \
                 frequency, monetary_minor, churn_ratio, churn_risk, typical_gap_days, computed_at_us) VALUES ",
            );
            for (i, (member, score)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                literal_row(&mut sql, program, *member, score, at)?;
            }
            sql.push_str(";\n");
        }
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut **tx).await?;
    }
    let members = i64::try_from(scores.len()).map_err(|_| StoreError::corrupt("too many members"))?;
    let mut totals: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for (_, s) in scores {
        let total = totals.entry(s.segment.as_str()).or_default();
        *total = (total.0 + 1, total.1.saturating_add(s.monetary_minor));
    }
    sqlx::query(
        "INSERT INTO segment_runs (program_id, computed_at_us, members, totals) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (program_id) DO UPDATE SET computed_at_us = excluded.computed_at_us, \
         members = excluded.members, totals = excluded.totals",
    )
    .bind(program.0)
    .bind(at.as_micros())
    .bind(members)
    .bind(to_json(&totals)?)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One row of scores as SQL literals. Every value is a number or one of the fixed names of
/// a segment or a risk (lower-case letters and `_`), so nothing in it needs quoting
/// beyond the quotes around those names.
fn literal_row(
    sql: &mut String,
    program: ProgramId,
    member: MemberId,
    s: &MemberScore,
    at: Timestamp,
) -> Result<(), StoreError> {
    use std::fmt::Write as _;
    if !s.churn.ratio.is_finite() || !s.churn.typical_gap_days.is_finite() {
        return Err(StoreError::corrupt(format!("member {}: a churn figure is not a number", member.0)));
    }
    // `Display` of an f64 never uses an exponent and round-trips exactly.
    write!(
        sql,
        "({},{},'{}',{},{},{},{},{},{},{},'{}',{},{})",
        program.0,
        member.0,
        s.segment.as_str(),
        s.rfm.r,
        s.rfm.f,
        s.rfm.m,
        s.recency_days,
        s.frequency,
        s.monetary_minor,
        s.churn.ratio,
        s.churn.risk.as_str(),
        s.churn.typical_gap_days,
        at.as_micros()
    )
    .map_err(|e| StoreError::corrupt(format!("formatting scores: {e}")))
}

const SEGMENT_COLUMNS: &str = "m.external_id, s.member_id, s.segment, s.r, s.f, s.m, s.recency_days, \
     s.frequency, s.monetary_minor, s.churn_ratio, s.churn_risk, s.typical_gap_days, s.computed_at_us";

fn small(row: &AnyRow, column: &str) -> Result<u8, StoreError> {
    u8::try_from(int(row, column)?).map_err(|_| StoreError::corrupt(format!("column {column}: not a score")))
}

fn stored(row: &AnyRow) -> Result<StoredSegment, StoreError> {
    let segment = text(row, "segment")?;
    let risk = text(row, "churn_risk")?;
    let ratio: f64 = row.try_get("churn_ratio")?;
    let typical_gap_days: f64 = row.try_get("typical_gap_days")?;
    let recency_days = int(row, "recency_days")?;
    Ok(StoredSegment {
        external_id: text(row, "external_id")?,
        score: MemberScore {
            segment: Segment::parse(&segment)
                .ok_or_else(|| StoreError::corrupt(format!("column segment: `{segment}`")))?,
            rfm: Rfm { r: small(row, "r")?, f: small(row, "f")?, m: small(row, "m")? },
            recency_days,
            frequency: int(row, "frequency")?,
            monetary_minor: int(row, "monetary_minor")?,
            churn: Churn {
                ratio,
                risk: ChurnRisk::parse(&risk)
                    .ok_or_else(|| StoreError::corrupt(format!("column churn_risk: `{risk}`")))?,
                days_since: recency_days,
                typical_gap_days,
            },
        },
        computed_at: timestamp(row, "computed_at_us")?,
    })
}

/// The member's segment from the last run, if it scored them: what `decide` is given for
/// programs whose campaigns or achievements target segments.
pub(super) async fn current(
    tx: &mut Transaction<'static, Any>,
    program: ProgramId,
    member: MemberId,
) -> Result<Option<Segment>, StoreError> {
    let row = sqlx::query("SELECT segment FROM member_segments WHERE program_id = $1 AND member_id = $2")
        .bind(program.0)
        .bind(member.0)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|r| {
        let name = text(&r, "segment")?;
        Segment::parse(&name).ok_or_else(|| StoreError::corrupt(format!("column segment: `{name}`")))
    })
    .transpose()
}

/// When the last run was, and one member's scores from it if they were scored.
pub(super) async fn member_segment(
    pool: &AnyPool,
    program: ProgramId,
    external_id: &ExternalId,
) -> Result<MemberSegment, StoreError> {
    let run = sqlx::query("SELECT computed_at_us FROM segment_runs WHERE program_id = $1")
        .bind(program.0)
        .fetch_optional(pool)
        .await?;
    let Some(run) = run else { return Ok(MemberSegment::default()) };
    let sql = format!(
        "SELECT {SEGMENT_COLUMNS} FROM member_segments s JOIN members m ON m.id = s.member_id \
         WHERE m.program_id = $1 AND m.external_id = $2 AND s.program_id = $1"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(external_id.as_str())
        .fetch_optional(pool)
        .await?;
    Ok(MemberSegment {
        computed_at: Some(timestamp(&run, "computed_at_us")?),
        scored: row.as_ref().map(stored).transpose()?,
    })
}

/// When the last run computed the program's segments, and each segment's totals.
pub(super) async fn totals(
    pool: &AnyPool,
    program: ProgramId,
) -> Result<Option<(Timestamp, Vec<SegmentTotals>)>, StoreError> {
    let run = sqlx::query("SELECT computed_at_us, totals FROM segment_runs WHERE program_id = $1")
        .bind(program.0)
        .fetch_optional(pool)
        .await?;
    let Some(run) = run else { return Ok(None) };
    let found: BTreeMap<String, (i64, i64)> = json(&run, "totals")?;
    let totals = Segment::ALL
        .iter()
        .map(|s| {
            let (members, spend_minor) = found.get(s.as_str()).copied().unwrap_or((0, 0));
            SegmentTotals { segment: *s, members, spend_minor }
        })
        .collect();
    Ok(Some((timestamp(&run, "computed_at_us")?, totals)))
}

/// The scored members counted by grid cell and by churn risk, in the database: a
/// program's millions of members are never read out to be counted.
pub(super) async fn spread(pool: &AnyPool, program: ProgramId) -> Result<SegmentSpread, StoreError> {
    let cells = sqlx::query(
        "SELECT CAST(r AS BIGINT) AS r, CAST((f + m + 1) / 2 AS BIGINT) AS fm, CAST(COUNT(*) AS BIGINT) AS members \
         FROM member_segments WHERE program_id = $1 GROUP BY r, (f + m + 1) / 2 ORDER BY r DESC, fm",
    )
    .bind(program.0)
    .fetch_all(pool)
    .await?;
    let risks = sqlx::query(
        "SELECT churn_risk, CAST(COUNT(*) AS BIGINT) AS members FROM member_segments \
         WHERE program_id = $1 GROUP BY churn_risk",
    )
    .bind(program.0)
    .fetch_all(pool)
    .await?;
    let grid = cells
        .iter()
        .map(|row| Ok((int(row, "r")?, int(row, "fm")?, int(row, "members")?)))
        .collect::<Result<_, StoreError>>()?;
    let churn = risks
        .iter()
        .map(|row| {
            let risk = text(row, "churn_risk")?;
            let risk = ChurnRisk::parse(&risk)
                .ok_or_else(|| StoreError::corrupt(format!("column churn_risk: `{risk}`")))?;
            Ok((risk, int(row, "members")?))
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(SegmentSpread { grid, churn })
}

/// A page of a segment's members, by member id after `after`.
pub(super) async fn members(
    pool: &AnyPool,
    program: ProgramId,
    segment: Segment,
    after: i64,
    limit: u32,
) -> Result<SegmentPage, StoreError> {
    let sql = format!(
        "SELECT {SEGMENT_COLUMNS} FROM member_segments s JOIN members m ON m.id = s.member_id \
         WHERE s.program_id = $1 AND s.segment = $2 AND s.member_id > $3 ORDER BY s.member_id LIMIT $4"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(segment.as_str())
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(pool)
        .await?;
    let more = rows.len() > limit as usize;
    let mut members = Vec::with_capacity(rows.len().min(limit as usize));
    let mut last = None;
    for row in rows.iter().take(limit as usize) {
        members.push(stored(row)?);
        last = Some(int(row, "member_id")?);
    }
    Ok(SegmentPage { members, next_after: if more { last } else { None } })
}

/// A member's spend per category over orders since `since`, net of returns; `None` if
/// there is no such member.
pub(super) async fn category_spend(
    pool: &AnyPool,
    program: ProgramId,
    external_id: &ExternalId,
    since: Timestamp,
) -> Result<Option<BTreeMap<String, i64>>, StoreError> {
    let member = sqlx::query("SELECT id FROM members WHERE program_id = $1 AND external_id = $2")
        .bind(program.0)
        .bind(external_id.as_str())
        .fetch_optional(pool)
        .await?;
    let Some(member) = member else { return Ok(None) };
    let rows = sqlx::query(
        "SELECT lines FROM orders WHERE member_id = $1 AND program_id = $2 AND occurred_at_us >= $3",
    )
    .bind(int(&member, "id")?)
    .bind(program.0)
    .bind(since.as_micros())
    .fetch_all(pool)
    .await?;
    let mut spend: BTreeMap<String, i64> = BTreeMap::new();
    for row in &rows {
        let lines: Vec<OrderLineRecord> = json(row, "lines")?;
        for line in lines {
            let Some(category) = line.category else { continue };
            let kept = i64::from(line.quantity.saturating_sub(line.returned));
            let total = spend.entry(category.to_string()).or_default();
            *total = total.saturating_add(kept.saturating_mul(line.unit_price_minor));
        }
    }
    Ok(Some(spend))
}
