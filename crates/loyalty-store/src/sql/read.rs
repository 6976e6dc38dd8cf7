//! Reads for the API: a member, and a page of their journal.

use super::rows::{int, opt_text, text, timestamp};
use super::state::{MEMBER_COLUMNS, member as member_of, windows};
use crate::StoreError;
use crate::types::{HistoryEntry, LedgerEntry, LedgerPage, LoadedProgram, PostingView, ProgramId};
use loyalty_core::Points;
use loyalty_core::Rejection;
use loyalty_core::Timestamp;
use loyalty_core::decision::{HistoryNote, HistoryTopic};
use loyalty_core::ids::ExternalId;
use loyalty_core::ids::MemberId;
use loyalty_core::needs::{Aggregates, Needs};
use loyalty_core::outcome::{Expiring, MemberView, TierProgress};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, AssertSqlSafe};
use std::collections::BTreeMap;

/// `MEMBER_COLUMNS` of the members table aliased `m`.
fn columns_of_m() -> String {
    MEMBER_COLUMNS.split(", ").map(|c| format!("m.{}", c.trim())).collect::<Vec<_>>().join(", ")
}

pub(super) async fn member(
    pool: &AnyPool,
    loaded: &LoadedProgram,
    external_id: &ExternalId,
    at: Timestamp,
) -> Result<Option<MemberView>, StoreError> {
    let program = loaded.id;
    let sql = format!(
        "SELECT {}, r.external_id AS referrer FROM members m LEFT JOIN members r ON r.id = m.referred_by \
         WHERE m.program_id = $1 AND m.external_id = $2",
        columns_of_m()
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(external_id.as_str())
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let member = member_of(&row)?;
    let mut view = MemberView::of(&member, opt_text(&row, "referrer")?);
    view.expiring_soon = expiring_soon(pool, member.id).await?;
    let tiers = loaded.program.tiers();
    if !tiers.is_empty() {
        let window = tiers.current_window(loaded.program.calendar(), at);
        let mut needs = Needs::default();
        needs.window(window);
        let mut aggregates = Aggregates::default();
        let mut tx = pool.begin().await?;
        windows(&mut tx, member.id, &needs, &mut aggregates).await?;
        tx.rollback().await?;
        let progress = TierProgress::of(&loaded.program, &member, aggregates.window(&window), at);
        view.tier = progress.as_ref().and_then(|p| p.tier.clone());
        view.tier_progress = progress.map(Box::new);
    }
    Ok(Some(view))
}

/// How many of the next dates on which points expire a member's page shows.
const EXPIRY_DATES_SHOWN: i64 = 3;

/// The member's next expiry dates with the points left in the lots that expire then;
/// points held for review are not the member's to lose yet.
async fn expiring_soon(pool: &AnyPool, member: MemberId) -> Result<Vec<Expiring>, StoreError> {
    let rows = sqlx::query(
        "SELECT expires_at_us, CAST(SUM(remaining) AS BIGINT) AS points FROM lots \
         WHERE member_id = $1 AND remaining > 0 AND in_review = 0 AND expires_at_us IS NOT NULL \
         GROUP BY expires_at_us ORDER BY expires_at_us LIMIT $2",
    )
    .bind(member.0)
    .bind(EXPIRY_DATES_SHOWN)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Expiring {
                points: Points::new(int(row, "points")?),
                expires_at: timestamp(row, "expires_at_us")?,
            })
        })
        .collect()
}

/// A member's counters whose key starts with `prefix` (for their page: punch card progress).
pub(super) async fn member_counters(
    pool: &AnyPool,
    program: ProgramId,
    external_id: &ExternalId,
    prefix: &str,
) -> Result<BTreeMap<String, i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT c.key, c.value FROM counters c JOIN members m ON m.id = c.member_id \
         WHERE m.program_id = $1 AND m.external_id = $2 AND c.program_id = $1 \
         AND substr(c.key, 1, length($3)) = $3",
    )
    .bind(program.0)
    .bind(external_id.as_str())
    .bind(prefix)
    .fetch_all(pool)
    .await?;
    by_key(&rows)
}

/// For each key, how many members have a counter of it above zero.
pub(super) async fn members_counting(
    pool: &AnyPool,
    program: ProgramId,
    keys: &[String],
) -> Result<BTreeMap<String, i64>, StoreError> {
    if keys.is_empty() {
        return Ok(BTreeMap::new());
    }
    let wanted: Vec<String> = (0..keys.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT key, COUNT(*) AS value FROM counters WHERE program_id = $1 AND member_id <> 0 \
         AND value > 0 AND key IN ({}) GROUP BY key",
        wanted.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(program.0);
    for key in keys {
        query = query.bind(key.as_str());
    }
    by_key(&query.fetch_all(pool).await?)
}

/// The program's own counters (campaign budgets) whose key starts with `prefix`.
pub(super) async fn program_counters(
    pool: &AnyPool,
    program: ProgramId,
    prefix: &str,
) -> Result<BTreeMap<String, i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT key, value FROM counters WHERE program_id = $1 AND member_id = 0 \
         AND substr(key, 1, length($2)) = $2",
    )
    .bind(program.0)
    .bind(prefix)
    .fetch_all(pool)
    .await?;
    by_key(&rows)
}

fn by_key(rows: &[AnyRow]) -> Result<BTreeMap<String, i64>, StoreError> {
    rows.iter().map(|row| Ok((text(row, "key")?, int(row, "value")?))).collect()
}

/// The words of an event's explanation, from the outcome the event was answered with.
fn summary(result: Option<&str>) -> Option<String> {
    let outcome: serde_json::Value = serde_json::from_str(result?).ok()?;
    outcome.get("explanation")?.get("summary")?.as_str().map(str::to_owned)
}

pub(super) async fn ledger(
    pool: &AnyPool,
    program: ProgramId,
    external_id: &ExternalId,
    limit: u32,
    before: Option<i64>,
) -> Result<LedgerPage, StoreError> {
    let member = sqlx::query("SELECT id FROM members WHERE program_id = $1 AND external_id = $2")
        .bind(program.0)
        .bind(external_id.as_str())
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: external_id.to_string() })?;
    // One entry more than asked tells whether another page follows.
    let rows = sqlx::query(
        "SELECT e.id, e.kind, e.memo, e.occurred_at_us, e.recorded_at_us, p.account, p.amount, ev.result \
         FROM (SELECT id, event_id, member_id, kind, memo, occurred_at_us, recorded_at_us FROM journal_entries \
               WHERE member_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3) e \
         JOIN postings p ON p.entry_id = e.id \
         LEFT JOIN events ev ON ev.id = e.event_id AND ev.member_id = e.member_id \
         ORDER BY e.id DESC, p.id",
    )
    .bind(int(&member, "id")?)
    .bind(before.unwrap_or(i64::MAX))
    .bind(i64::from(limit) + 1)
    .fetch_all(pool)
    .await?;

    let mut entries: Vec<LedgerEntry> = Vec::new();
    for row in &rows {
        let id = int(row, "id")?;
        if entries.last().is_none_or(|e| e.entry != id) {
            entries.push(LedgerEntry {
                entry: id,
                kind: text(row, "kind")?,
                reference: opt_text(row, "memo")?,
                occurred_at: timestamp(row, "occurred_at_us")?,
                recorded_at: timestamp(row, "recorded_at_us")?,
                postings: Vec::with_capacity(2),
                explanation: summary(opt_text(row, "result")?.as_deref()),
            });
        }
        if let Some(entry) = entries.last_mut() {
            entry.postings.push(PostingView { account: text(row, "account")?, amount: int(row, "amount")? });
        }
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_before = if entries.len() > limit {
        entries.truncate(limit);
        entries.last().map(|e| e.entry)
    } else {
        None
    };
    Ok(LedgerPage { entries, next_before })
}

/// The member's history, oldest first.
pub(super) async fn member_history(
    pool: &AnyPool,
    program: ProgramId,
    external_id: &ExternalId,
    topic: Option<HistoryTopic>,
) -> Result<Option<Vec<HistoryEntry>>, StoreError> {
    let found = sqlx::query("SELECT id FROM members WHERE program_id = $1 AND external_id = $2")
        .bind(program.0)
        .bind(external_id.as_str())
        .fetch_optional(pool)
        .await?;
    let Some(member) = found else { return Ok(None) };
    let rows = sqlx::query(
        "SELECT topic, from_value, to_value, reason, occurred_at_us FROM member_history \
         WHERE member_id = $1 AND ($2 = '' OR topic = $2) ORDER BY id",
    )
    .bind(int(&member, "id")?)
    .bind(topic.map_or("", HistoryTopic::as_str))
    .fetch_all(pool)
    .await?;
    let entries = rows
        .iter()
        .map(|row| {
            let topic = text(row, "topic")?;
            Ok(HistoryEntry {
                note: HistoryNote {
                    topic: HistoryTopic::parse(&topic)
                        .ok_or_else(|| StoreError::corrupt(format!("unknown history topic {topic}")))?,
                    from: opt_text(row, "from_value")?,
                    to: opt_text(row, "to_value")?,
                    reason: text(row, "reason")?,
                },
                occurred_at: timestamp(row, "occurred_at_us")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(entries))
}
