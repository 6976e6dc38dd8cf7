//! A program's ledger read out as id-free data.

use super::rows::{int, json, opt_text, text, timestamp};
use super::state::{MEMBER_COLUMNS, lot, member as member_of};
use crate::StoreError;
use crate::types::ProgramId;
use loyalty_core::Points;
use loyalty_core::decision::{HistoryNote, HistoryTopic};
use loyalty_core::ledger::{Account, EntryKind};
use loyalty_core::outcome::HoldView;
use loyalty_core::snapshot::{
    EntrySnapshot, LotSnapshot, MemberSnapshot, OrderSnapshot, RewardSnapshot, Snapshot,
    SurveyResponseSnapshot,
};
use sqlx::{AnyPool, AssertSqlSafe};
use std::collections::{BTreeMap, HashMap};

pub(super) async fn read(pool: &AnyPool, program: ProgramId) -> Result<Snapshot, StoreError> {
    let mut snapshot = Snapshot::default();
    // Member ids to external ids, to file lots, entries and rewards under their member.
    let mut names: HashMap<i64, String> = HashMap::new();

    let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE program_id = $1 ORDER BY id");
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(program.0).fetch_all(pool).await?;
    let mut members = Vec::with_capacity(rows.len());
    for row in &rows {
        let m = member_of(row)?;
        names.insert(m.id.0, m.external_id.to_string());
        members.push(m);
    }
    for m in members {
        let referred_by = m.referred_by.and_then(|id| names.get(&id.0).cloned());
        snapshot.members.insert(
            m.external_id.to_string(),
            MemberSnapshot {
                status: m.status,
                balance: m.balance,
                debt: m.debt,
                profile: m.profile,
                referral_code: m.referral_code.to_string(),
                referred_by,
                lots: Vec::new(),
                entries: Vec::new(),
                rewards: Vec::new(),
                holds: Vec::new(),
                counters: BTreeMap::new(),
                last_activity_at: m.last_activity_at,
                standing: m.standing,
                history: Vec::new(),
                surveys: Vec::new(),
            },
        );
    }

    for row in sqlx::query(
        "SELECT member_id, topic, from_value, to_value, reason FROM member_history WHERE program_id = $1 ORDER BY id",
    )
    .bind(program.0)
    .fetch_all(pool)
    .await?
    {
        let topic = text(&row, "topic")?;
        let note = HistoryNote {
            topic: HistoryTopic::parse(&topic)
                .ok_or_else(|| StoreError::corrupt(format!("unknown history topic {topic}")))?,
            from: opt_text(&row, "from_value")?,
            to: opt_text(&row, "to_value")?,
            reason: text(&row, "reason")?,
        };
        member(&mut snapshot, &names, int(&row, "member_id")?)?.history.push(note);
    }

    for row in sqlx::query(
        "SELECT member_id, survey, score, comment, order_id, tier, occurred_at_us FROM survey_responses \
         WHERE program_id = $1 ORDER BY id",
    )
    .bind(program.0)
    .fetch_all(pool)
    .await?
    {
        member(&mut snapshot, &names, int(&row, "member_id")?)?.surveys.push(SurveyResponseSnapshot {
            survey: text(&row, "survey")?,
            score: int(&row, "score")?,
            comment: opt_text(&row, "comment")?,
            order_id: opt_text(&row, "order_id")?,
            tier: opt_text(&row, "tier")?,
            occurred_at: timestamp(&row, "occurred_at_us")?,
        });
    }

    for row in sqlx::query(
        "SELECT member_id, id, amount, remaining, earned_at_us, expires_at_us, order_id, source, in_review, \
         pending_until_us FROM lots WHERE program_id = $1 ORDER BY id",
    )
    .bind(program.0)
    .fetch_all(pool)
    .await?
    {
        let l = lot(&row)?;
        member(&mut snapshot, &names, int(&row, "member_id")?)?.lots.push(LotSnapshot {
            amount: l.amount,
            remaining: l.remaining,
            earned_at: l.earned_at,
            expires_at: l.expires_at,
            order_id: l.order_id.map(|o| o.to_string()),
            source: l.source,
            in_review: l.in_review,
            pending_until: l.pending_until,
        });
    }

    let mut last_entry = None;
    for row in sqlx::query(
        "SELECT e.id, e.member_id, e.kind, p.account, p.amount FROM journal_entries e \
         JOIN postings p ON p.entry_id = e.id WHERE e.program_id = $1 ORDER BY e.id, p.id",
    )
    .bind(program.0)
    .fetch_all(pool)
    .await?
    {
        let entry_id = int(&row, "id")?;
        let owner = member(&mut snapshot, &names, int(&row, "member_id")?)?;
        if last_entry != Some(entry_id) {
            let kind = text(&row, "kind")?;
            owner.entries.push(EntrySnapshot {
                kind: EntryKind::parse(&kind)
                    .ok_or_else(|| StoreError::corrupt(format!("unknown entry kind {kind}")))?,
                postings: Vec::with_capacity(2),
            });
            last_entry = Some(entry_id);
        }
        let account = text(&row, "account")?;
        let account = Account::parse(&account)
            .ok_or_else(|| StoreError::corrupt(format!("unknown account {account}")))?;
        if let Some(entry) = owner.entries.last_mut() {
            entry.postings.push((account, Points::new(int(&row, "amount")?)));
        }
    }

    let sql = format!("{} WHERE r.program_id = $1 ORDER BY r.id", super::spending::INSTANCE_SELECT);
    for row in sqlx::query(AssertSqlSafe(sql)).bind(program.0).fetch_all(pool).await? {
        let instance = super::spending::instance(&row)?;
        member(&mut snapshot, &names, int(&row, "member_id")?)?.rewards.push(RewardSnapshot(instance));
    }
    let sql = format!("{} WHERE h.program_id = $1 ORDER BY h.id", super::spending::HOLD_SELECT);
    for row in sqlx::query(AssertSqlSafe(sql)).bind(program.0).fetch_all(pool).await? {
        let hold = super::spending::hold(&row)?;
        member(&mut snapshot, &names, int(&row, "member_id")?)?.holds.push(HoldView::of(&hold));
    }

    for row in sqlx::query("SELECT member_id, key, value FROM counters WHERE program_id = $1")
        .bind(program.0)
        .fetch_all(pool)
        .await?
    {
        let (owner, key, value) = (int(&row, "member_id")?, text(&row, "key")?, int(&row, "value")?);
        // Counters locked for a budget that was never spent exist at zero; they are the same
        // as counters that do not exist.
        if value == 0 {
            continue;
        }
        if owner == 0 {
            snapshot.counters.insert(key, value);
        } else {
            member(&mut snapshot, &names, owner)?.counters.insert(key, value);
        }
    }

    for row in sqlx::query(
        "SELECT o.order_id, m.external_id, o.awarded, o.amount_minor, o.occurred_at_us, o.lines FROM orders o \
         JOIN members m ON m.id = o.member_id WHERE o.program_id = $1",
    )
    .bind(program.0)
    .fetch_all(pool)
    .await?
    {
        snapshot.orders.insert(
            text(&row, "order_id")?,
            OrderSnapshot {
                member: text(&row, "external_id")?,
                awarded: Points::new(int(&row, "awarded")?),
                amount_minor: int(&row, "amount_minor")?,
                occurred_at: timestamp(&row, "occurred_at_us")?,
                lines: json(&row, "lines")?,
            },
        );
    }
    Ok(snapshot)
}

fn member<'a>(
    snapshot: &'a mut Snapshot,
    names: &HashMap<i64, String>,
    id: i64,
) -> Result<&'a mut MemberSnapshot, StoreError> {
    names
        .get(&id)
        .and_then(|name| snapshot.members.get_mut(name))
        .ok_or_else(|| StoreError::corrupt(format!("a row refers to member id {id}, which does not exist")))
}
