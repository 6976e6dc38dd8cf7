//! Writing a decision's rows in one batch of statements (SQLite).
//!
//! Rows that later rows refer to (the member when one is enrolled, the event, each journal
//! entry) are found as the largest id of their table: the store is the file's only writer
//! and holds the write lock for the whole transaction, and SQLite gives a new row the
//! largest id. Whether every lot could give what was drawn from it is checked by counting
//! the rows the batch changed.

use super::{
    Arg, EntryRows, HOLD_COLUMNS, INSTANCE_COLUMNS, NEW_MEMBER_COLUMNS, Rows, SURVEY_COLUMNS, Statement,
    VOID_SET, draw_set, lot_cannot_give,
};
use crate::StoreError;
use loyalty_core::decision::OrderChange;
use loyalty_core::ids::LotId;
use sqlx::{Any, Transaction};

const NEW_MEMBER: &str = "(SELECT MAX(id) FROM members)";
const NEW_EVENT: &str = "(SELECT MAX(id) FROM events)";
const NEW_ENTRY: &str = "(SELECT MAX(id) FROM journal_entries)";

/// Adds a journal entry of `owner` and its postings; returns how many rows they add.
fn entry(
    s: &mut Statement,
    program: &str,
    owner: &str,
    rows: &Rows<'_>,
    memo: &str,
    (kind, postings): &EntryRows,
) -> u64 {
    let (kind, occurred, now) = (s.text(*kind), s.int(rows.occurred_at), s.int(rows.now));
    s.parts.push(format!(
        "INSERT INTO journal_entries (program_id, event_id, member_id, kind, memo, occurred_at_us, recorded_at_us) \
         VALUES ({program}, {NEW_EVENT}, {owner}, {kind}, {memo}, {occurred}, {now})"
    ));
    let values: Vec<String> = postings
        .iter()
        .map(|(of_member, account, amount)| {
            let member = if *of_member { owner.to_owned() } else { "NULL".to_owned() };
            format!(
                "({NEW_ENTRY}, {program}, {member}, {owner}, {now}, {}, {})",
                s.text(*account),
                s.int(*amount)
            )
        })
        .collect();
    s.parts.push(format!(
        "INSERT INTO postings (entry_id, program_id, member_id, holder_id, recorded_at_us, account, amount) VALUES {}",
        values.join(", ")
    ));
    1 + postings.len() as u64
}

fn lot(s: &mut Statement, program: &str, owner: &str, lot: &loyalty_core::lots::NewLot) {
    let (order, amount, remaining, earned, expires, source, in_review, pending) = (
        s.arg(Arg::OptText(lot.order_id.as_ref().map(|o| o.as_str().to_owned()))),
        s.int(lot.amount.get()),
        s.int(lot.remaining.get()),
        s.int(lot.earned_at.as_micros()),
        s.arg(Arg::OptInt(lot.expires_at.map(|t| t.as_micros()))),
        s.text(lot.source.as_str()),
        s.int(i64::from(lot.in_review)),
        s.arg(Arg::OptInt(lot.pending_until.map(|t| t.as_micros()))),
    );
    s.parts.push(format!(
        "INSERT INTO lots (program_id, member_id, event_id, order_id, amount, remaining, earned_at_us, expires_at_us, \
         source, in_review, pending_until_us) \
         VALUES ({program}, {owner}, {NEW_EVENT}, {order}, {amount}, {remaining}, {earned}, {expires}, {source}, \
         {in_review}, {pending})"
    ));
}

pub(super) async fn write(tx: &mut Transaction<'static, Any>, rows: &Rows<'_>) -> Result<(), StoreError> {
    let mut s = Statement::default();
    // Every statement below changes exactly this many rows when all is well.
    let mut expected: u64 = 0;
    let program = s.int(rows.program_id);

    let member = match (&rows.enrolled, &rows.updated) {
        (Some((new, profile, standing)), _) => {
            let values = s.new_member(&program, new, profile, standing.as_ref());
            s.parts.push(format!("INSERT INTO members ({NEW_MEMBER_COLUMNS}) VALUES ({values}, 0)"));
            NEW_MEMBER.to_owned()
        }
        (None, Some((id, row))) => {
            let (set, id) = (s.member_update(row), s.int(*id));
            s.parts.push(format!("UPDATE members SET {set} WHERE id = {id}"));
            id
        }
        (None, None) => return Err(StoreError::corrupt("a decision neither enrols nor updates a member")),
    };
    expected += 1;

    let segment = s.arg(Arg::OptText(rows.segment.map(str::to_owned)));
    let (version, kind, key, fingerprint, payload, result, occurred, now) = (
        s.int(rows.program_version),
        s.text(rows.kind),
        s.arg(Arg::OptText(rows.idempotency_key.clone())),
        s.text(rows.fingerprint),
        s.text(rows.payload.as_str()),
        s.text(rows.result.as_str()),
        s.int(rows.occurred_at),
        s.int(rows.now),
    );
    s.parts.push(format!(
        "INSERT INTO events (program_id, program_version, member_id, kind, idempotency_key, fingerprint, payload, \
         result, occurred_at_us, recorded_at_us, segment) \
         VALUES ({program}, {version}, {member}, {kind}, {key}, {fingerprint}, {payload}, {result}, {occurred}, {now}, \
         {segment})"
    ));
    expected += 1;

    let memo = s.arg(Arg::OptText(rows.memo.clone()));
    for e in &rows.entries {
        expected += entry(&mut s, &program, &member, rows, &memo, e);
    }
    for new in &rows.opened {
        lot(&mut s, &program, &member, new);
        expected += 1;
    }
    for (lot, drawn) in &rows.released {
        let (id, drawn) = (s.int(lot.0), s.int(*drawn));
        s.parts.push(format!(
            "UPDATE lots SET in_review = 0, pending_until_us = NULL, remaining = remaining - {drawn} \
             WHERE id = {id} AND member_id = {member} AND (in_review = 1 OR pending_until_us IS NOT NULL) \
             AND remaining >= {drawn}"
        ));
        expected += 1;
    }
    for voided in &rows.voided {
        let id = s.int(voided.0);
        s.parts.push(format!(
            "UPDATE lots SET {VOID_SET} \
             WHERE id = {id} AND member_id = {member} AND in_review = 1"
        ));
        expected += 1;
    }
    for (lot, amount) in &rows.draws {
        let (amount, lot) = (s.int(*amount), s.int(lot.0));
        let set = draw_set(rows.drawn_as, &amount);
        s.parts.push(format!(
            "UPDATE lots SET {set} \
             WHERE id = {lot} AND member_id = {member} AND remaining >= {amount}"
        ));
        expected += 1;
    }

    match &rows.order {
        Some((OrderChange::Record { order_id, awarded, amount_minor, .. }, lines, bonuses)) => {
            let (order, awarded, amount, lines, bonuses) = (
                s.text(order_id.as_str()),
                s.int(awarded.get()),
                s.int(*amount_minor),
                s.text(lines.as_str()),
                s.text(bonuses.as_str()),
            );
            s.parts.push(format!(
                "INSERT INTO orders (program_id, order_id, member_id, event_id, awarded, lines, amount_minor, occurred_at_us, \
                 bonuses) VALUES ({program}, {order}, {member}, {NEW_EVENT}, {awarded}, {lines}, {amount}, {occurred}, {bonuses})"
            ));
            expected += 1;
        }
        Some((OrderChange::Update { order_id, awarded, amount_minor, .. }, lines, bonuses)) => {
            let (order, awarded, amount, lines, bonuses) = (
                s.text(order_id.as_str()),
                s.int(awarded.get()),
                s.int(*amount_minor),
                s.text(lines.as_str()),
                s.text(bonuses.as_str()),
            );
            s.parts.push(format!(
                "UPDATE orders SET awarded = {awarded}, lines = {lines}, amount_minor = {amount}, bonuses = {bonuses} \
                 WHERE program_id = {program} AND order_id = {order}"
            ));
            expected += 1;
        }
        None => {}
    }

    for (of_member, key, delta) in &rows.counters {
        let owner = if *of_member { member.clone() } else { "0".to_owned() };
        let (key, delta) = (s.text(*key), s.int(*delta));
        s.parts.push(format!(
            "INSERT INTO counters (program_id, member_id, key, value) VALUES ({program}, {owner}, {key}, {delta}) \
             ON CONFLICT (program_id, member_id, key) DO UPDATE SET value = value + excluded.value"
        ));
        expected += 1;
    }

    for (issued, instance) in &rows.rewards {
        if *issued {
            let values = s.instance(instance);
            s.parts.push(format!(
                "INSERT INTO reward_instances ({INSTANCE_COLUMNS}) VALUES ({program}, {member}, {NEW_EVENT}, {values})"
            ));
        } else {
            let update = s.instance_update(&program, instance);
            s.parts.push(update);
        }
        expected += 1;
    }
    for (open, hold, reward, draws) in &rows.holds {
        if *open {
            let values = s.hold(hold, reward, draws);
            s.parts.push(format!(
                "INSERT INTO holds ({HOLD_COLUMNS}) VALUES ({program}, {member}, {NEW_EVENT}, {values})"
            ));
        } else {
            let update = s.hold_update(&program, hold);
            s.parts.push(update);
        }
        expected += 1;
    }
    for (lot, amount) in &rows.restored {
        let (amount, lot) = (s.int(*amount), s.int(lot.0));
        s.parts.push(format!(
            "UPDATE lots SET remaining = remaining + {amount} WHERE id = {lot} AND member_id = {member} \
             AND remaining + {amount} <= amount"
        ));
        expected += 1;
    }

    if let Some((credit, rows_of_entry)) = &rows.credit {
        let referrer = s.int(credit.member.0);
        let (available, pending, review, debt) = (
            s.int(credit.balance.available.get()),
            s.int(credit.balance.pending.get()),
            s.int(credit.balance.pending_review.get()),
            s.int(credit.debt.get()),
        );
        s.parts.push(format!(
            "UPDATE members SET available = {available}, pending = {pending}, pending_review = {review}, debt = {debt} \
             WHERE id = {referrer}"
        ));
        expected += 1 + entry(&mut s, &program, &referrer, rows, &memo, rows_of_entry);
        lot(&mut s, &program, &referrer, &credit.lot);
        expected += 1;
        for counter in &credit.counters {
            let key = s.text(counter.key.as_str());
            s.parts.push(format!(
                "INSERT INTO counters (program_id, member_id, key, value) VALUES ({program}, {referrer}, {key}, 1) \
                 ON CONFLICT (program_id, member_id, key) DO UPDATE SET value = value + 1"
            ));
            expected += 1;
        }
    }

    for change in &rows.scores {
        let (board, delta, shown) =
            (s.text(change.board.as_str()), s.int(change.delta), s.int(i64::from(rows.visibility.shown)));
        let values: Vec<String> = change
            .keys
            .iter()
            .map(|key| format!("({program}, {board}, {}, {member}, {delta}, {shown})", s.text(key.as_str())))
            .collect();
        s.parts.push(format!(
            "INSERT INTO leaderboard_scores (program_id, board, period_key, member_id, score, shown) \
             VALUES {} ON CONFLICT (program_id, board, period_key, member_id) \
             DO UPDATE SET score = score + excluded.score, shown = excluded.shown",
            values.join(", ")
        ));
        expected += change.keys.len() as u64;
    }

    if let Some(response) = &rows.survey {
        let values = s.survey(response);
        s.parts.push(format!(
            "INSERT INTO survey_responses ({SURVEY_COLUMNS}) VALUES ({program}, {member}, {NEW_EVENT}, {values})"
        ));
        expected += 1;
    }

    for (topic, from, to, reason) in &rows.history {
        let (topic, from, to, reason) = (
            s.text(*topic),
            s.arg(Arg::OptText(from.map(str::to_owned))),
            s.arg(Arg::OptText(to.map(str::to_owned))),
            s.text(*reason),
        );
        s.parts.push(format!(
            "INSERT INTO member_history (program_id, member_id, event_id, topic, from_value, to_value, reason, occurred_at_us) \
             VALUES ({program}, {member}, {NEW_EVENT}, {topic}, {from}, {to}, {reason}, {occurred})"
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
    // How many lots an extension moves is not known ahead, so it is not counted above.
    if let Some(until) = rows.extended {
        let member_id = rows.updated.as_ref().map(|(id, _)| *id);
        sqlx::query(
            "UPDATE lots SET expires_at_us = $1 \
             WHERE member_id = $2 AND remaining > 0 AND expires_at_us IS NOT NULL AND expires_at_us < $1",
        )
        .bind(until)
        .bind(member_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
