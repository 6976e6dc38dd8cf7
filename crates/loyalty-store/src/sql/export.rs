//! Reading a program's data out in bulk, for `loyalty export`: its members, its ledger
//! postings and its issued reward codes. Rows come a page at a time by keyset (the row id
//! after which the next page starts), so a reader holds one page however large the
//! program; every page of an export is read in one read-only transaction, so the pages
//! together are one consistent snapshot even while the engine keeps writing.
//!
//! Each page walks the primary key from `after`: `+program_id` keeps SQLite from choosing
//! an index that starts with the program (there are several) and then sorting every row of
//! the program for each page, which made a page cost as much as the whole table.

use super::SqlStore;
use super::rows::{int, opt_int, opt_text, opt_timestamp, text, timestamp};
use crate::StoreError;
use crate::types::{PostingView, ProgramId};
use crate::url::Backend;
use loyalty_core::Timestamp;
use sqlx::{Any, Transaction};

/// A consistent, read-only view of the database to export from; see the module's notes.
/// Pages are read with `members`, `ledger` and `rewards`; `finish` ends the transaction
/// (dropping the snapshot ends it too).
#[derive(Debug)]
pub struct ExportSnapshot {
    tx: Transaction<'static, Any>,
}

/// A member's standing as an export shows it: no personal data (name, e-mail, birth date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedMember {
    /// The member's row; pass the last one of a page as `after` for the next.
    pub row: i64,
    pub external_id: String,
    pub status: String,
    pub tier: Option<String>,
    pub available: i64,
    pub pending: i64,
    pub pending_review: i64,
    pub held: i64,
    pub debt: i64,
    pub enrolled_at: Timestamp,
    pub last_activity_at: Timestamp,
}

/// A journal entry with its postings, in the order they were written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedEntry {
    /// The entry's id; pass the last one of a page as `after` for the next.
    pub entry: i64,
    /// The external id of the member the entry belongs to; `None` for the program's own.
    pub member: Option<String>,
    pub kind: String,
    pub memo: Option<String>,
    pub occurred_at: Timestamp,
    pub recorded_at: Timestamp,
    pub postings: Vec<PostingView>,
}

/// An issued reward code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedReward {
    /// The code's row; pass the last one of a page as `after` for the next.
    pub row: i64,
    pub code: String,
    /// The external id of the member it was issued to.
    pub member: String,
    pub reward: String,
    pub kind: String,
    pub state: String,
    pub points: i64,
    pub issued_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub order_id: Option<String>,
    pub value_minor: Option<i64>,
    pub balance_minor: Option<i64>,
    pub charity: Option<String>,
}

impl SqlStore {
    /// Opens a read-only snapshot to export from. It holds one read connection until it is
    /// finished or dropped; on PostgreSQL it is a `REPEATABLE READ` transaction, on SQLite
    /// a read transaction, which WAL lets the writer write beside.
    pub async fn export_snapshot(&self) -> Result<ExportSnapshot, StoreError> {
        let tx = match self.backend {
            Backend::Sqlite => self.reader.begin().await?,
            Backend::Postgres => {
                self.reader.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?
            }
        };
        Ok(ExportSnapshot { tx })
    }
}

impl ExportSnapshot {
    /// Up to `limit` members of `program` by row, after row `after` (0 for the first page).
    pub async fn members(
        &mut self,
        program: ProgramId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ExportedMember>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, external_id, status, tier, available, pending, pending_review, held, debt, \
             enrolled_at_us, last_activity_us FROM members \
             WHERE +program_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(program.0)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ExportedMember {
                    row: int(row, "id")?,
                    external_id: text(row, "external_id")?,
                    status: text(row, "status")?,
                    tier: opt_text(row, "tier")?,
                    available: int(row, "available")?,
                    pending: int(row, "pending")?,
                    pending_review: int(row, "pending_review")?,
                    held: int(row, "held")?,
                    debt: int(row, "debt")?,
                    enrolled_at: timestamp(row, "enrolled_at_us")?,
                    last_activity_at: timestamp(row, "last_activity_us")?,
                })
            })
            .collect()
    }

    /// Up to `limit` journal entries of `program` by id, after entry `after` (0 for the
    /// first page), each with every one of its postings.
    pub async fn ledger(
        &mut self,
        program: ProgramId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ExportedEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.id, m.external_id, e.kind, e.memo, e.occurred_at_us, e.recorded_at_us, p.account, p.amount \
             FROM (SELECT id, member_id, kind, memo, occurred_at_us, recorded_at_us FROM journal_entries \
                   WHERE +program_id = $1 AND id > $2 ORDER BY id LIMIT $3) e \
             JOIN postings p ON p.entry_id = e.id \
             LEFT JOIN members m ON m.id = e.member_id \
             ORDER BY e.id, p.id",
        )
        .bind(program.0)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&mut *self.tx)
        .await?;
        let mut entries: Vec<ExportedEntry> = Vec::new();
        for row in &rows {
            let id = int(row, "id")?;
            if entries.last().is_none_or(|e| e.entry != id) {
                entries.push(ExportedEntry {
                    entry: id,
                    member: opt_text(row, "external_id")?,
                    kind: text(row, "kind")?,
                    memo: opt_text(row, "memo")?,
                    occurred_at: timestamp(row, "occurred_at_us")?,
                    recorded_at: timestamp(row, "recorded_at_us")?,
                    postings: Vec::with_capacity(2),
                });
            }
            if let Some(entry) = entries.last_mut() {
                entry
                    .postings
                    .push(PostingView { account: text(row, "account")?, amount: int(row, "amount")? });
            }
        }
        Ok(entries)
    }

    /// Up to `limit` rows of the program's audit trail, by row after row `after` (0 for
    /// the first page).
    pub async fn audit(
        &mut self,
        program: ProgramId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<crate::types::AuditRecord>, StoreError> {
        super::audit::page(&mut self.tx, program, after, limit).await
    }

    /// Up to `limit` reward codes issued in `program`, by row after row `after` (0 for the
    /// first page).
    pub async fn rewards(
        &mut self,
        program: ProgramId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ExportedReward>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.id, r.code, m.external_id, r.reward, r.kind, r.state, r.points, r.issued_at_us, \
             r.expires_at_us, r.order_id, r.value_minor, r.balance_minor, r.charity \
             FROM reward_instances r JOIN members m ON m.id = r.member_id \
             WHERE +r.program_id = $1 AND r.id > $2 ORDER BY r.id LIMIT $3",
        )
        .bind(program.0)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&mut *self.tx)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ExportedReward {
                    row: int(row, "id")?,
                    code: text(row, "code")?,
                    member: text(row, "external_id")?,
                    reward: text(row, "reward")?,
                    kind: text(row, "kind")?,
                    state: text(row, "state")?,
                    points: int(row, "points")?,
                    issued_at: timestamp(row, "issued_at_us")?,
                    expires_at: opt_timestamp(row, "expires_at_us")?,
                    order_id: opt_text(row, "order_id")?,
                    value_minor: opt_int(row, "value_minor")?,
                    balance_minor: opt_int(row, "balance_minor")?,
                    charity: opt_text(row, "charity")?,
                })
            })
            .collect()
    }

    /// Ends the snapshot's transaction (it wrote nothing) and gives its connection back.
    pub async fn finish(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }
}
