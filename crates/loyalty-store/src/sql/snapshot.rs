//! A program's ledger read out as id-free data.

use super::rows::{int, json, opt_text, opt_timestamp, text, timestamp};
use crate::StoreError;
use crate::types::ProgramId;
use loyalty_core::Points;
use loyalty_core::ledger::{Account, EntryKind};
use loyalty_core::snapshot::{
    EntrySnapshot, LotSnapshot, MemberSnapshot, OrderSnapshot, RewardSnapshot, Snapshot,
};
use loyalty_core::state::{Balance, MemberStatus};
use sqlx::AnyPool;
use std::collections::HashMap;

pub(super) async fn read(pool: &AnyPool, program: ProgramId) -> Result<Snapshot, StoreError> {
    let mut snapshot = Snapshot::default();
    // Member ids to external ids, to file lots, entries and rewards under their member.
    let mut names: HashMap<i64, String> = HashMap::new();

    for row in sqlx::query(
        "SELECT id, external_id, status, available, pending, debt FROM members WHERE program_id = $1 ORDER BY id",
    )
    .bind(program.0)
    .fetch_all(pool)
    .await?
    {
        let status = text(&row, "status")?;
        let external_id = text(&row, "external_id")?;
        names.insert(int(&row, "id")?, external_id.clone());
        snapshot.members.insert(
            external_id,
            MemberSnapshot {
                status: MemberStatus::parse(&status)
                    .ok_or_else(|| StoreError::corrupt(format!("unknown member status {status}")))?,
                balance: Balance {
                    available: Points::new(int(&row, "available")?),
                    pending: Points::new(int(&row, "pending")?),
                },
                debt: Points::new(int(&row, "debt")?),
                lots: Vec::new(),
                entries: Vec::new(),
                rewards: Vec::new(),
            },
        );
    }

    for row in sqlx::query(
        "SELECT member_id, amount, remaining, earned_at_us, expires_at_us, order_id FROM lots \
         WHERE program_id = $1 ORDER BY id",
    )
    .bind(program.0)
    .fetch_all(pool)
    .await?
    {
        member(&mut snapshot, &names, int(&row, "member_id")?)?.lots.push(LotSnapshot {
            amount: Points::new(int(&row, "amount")?),
            remaining: Points::new(int(&row, "remaining")?),
            earned_at: timestamp(&row, "earned_at_us")?,
            expires_at: opt_timestamp(&row, "expires_at_us")?,
            order_id: opt_text(&row, "order_id")?,
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

    for row in sqlx::query(
        "SELECT member_id, reward, code, points, state FROM reward_instances WHERE program_id = $1 ORDER BY id",
    )
    .bind(program.0)
    .fetch_all(pool)
    .await?
    {
        member(&mut snapshot, &names, int(&row, "member_id")?)?.rewards.push(RewardSnapshot {
            reward: text(&row, "reward")?,
            code: text(&row, "code")?,
            points: Points::new(int(&row, "points")?),
            state: text(&row, "state")?,
        });
    }

    for row in sqlx::query(
        "SELECT o.order_id, m.external_id, o.awarded, o.lines FROM orders o JOIN members m ON m.id = o.member_id \
         WHERE o.program_id = $1",
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
