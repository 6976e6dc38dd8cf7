//! Checks ledger invariants 1 to 3 of DESIGN.md over a whole database, naming the rows
//! that break them. Every figure is recomputed from the postings and lots.

use super::rows::{int, text};
use crate::StoreError;
use crate::types::{VerifyReport, Violation};
use sqlx::AnyPool;

pub(super) async fn run(pool: &AnyPool) -> Result<VerifyReport, StoreError> {
    let mut report = VerifyReport::default();
    let counts = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM journal_entries) AS entries, (SELECT COUNT(*) FROM members) AS members, \
         (SELECT COUNT(*) FROM lots) AS lots",
    )
    .fetch_one(pool)
    .await?;
    report.entries = int(&counts, "entries")?;
    report.members = int(&counts, "members")?;
    report.lots = int(&counts, "lots")?;

    // 1. Every entry has two or more postings that sum to zero.
    for row in sqlx::query(
        "SELECT e.id, CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) AS total, COUNT(p.id) AS postings \
         FROM journal_entries e LEFT JOIN postings p ON p.entry_id = e.id GROUP BY e.id \
         HAVING COALESCE(SUM(p.amount), 0) <> 0 OR COUNT(p.id) < 2 ORDER BY e.id",
    )
    .fetch_all(pool)
    .await?
    {
        report.violations.push(Violation {
            invariant: 1,
            detail: format!(
                "journal entry {} has {} postings summing to {}",
                int(&row, "id")?,
                int(&row, "postings")?,
                int(&row, "total")?
            ),
        });
    }
    // 1. All postings of a program sum to zero.
    for row in sqlx::query(
        "SELECT program_id, CAST(SUM(amount) AS BIGINT) AS total FROM postings GROUP BY program_id \
         HAVING SUM(amount) <> 0 ORDER BY program_id",
    )
    .fetch_all(pool)
    .await?
    {
        report.violations.push(Violation {
            invariant: 1,
            detail: format!(
                "postings of program {} sum to {}",
                int(&row, "program_id")?,
                int(&row, "total")?
            ),
        });
    }

    // 2. A member's available balance equals their postings and their lots less debt.
    for row in sqlx::query(
        "SELECT m.id, m.external_id, m.available, m.pending, m.debt, \
           CAST(COALESCE((SELECT SUM(p.amount) FROM postings p \
                 WHERE p.member_id = m.id AND p.account = 'member:available'), 0) AS BIGINT) AS posted, \
           CAST(COALESCE((SELECT SUM(p.amount) FROM postings p \
                 WHERE p.member_id = m.id AND p.account = 'member:pending'), 0) AS BIGINT) AS posted_pending, \
           CAST(COALESCE((SELECT SUM(l.remaining) FROM lots l WHERE l.member_id = m.id), 0) AS BIGINT) AS in_lots \
         FROM members m ORDER BY m.id",
    )
    .fetch_all(pool)
    .await?
    {
        let (available, debt) = (int(&row, "available")?, int(&row, "debt")?);
        let (posted, in_lots) = (int(&row, "posted")?, int(&row, "in_lots")?);
        let (pending, posted_pending) = (int(&row, "pending")?, int(&row, "posted_pending")?);
        let who = format!("member {} (id {})", text(&row, "external_id")?, int(&row, "id")?);
        if available != posted {
            report.violations.push(Violation {
                invariant: 2,
                detail: format!("{who} shows available {available} but its postings sum to {posted}"),
            });
        }
        if Some(available) != in_lots.checked_sub(debt) {
            report.violations.push(Violation {
                invariant: 2,
                detail: format!("{who} shows available {available} but its lots hold {in_lots} with debt {debt}"),
            });
        }
        if pending != posted_pending {
            report.violations.push(Violation {
                invariant: 2,
                detail: format!("{who} shows pending {pending} but its postings sum to {posted_pending}"),
            });
        }
    }

    // 3. No lot's remaining is below zero or above its amount.
    for row in sqlx::query(
        "SELECT id, member_id, amount, remaining FROM lots WHERE remaining < 0 OR remaining > amount ORDER BY id",
    )
    .fetch_all(pool)
    .await?
    {
        report.violations.push(Violation {
            invariant: 3,
            detail: format!(
                "lot {} of member id {} has remaining {} of amount {}",
                int(&row, "id")?,
                int(&row, "member_id")?,
                int(&row, "remaining")?,
                int(&row, "amount")?
            ),
        });
    }
    Ok(report)
}
