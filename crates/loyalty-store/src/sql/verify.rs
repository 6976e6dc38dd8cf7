//! Checks the ledger invariants of DESIGN.md over a whole database, naming the rows that
//! break them. Every figure is recomputed from the postings, lots and events; invariant 4
//! replays the event log (see `replay`).

use super::rows::{int, opt_text, text};
use crate::types::{VerifyReport, Violation};
use crate::{Store, StoreError, replay};
use loyalty_core::Timestamp;
use sqlx::AnyPool;
use std::collections::BTreeMap;

pub(super) async fn run<S: Store>(store: &S, pool: &AnyPool) -> Result<VerifyReport, StoreError> {
    let mut report = structure(pool).await?;
    report.violations.extend(references(pool).await?);
    let replayed = replay::in_memory(store).await?;
    report.events = i64::try_from(replayed.events).unwrap_or(i64::MAX);
    report
        .violations
        .extend(replayed.differences.into_iter().map(|detail| Violation { invariant: 4, detail }));
    report.violations.extend(one_effect_per_key(pool).await?);
    report.violations.extend(spent_once(pool).await?);
    report.violations.extend(roll_forward(pool).await?);
    report.violations.sort_by_key(|v| v.invariant);
    Ok(report)
}

/// Invariants 1 to 3: balanced entries, balances that match postings and lots, lots in bounds.
async fn structure(pool: &AnyPool) -> Result<VerifyReport, StoreError> {
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

    // 2. A member's balances equal their postings, and their lots (less debt, for what is
    // available; those pending, for what is pending; those held for review, for what is
    // in review), and what they hold for checkouts equals their open holds.
    for row in sqlx::query(
        "SELECT m.id, m.external_id, m.available, m.pending, m.pending_review, m.held AS reserved, m.debt, \
           CAST(COALESCE((SELECT SUM(p.amount) FROM postings p \
                 WHERE p.member_id = m.id AND p.account = 'member:held'), 0) AS BIGINT) AS posted_reserved, \
           CAST(COALESCE((SELECT SUM(h.points) FROM holds h \
                 WHERE h.member_id = m.id AND h.state = 'open'), 0) AS BIGINT) AS in_holds, \
           CAST(COALESCE((SELECT SUM(p.amount) FROM postings p \
                 WHERE p.member_id = m.id AND p.account = 'member:available'), 0) AS BIGINT) AS posted, \
           CAST(COALESCE((SELECT SUM(p.amount) FROM postings p \
                 WHERE p.member_id = m.id AND p.account = 'member:pending'), 0) AS BIGINT) AS posted_pending, \
           CAST(COALESCE((SELECT SUM(p.amount) FROM postings p \
                 WHERE p.member_id = m.id AND p.account = 'member:pending_review'), 0) AS BIGINT) AS posted_review, \
           CAST(COALESCE((SELECT SUM(l.remaining) FROM lots l \
                 WHERE l.member_id = m.id AND l.in_review = 0 AND l.pending_until_us IS NULL), 0) AS BIGINT) \
                 AS in_lots, \
           CAST(COALESCE((SELECT SUM(l.remaining) FROM lots l \
                 WHERE l.member_id = m.id AND l.in_review = 0 AND l.pending_until_us IS NOT NULL), 0) AS BIGINT) \
                 AS in_pending, \
           CAST(COALESCE((SELECT SUM(l.remaining) FROM lots l \
                 WHERE l.member_id = m.id AND l.in_review = 1), 0) AS BIGINT) AS held \
         FROM members m ORDER BY m.id",
    )
    .fetch_all(pool)
    .await?
    {
        let (available, debt) = (int(&row, "available")?, int(&row, "debt")?);
        let (posted, in_lots) = (int(&row, "posted")?, int(&row, "in_lots")?);
        let (pending, posted_pending) = (int(&row, "pending")?, int(&row, "posted_pending")?);
        let (review, posted_review, held) =
            (int(&row, "pending_review")?, int(&row, "posted_review")?, int(&row, "held")?);
        let who = format!("member {} (id {})", text(&row, "external_id")?, int(&row, "id")?);
        let mut broken = |detail: String| report.violations.push(Violation { invariant: 2, detail });
        if available != posted {
            broken(format!("{who} shows available {available} but its postings sum to {posted}"));
        }
        if Some(available) != in_lots.checked_sub(debt) {
            broken(format!("{who} shows available {available} but its lots hold {in_lots} with debt {debt}"));
        }
        let in_pending = int(&row, "in_pending")?;
        if pending != posted_pending || pending != in_pending {
            broken(format!(
                "{who} shows pending {pending} but its postings sum to {posted_pending} and its lots hold {in_pending}"
            ));
        }
        let (reserved, posted_reserved, in_holds) =
            (int(&row, "reserved")?, int(&row, "posted_reserved")?, int(&row, "in_holds")?);
        if reserved != posted_reserved || reserved != in_holds {
            broken(format!(
                "{who} shows {reserved} held for checkouts but its postings sum to {posted_reserved} and its open holds to {in_holds}"
            ));
        }
        if review != posted_review || review != held {
            broken(format!(
                "{who} shows {review} in review but its postings sum to {posted_review} and its lots hold {held}"
            ));
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

/// Invariant 1, the journal is whole: every row belongs to a program, an event, an entry
/// that exists. (These references are not foreign keys; see the first migration.)
async fn references(pool: &AnyPool) -> Result<Vec<Violation>, StoreError> {
    let rows = sqlx::query(
        "SELECT 'posting' AS what, p.id, 'journal entry' AS parent, p.entry_id AS parent_id \
           FROM postings p WHERE NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.id = p.entry_id) \
         UNION ALL SELECT 'journal entry', e.id, 'event', e.event_id \
           FROM journal_entries e WHERE NOT EXISTS (SELECT 1 FROM events v WHERE v.id = e.event_id) \
         UNION ALL SELECT 'lot', l.id, 'event', l.event_id \
           FROM lots l WHERE NOT EXISTS (SELECT 1 FROM events v WHERE v.id = l.event_id) \
         UNION ALL SELECT 'reward', r.id, 'event', r.event_id \
           FROM reward_instances r WHERE NOT EXISTS (SELECT 1 FROM events v WHERE v.id = r.event_id) \
         UNION ALL SELECT 'event', v.id, 'program', v.program_id \
           FROM events v WHERE NOT EXISTS (SELECT 1 FROM programs g WHERE g.id = v.program_id) \
         UNION ALL SELECT 'journal entry', e.id, 'program', e.program_id \
           FROM journal_entries e WHERE NOT EXISTS (SELECT 1 FROM programs g WHERE g.id = e.program_id) \
         UNION ALL SELECT 'posting', p.id, 'program', p.program_id \
           FROM postings p WHERE NOT EXISTS (SELECT 1 FROM programs g WHERE g.id = p.program_id) \
         UNION ALL SELECT 'lot', l.id, 'program', l.program_id \
           FROM lots l WHERE NOT EXISTS (SELECT 1 FROM programs g WHERE g.id = l.program_id) \
         UNION ALL SELECT 'reward', r.id, 'program', r.program_id \
           FROM reward_instances r WHERE NOT EXISTS (SELECT 1 FROM programs g WHERE g.id = r.program_id)",
    )
    .fetch_all(pool)
    .await?;
    let mut found = Vec::new();
    for row in &rows {
        found.push(Violation {
            invariant: 1,
            detail: format!(
                "{} {} belongs to {} {}, which does not exist",
                text(row, "what")?,
                int(row, "id")?,
                text(row, "parent")?,
                int(row, "parent_id")?
            ),
        });
    }
    // The reports read each posting's copy of its entry's member and booking time.
    for row in sqlx::query(
        "SELECT p.id, p.entry_id FROM postings p JOIN journal_entries e ON e.id = p.entry_id \
         WHERE p.recorded_at_us IS NULL OR p.recorded_at_us <> e.recorded_at_us \
           OR COALESCE(p.holder_id, 0) <> COALESCE(e.member_id, 0) ORDER BY p.id",
    )
    .fetch_all(pool)
    .await?
    {
        found.push(Violation {
            invariant: 1,
            detail: format!(
                "posting {} does not carry the member and booking time of its journal entry {}",
                int(&row, "id")?,
                int(&row, "entry_id")?
            ),
        });
    }
    for row in sqlx::query(
        "SELECT o.order_id, o.event_id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM events v WHERE v.id = o.event_id) \
         OR NOT EXISTS (SELECT 1 FROM programs g WHERE g.id = o.program_id) ORDER BY o.order_id",
    )
    .fetch_all(pool)
    .await?
    {
        found.push(Violation {
            invariant: 1,
            detail: format!(
                "order {} belongs to event {} or a program that does not exist",
                text(&row, "order_id")?,
                int(&row, "event_id")?
            ),
        });
    }
    Ok(found)
}

/// Invariant 5: an idempotency key has one event, so one effect. (The unique index already
/// forbids a second; this also catches a database whose index was lost.)
async fn one_effect_per_key(pool: &AnyPool) -> Result<Vec<Violation>, StoreError> {
    let rows = sqlx::query(
        "SELECT program_id, idempotency_key, COUNT(*) AS times FROM events WHERE idempotency_key IS NOT NULL \
         GROUP BY program_id, idempotency_key HAVING COUNT(*) > 1 ORDER BY program_id, idempotency_key",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Violation {
                invariant: 5,
                detail: format!(
                    "idempotency key {} of program {} was applied {} times",
                    opt_text(row, "idempotency_key")?.unwrap_or_default(),
                    int(row, "program_id")?,
                    int(row, "times")?
                ),
            })
        })
        .collect()
}

/// Invariant 6: every point spent on a reward was spent once: each issued reward has a
/// redemption (or donation) entry of exactly its cost, and no redemption entry lacks its
/// reward, but for the capture of a checkout hold, which spends what the hold reserved.
async fn spent_once(pool: &AnyPool) -> Result<Vec<Violation>, StoreError> {
    let mut found = Vec::new();
    for row in sqlx::query(
        "SELECT r.id, r.code, r.points, CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) AS spent \
         FROM reward_instances r LEFT JOIN journal_entries e \
           ON e.event_id = r.event_id AND e.kind IN ('redemption', 'donation') \
         LEFT JOIN postings p ON p.entry_id = e.id AND p.account IN ('program:redeemed', 'program:donated') \
         GROUP BY r.id, r.code, r.points HAVING COALESCE(SUM(p.amount), 0) <> r.points ORDER BY r.id",
    )
    .fetch_all(pool)
    .await?
    {
        found.push(Violation {
            invariant: 6,
            detail: format!(
                "reward {} costs {} points but its redemption spent {}",
                text(&row, "code")?,
                int(&row, "points")?,
                int(&row, "spent")?
            ),
        });
    }
    for row in sqlx::query(
        "SELECT e.id FROM journal_entries e WHERE e.kind = 'redemption' \
         AND NOT EXISTS (SELECT 1 FROM reward_instances r WHERE r.event_id = e.event_id) \
         AND NOT EXISTS (SELECT 1 FROM postings p WHERE p.entry_id = e.id AND p.account = 'member:held') \
         ORDER BY e.id",
    )
    .fetch_all(pool)
    .await?
    {
        found.push(Violation {
            invariant: 6,
            detail: format!("redemption entry {} spent points on no reward", int(&row, "id")?),
        });
    }
    Ok(found)
}

const DAY_MICROS: i64 = 86_400_000_000;

/// Invariant 7, the roll-forward: for every program and every day, the points members held
/// at the start, plus what the program accounts issued, less what they took back
/// (redeemed, adjusted, lost), equal what members hold at the end; and at the end of the
/// log that equals the members' balances. The program side and the member side are summed
/// separately, so any day whose entries do not net out shows up.
async fn roll_forward(pool: &AnyPool) -> Result<Vec<Violation>, StoreError> {
    let rows = sqlx::query(
        "SELECT e.program_id, e.recorded_at_us / $1 AS day, \
           CAST(SUM(CASE WHEN p.member_id IS NULL THEN p.amount ELSE 0 END) AS BIGINT) AS program_side, \
           CAST(SUM(CASE WHEN p.member_id IS NULL THEN 0 ELSE p.amount END) AS BIGINT) AS member_side \
         FROM journal_entries e JOIN postings p ON p.entry_id = e.id \
         GROUP BY e.program_id, e.recorded_at_us / $1 ORDER BY e.program_id, day",
    )
    .bind(DAY_MICROS)
    .fetch_all(pool)
    .await?;
    let mut found = Vec::new();
    let mut held: BTreeMap<i64, i128> = BTreeMap::new();
    for row in &rows {
        let program = int(row, "program_id")?;
        let day = int(row, "day")?;
        let opening = held.get(&program).copied().unwrap_or(0);
        let movements = -i128::from(int(row, "program_side")?);
        let closing = opening + i128::from(int(row, "member_side")?);
        if opening + movements != closing {
            let date = Timestamp::from_micros(day.saturating_mul(DAY_MICROS)).to_string();
            found.push(Violation {
                invariant: 7,
                detail: format!(
                    "program {program} on {}: opening {opening} + movements {movements} = {} but members hold {closing}",
                    date.get(..10).unwrap_or(&date),
                    opening + movements
                ),
            });
        }
        held.insert(program, closing);
    }
    for row in sqlx::query(
        "SELECT program_id, CAST(SUM(available + pending + pending_review + held) AS BIGINT) AS balances FROM members \
         GROUP BY program_id \
         ORDER BY program_id",
    )
    .fetch_all(pool)
    .await?
    {
        let program = int(&row, "program_id")?;
        let balances = i128::from(int(&row, "balances")?);
        let ledger = held.get(&program).copied().unwrap_or(0);
        if balances != ledger {
            found.push(Violation {
                invariant: 7,
                detail: format!("program {program}: members' balances add up to {balances} but the ledger holds {ledger} for them"),
            });
        }
    }
    Ok(found)
}
