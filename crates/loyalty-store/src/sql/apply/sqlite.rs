//! Writing a decision's rows in one batch of statements (SQLite).
//!
//! Rows that later rows refer to (the member when one is enrolled, the event, each journal
//! entry) are found as the largest id of their table: the store is the file's only writer
//! and holds the write lock for the whole transaction, and SQLite gives a new row the
//! largest id. Whether every lot could give what was drawn from it is checked by counting
//! the rows the batch changed.

use super::{Arg, Rows, Statement, lot_cannot_give};
use crate::StoreError;
use loyalty_core::decision::OrderChange;
use loyalty_core::ids::LotId;
use sqlx::{Any, Transaction};

const NEW_MEMBER: &str = "(SELECT MAX(id) FROM members)";
const NEW_EVENT: &str = "(SELECT MAX(id) FROM events)";
const NEW_ENTRY: &str = "(SELECT MAX(id) FROM journal_entries)";

pub(super) async fn write(tx: &mut Transaction<'static, Any>, rows: &Rows<'_>) -> Result<(), StoreError> {
    let mut s = Statement::default();
    // Every statement below changes exactly this many rows when all is well.
    let mut expected: u64 = 0;
    let program = s.int(rows.program_id);
    let occurred = s.int(rows.occurred_at);
    let now = s.int(rows.now);

    let member = if let Some(new) = rows.enrolled() {
        let (external_id, email, name, status, enrolled) = (
            s.text(new.external_id.as_str()),
            s.arg(Arg::OptText(new.email.as_ref().map(|e| e.as_str().to_owned()))),
            s.arg(Arg::OptText(new.name.as_ref().map(|n| n.as_str().to_owned()))),
            s.text(new.status.as_str()),
            s.int(new.enrolled_at.as_micros()),
        );
        s.parts.push(format!(
            "INSERT INTO members (program_id, external_id, email, name, status, available, pending, debt, enrolled_at_us) \
             VALUES ({program}, {external_id}, {email}, {name}, {status}, 0, 0, 0, {enrolled})"
        ));
        NEW_MEMBER.to_owned()
    } else {
        let (id, balance, debt) = match (rows.existing(), rows.member) {
            (Some(id), loyalty_core::decision::MemberChange::Balance { balance, debt, .. }) => {
                (id, balance, debt)
            }
            _ => return Err(StoreError::corrupt("a decision neither enrols nor updates a member")),
        };
        let (available, pending, debt, id) =
            (s.int(balance.available.get()), s.int(balance.pending.get()), s.int(debt.get()), s.int(id.0));
        s.parts.push(format!(
            "UPDATE members SET available = {available}, pending = {pending}, debt = {debt} WHERE id = {id}"
        ));
        id
    };
    expected += 1;

    let (version, kind, key, fingerprint, payload, result) = (
        s.int(rows.program_version),
        s.text(rows.kind),
        s.arg(Arg::OptText(rows.idempotency_key.clone())),
        s.text(rows.fingerprint),
        s.text(rows.payload.as_str()),
        s.text(rows.result.as_str()),
    );
    s.parts.push(format!(
        "INSERT INTO events (program_id, program_version, member_id, kind, idempotency_key, fingerprint, payload, \
         result, occurred_at_us, recorded_at_us) \
         VALUES ({program}, {version}, {member}, {kind}, {key}, {fingerprint}, {payload}, {result}, {occurred}, {now})"
    ));
    expected += 1;

    let memo = s.arg(Arg::OptText(rows.memo.clone()));
    for (kind, postings) in &rows.entries {
        let kind = s.text(*kind);
        s.parts.push(format!(
            "INSERT INTO journal_entries (program_id, event_id, member_id, kind, memo, occurred_at_us, recorded_at_us) \
             VALUES ({program}, {NEW_EVENT}, {member}, {kind}, {memo}, {occurred}, {now})"
        ));
        let values: Vec<String> = postings
            .iter()
            .map(|(of_member, account, amount)| {
                let owner = if *of_member { member.clone() } else { "NULL".to_owned() };
                format!("({NEW_ENTRY}, {program}, {owner}, {}, {})", s.text(*account), s.int(*amount))
            })
            .collect();
        s.parts.push(format!(
            "INSERT INTO postings (entry_id, program_id, member_id, account, amount) VALUES {}",
            values.join(", ")
        ));
        expected += 1 + postings.len() as u64;
    }

    for lot in &rows.opened {
        let (order, amount, remaining, earned, expires) = (
            s.arg(Arg::OptText(lot.order_id.as_ref().map(|o| o.as_str().to_owned()))),
            s.int(lot.amount.get()),
            s.int(lot.remaining.get()),
            s.int(lot.earned_at.as_micros()),
            s.arg(Arg::OptInt(lot.expires_at.map(|t| t.as_micros()))),
        );
        s.parts.push(format!(
            "INSERT INTO lots (program_id, member_id, event_id, order_id, amount, remaining, earned_at_us, expires_at_us) \
             VALUES ({program}, {member}, {NEW_EVENT}, {order}, {amount}, {remaining}, {earned}, {expires})"
        ));
        expected += 1;
    }
    for (lot, amount) in &rows.draws {
        let (amount, lot) = (s.int(*amount), s.int(lot.0));
        s.parts.push(format!(
            "UPDATE lots SET remaining = remaining - {amount} WHERE id = {lot} AND member_id = {member} AND remaining >= {amount}"
        ));
        expected += 1;
    }

    match &rows.order {
        Some((OrderChange::Record { order_id, awarded, .. }, lines)) => {
            let (order, awarded, lines) =
                (s.text(order_id.as_str()), s.int(awarded.get()), s.text(lines.as_str()));
            s.parts.push(format!(
                "INSERT INTO orders (program_id, order_id, member_id, event_id, awarded, lines) \
                 VALUES ({program}, {order}, {member}, {NEW_EVENT}, {awarded}, {lines})"
            ));
            expected += 1;
        }
        Some((OrderChange::Update { order_id, awarded, .. }, lines)) => {
            let (order, awarded, lines) =
                (s.text(order_id.as_str()), s.int(awarded.get()), s.text(lines.as_str()));
            s.parts.push(format!(
                "UPDATE orders SET awarded = {awarded}, lines = {lines} WHERE program_id = {program} AND order_id = {order}"
            ));
            expected += 1;
        }
        None => {}
    }

    if let Some((reward, code, points)) = rows.reward {
        let (reward, code, points) = (s.text(reward), s.text(code), s.int(points));
        s.parts.push(format!(
            "INSERT INTO reward_instances (program_id, member_id, event_id, reward, code, state, points, issued_at_us) \
             VALUES ({program}, {member}, {NEW_EVENT}, {reward}, {code}, 'issued', {points}, {occurred})"
        ));
        expected += 1;
    }

    let sql = s.parts.join(";\n");
    let done = s.query(sql).execute(&mut **tx).await?;
    if done.rows_affected() != expected {
        let (lot, amount) = rows.draws.first().copied().unwrap_or((LotId(0), 0));
        return Err(if rows.draws.is_empty() {
            StoreError::corrupt(format!(
                "a decision changed {} rows where {expected} were due",
                done.rows_affected()
            ))
        } else {
            lot_cannot_give(lot, amount)
        });
    }
    Ok(())
}
