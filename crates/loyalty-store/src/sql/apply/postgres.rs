//! Writing a decision's rows in one statement (PostgreSQL): a chain of data-modifying
//! `WITH` clauses, each taking the ids it needs from the ones before. One round trip
//! instead of one per row; the shape depends only on how many rows of each kind there
//! are, so the server keeps a prepared plan per shape.

impl Statement {
    fn clause(&mut self, name: &str, body: String) {
        self.parts.push(format!("{name} AS ({body})"));
    }
}

use super::{Arg, Rows, Statement, lot_cannot_give};
use crate::StoreError;
use crate::sql::rows::{int, opt_int};
use loyalty_core::decision::OrderChange;
use sqlx::{Any, Transaction};

pub(super) async fn write(tx: &mut Transaction<'static, Any>, rows: &Rows<'_>) -> Result<(), StoreError> {
    let mut s = Statement::default();
    let program = s.int(rows.program_id);
    let occurred = s.int(rows.occurred_at);
    let now = s.int(rows.now);

    // `m` holds the member's id, whether enrolled now or updated.
    if let Some(new) = rows.enrolled() {
        let (external_id, email, name, status, enrolled) = (
            s.text(new.external_id.as_str()),
            s.arg(Arg::OptText(new.email.as_ref().map(|e| e.as_str().to_owned()))),
            s.arg(Arg::OptText(new.name.as_ref().map(|n| n.as_str().to_owned()))),
            s.text(new.status.as_str()),
            s.int(new.enrolled_at.as_micros()),
        );
        s.clause(
            "m",
            format!(
                "INSERT INTO members (program_id, external_id, email, name, status, available, pending, debt, enrolled_at_us) \
                 VALUES ({program}, {external_id}, {email}, {name}, {status}, 0, 0, 0, {enrolled}) RETURNING id"
            ),
        );
    }
    if let (Some(member), loyalty_core::decision::MemberChange::Balance { balance, debt, .. }) =
        (rows.existing(), rows.member)
    {
        let (available, pending, debt, id) = (
            s.int(balance.available.get()),
            s.int(balance.pending.get()),
            s.int(debt.get()),
            s.int(member.0),
        );
        s.clause(
            "m",
            format!("UPDATE members SET available = {available}, pending = {pending}, debt = {debt} WHERE id = {id} RETURNING id"),
        );
    }

    let (version, kind, key, fingerprint, payload, result) = (
        s.int(rows.program_version),
        s.text(rows.kind),
        s.arg(Arg::OptText(rows.idempotency_key.clone())),
        s.text(rows.fingerprint),
        s.text(rows.payload.as_str()),
        s.text(rows.result.as_str()),
    );
    s.clause(
        "ev",
        format!(
            "INSERT INTO events (program_id, program_version, member_id, kind, idempotency_key, fingerprint, payload, \
             result, occurred_at_us, recorded_at_us) \
             SELECT {program}, {version}, m.id, {kind}, {key}, {fingerprint}, {payload}, {result}, {occurred}, {now} \
             FROM m RETURNING id"
        ),
    );

    let memo = s.arg(Arg::OptText(rows.memo.clone()));
    for (i, (kind, postings)) in rows.entries.iter().enumerate() {
        let kind = s.text(*kind);
        s.clause(
            &format!("e{i}"),
            format!(
                "INSERT INTO journal_entries (program_id, event_id, member_id, kind, memo, occurred_at_us, recorded_at_us) \
                 SELECT {program}, ev.id, m.id, {kind}, {memo}, {occurred}, {now} FROM ev, m RETURNING id"
            ),
        );
        let values: Vec<String> = postings
            .iter()
            .map(|(of_member, account, amount)| {
                format!("({}, {}, {})", s.int(i64::from(*of_member)), s.text(*account), s.int(*amount))
            })
            .collect();
        s.clause(
            &format!("p{i}"),
            format!(
                "INSERT INTO postings (entry_id, program_id, member_id, account, amount) \
                 SELECT e{i}.id, {program}, CASE WHEN v.mine = 1 THEN m.id END, v.account, v.amount \
                 FROM e{i}, m, (VALUES {}) AS v (mine, account, amount)",
                values.join(", ")
            ),
        );
    }

    for (i, lot) in rows.opened.iter().enumerate() {
        let (order, amount, remaining, earned, expires) = (
            s.arg(Arg::OptText(lot.order_id.as_ref().map(|o| o.as_str().to_owned()))),
            s.int(lot.amount.get()),
            s.int(lot.remaining.get()),
            s.int(lot.earned_at.as_micros()),
            s.arg(Arg::OptInt(lot.expires_at.map(|t| t.as_micros()))),
        );
        s.clause(
            &format!("l{i}"),
            format!(
                "INSERT INTO lots (program_id, member_id, event_id, order_id, amount, remaining, earned_at_us, expires_at_us) \
                 SELECT {program}, m.id, ev.id, {order}, {amount}, {remaining}, {earned}, {expires} FROM ev, m"
            ),
        );
    }
    for (i, (lot, amount)) in rows.draws.iter().enumerate() {
        let (amount, lot) = (s.int(*amount), s.int(lot.0));
        s.clause(
            &format!("d{i}"),
            format!(
                "UPDATE lots SET remaining = remaining - {amount} \
                 WHERE id = {lot} AND member_id = (SELECT id FROM m) AND remaining >= {amount} RETURNING 1"
            ),
        );
    }

    match &rows.order {
        Some((OrderChange::Record { order_id, awarded, .. }, lines)) => {
            let (order, awarded, lines) =
                (s.text(order_id.as_str()), s.int(awarded.get()), s.text(lines.as_str()));
            s.clause(
                "o",
                format!(
                    "INSERT INTO orders (program_id, order_id, member_id, event_id, awarded, lines) \
                     SELECT {program}, {order}, m.id, ev.id, {awarded}, {lines} FROM ev, m"
                ),
            );
        }
        Some((OrderChange::Update { order_id, awarded, .. }, lines)) => {
            let (order, awarded, lines) =
                (s.text(order_id.as_str()), s.int(awarded.get()), s.text(lines.as_str()));
            s.clause(
                "o",
                format!("UPDATE orders SET awarded = {awarded}, lines = {lines} WHERE program_id = {program} AND order_id = {order}"),
            );
        }
        None => {}
    }

    if let Some((reward, code, points)) = rows.reward {
        let (reward, code, points) = (s.text(reward), s.text(code), s.int(points));
        s.clause(
            "r",
            format!(
                "INSERT INTO reward_instances (program_id, member_id, event_id, reward, code, state, points, issued_at_us) \
                 SELECT {program}, m.id, ev.id, {reward}, {code}, 'issued', {points}, {occurred} FROM ev, m"
            ),
        );
    }

    let drawn: Vec<String> = (0..rows.draws.len()).map(|i| format!("(SELECT COUNT(*) FROM d{i})")).collect();
    let drawn = if drawn.is_empty() { "0".to_owned() } else { drawn.join(" + ") };
    let sql = format!(
        "WITH {} SELECT (SELECT id FROM ev) AS event_id, CAST({drawn} AS BIGINT) AS drawn",
        s.parts.join(", ")
    );
    let row = s.query(sql).fetch_one(&mut **tx).await?;
    if opt_int(&row, "event_id")?.is_none() {
        return Err(StoreError::corrupt("the member to update does not exist"));
    }
    let drawn = int(&row, "drawn")?;
    if drawn != rows.draws.len() as i64 {
        let (lot, amount) = rows.draws.first().copied().unwrap_or((loyalty_core::ids::LotId(0), 0));
        return Err(lot_cannot_give(lot, amount));
    }
    Ok(())
}
