//! Reads for the API: a member, and a page of their journal.

use super::rows::{int, opt_text, text, timestamp};
use crate::StoreError;
use crate::types::{LedgerEntry, LedgerPage, PostingView, ProgramId};
use loyalty_core::Points;
use loyalty_core::Rejection;
use loyalty_core::ids::ExternalId;
use loyalty_core::outcome::MemberView;
use loyalty_core::state::{Balance, MemberStatus};
use sqlx::AnyPool;

pub(super) async fn member(
    pool: &AnyPool,
    program: ProgramId,
    external_id: &ExternalId,
) -> Result<Option<MemberView>, StoreError> {
    let row = sqlx::query(
        "SELECT external_id, email, name, status, enrolled_at_us, available, pending FROM members \
         WHERE program_id = $1 AND external_id = $2",
    )
    .bind(program.0)
    .bind(external_id.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let status = text(&row, "status")?;
    Ok(Some(MemberView {
        external_id: text(&row, "external_id")?,
        email: opt_text(&row, "email")?,
        name: opt_text(&row, "name")?,
        status: MemberStatus::parse(&status)
            .ok_or_else(|| StoreError::corrupt(format!("unknown member status {status}")))?,
        enrolled_at: timestamp(&row, "enrolled_at_us")?,
        balance: Balance {
            available: Points::new(int(&row, "available")?),
            pending: Points::new(int(&row, "pending")?),
        },
    }))
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
        "SELECT e.id, e.kind, e.memo, e.occurred_at_us, e.recorded_at_us, p.account, p.amount \
         FROM (SELECT id, kind, memo, occurred_at_us, recorded_at_us FROM journal_entries \
               WHERE member_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3) e \
         JOIN postings p ON p.entry_id = e.id \
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
