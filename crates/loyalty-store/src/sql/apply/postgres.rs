//! Writing a decision's rows in one statement (PostgreSQL): a chain of data-modifying
//! `WITH` clauses, each taking the ids it needs from the ones before. One round trip
//! instead of one per row; the shape depends only on how many rows of each kind there
//! are, so the server keeps a prepared plan per shape.

use super::{
    Arg, EntryRows, HOLD_COLUMNS, INSTANCE_COLUMNS, NEW_MEMBER_COLUMNS, Rows, SURVEY_COLUMNS, Statement,
    VOID_SET, draw_set, lot_cannot_give,
};
use crate::StoreError;
use crate::sql::rows::{int, opt_int};
use loyalty_core::decision::OrderChange;
use loyalty_core::ids::LotId;
use loyalty_core::lots::NewLot;
use sqlx::{Any, Transaction};

impl Statement {
    fn clause(&mut self, name: &str, body: String) {
        self.parts.push(format!("{name} AS ({body})"));
    }

    /// The journal entries of `owner` (an SQL expression) with their postings, as clauses
    /// named after `name`: each kind of row in one statement, so that the entries' ids
    /// follow their order (the clauses of one statement run in no set order).
    fn entries(
        &mut self,
        name: &str,
        program: &str,
        owner: &str,
        times: (&str, &str),
        memo: &str,
        entries: &[EntryRows],
    ) {
        if entries.is_empty() {
            return;
        }
        let (occurred, now) = times;
        let kinds: Vec<String> = entries
            .iter()
            .enumerate()
            .map(|(n, (kind, _))| format!("({}, {})", self.int(n as i64), self.text(*kind)))
            .collect();
        self.clause(
            name,
            format!(
                "INSERT INTO journal_entries (program_id, event_id, member_id, kind, memo, occurred_at_us, recorded_at_us) \
                 SELECT {program}, ev.id, {owner}, v.kind, {memo}, {occurred}, {now} \
                 FROM ev, (VALUES {}) AS v (n, kind) ORDER BY v.n RETURNING id",
                kinds.join(", ")
            ),
        );
        self.clause(
            &format!("{name}n"),
            format!("SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM {name}"),
        );
        let mut values = Vec::new();
        for (n, (_, postings)) in entries.iter().enumerate() {
            for (k, (of_member, account, amount)) in postings.iter().enumerate() {
                values.push(format!(
                    "({}, {}, {}, {}, {})",
                    self.int(n as i64),
                    self.int(k as i64),
                    self.int(i64::from(*of_member)),
                    self.text(*account),
                    self.int(*amount)
                ));
            }
        }
        self.clause(
            &format!("{name}p"),
            format!(
                "INSERT INTO postings (entry_id, program_id, member_id, holder_id, recorded_at_us, account, amount) \
                 SELECT {name}n.id, {program}, CASE WHEN v.mine = 1 THEN {owner} END, {owner}, {now}, v.account, \
                 v.amount \
                 FROM {name}n JOIN (VALUES {}) AS v (n, k, mine, account, amount) ON v.n = {name}n.n \
                 ORDER BY v.n, v.k",
                values.join(", ")
            ),
        );
    }

    /// New lots of `owner`, in one statement so that their ids follow their order (the
    /// clauses of one statement run in no set order).
    fn lots(&mut self, name: &str, program: &str, owner: &str, lots: &[&NewLot]) {
        if lots.is_empty() {
            return;
        }
        let values: Vec<String> = lots
            .iter()
            .enumerate()
            .map(|(n, lot)| {
                let row = [
                    self.int(n as i64),
                    self.arg(Arg::OptText(lot.order_id.as_ref().map(|o| o.as_str().to_owned()))),
                    self.int(lot.amount.get()),
                    self.int(lot.remaining.get()),
                    self.int(lot.earned_at.as_micros()),
                    self.arg(Arg::OptInt(lot.expires_at.map(|t| t.as_micros()))),
                    self.text(lot.source.as_str()),
                    self.int(i64::from(lot.in_review)),
                    self.arg(Arg::OptInt(lot.pending_until.map(|t| t.as_micros()))),
                ];
                format!("({})", row.join(", "))
            })
            .collect();
        self.clause(
            name,
            format!(
                "INSERT INTO lots (program_id, member_id, event_id, order_id, amount, remaining, earned_at_us, \
                 expires_at_us, source, in_review, pending_until_us) \
                 SELECT {program}, {owner}, ev.id, v.o, v.a, v.r, v.e, v.x, v.s, v.i, v.p \
                 FROM ev, (VALUES {}) AS v (n, o, a, r, e, x, s, i, p) ORDER BY v.n",
                values.join(", ")
            ),
        );
    }
}

pub(super) async fn write(tx: &mut Transaction<'static, Any>, rows: &Rows<'_>) -> Result<(), StoreError> {
    let mut s = Statement::default();
    let program = s.int(rows.program_id);
    let occurred = s.int(rows.occurred_at);
    let now = s.int(rows.now);

    // `m` holds the member's id, whether enrolled now or updated.
    match (&rows.enrolled, &rows.updated) {
        (Some((new, profile, standing)), _) => {
            let values = s.new_member(&program, new, profile, standing.as_ref());
            s.clause(
                "m",
                format!("INSERT INTO members ({NEW_MEMBER_COLUMNS}) VALUES ({values}, 0) RETURNING id"),
            );
        }
        (None, Some((id, row))) => {
            let (set, id) = (s.member_update(row), s.int(*id));
            s.clause("m", format!("UPDATE members SET {set} WHERE id = {id} RETURNING id"));
        }
        (None, None) => return Err(StoreError::corrupt("a decision neither enrols nor updates a member")),
    }
    let member = "(SELECT id FROM m)";

    let segment = s.arg(Arg::OptText(rows.segment.map(str::to_owned)));
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
             result, occurred_at_us, recorded_at_us, segment) \
             SELECT {program}, {version}, m.id, {kind}, {key}, {fingerprint}, {payload}, {result}, {occurred}, {now}, \
             {segment} FROM m RETURNING id"
        ),
    );

    let memo = s.arg(Arg::OptText(rows.memo.clone()));
    s.entries("e", &program, member, (&occurred, &now), &memo, &rows.entries);
    s.lots("l", &program, member, &rows.opened);
    // Each changed lot is counted, to check that every one could be changed.
    let mut changed = Vec::new();
    for (i, (lot, drawn)) in rows.released.iter().enumerate() {
        let (id, drawn) = (s.int(lot.0), s.int(*drawn));
        s.clause(
            &format!("r{i}"),
            format!(
                "UPDATE lots SET in_review = 0, pending_until_us = NULL, remaining = remaining - {drawn} \
                 WHERE id = {id} AND member_id = {member} AND (in_review = 1 OR pending_until_us IS NOT NULL) \
                 AND remaining >= {drawn} RETURNING 1"
            ),
        );
        changed.push(format!("r{i}"));
    }
    for (i, lot) in rows.voided.iter().enumerate() {
        let id = s.int(lot.0);
        s.clause(
            &format!("v{i}"),
            format!(
                "UPDATE lots SET {VOID_SET} \
                 WHERE id = {id} AND member_id = {member} AND in_review = 1 RETURNING 1"
            ),
        );
        changed.push(format!("v{i}"));
    }
    for (i, (lot, amount)) in rows.draws.iter().enumerate() {
        let (amount, lot) = (s.int(*amount), s.int(lot.0));
        let set = draw_set(rows.drawn_as, &amount);
        s.clause(
            &format!("d{i}"),
            format!(
                "UPDATE lots SET {set} \
                 WHERE id = {lot} AND member_id = {member} AND remaining >= {amount} RETURNING 1"
            ),
        );
        changed.push(format!("d{i}"));
    }

    // How many lots an extension moves is not known ahead, so it is not counted. It never
    // meets another change to the same lots: only earnings extend, and they draw on none.
    if let Some(until) = rows.extended {
        let until = s.int(until);
        s.clause(
            "x",
            format!(
                "UPDATE lots SET expires_at_us = {until} WHERE member_id = {member} AND remaining > 0 \
                 AND expires_at_us IS NOT NULL AND expires_at_us < {until} RETURNING 1"
            ),
        );
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
            s.clause(
                "o",
                format!(
                    "INSERT INTO orders (program_id, order_id, member_id, event_id, awarded, lines, amount_minor, \
                     occurred_at_us, bonuses) SELECT {program}, {order}, m.id, ev.id, {awarded}, {lines}, {amount}, {occurred}, \
                     {bonuses} FROM ev, m"
                ),
            );
        }
        Some((OrderChange::Update { order_id, awarded, amount_minor, .. }, lines, bonuses)) => {
            let (order, awarded, amount, lines, bonuses) = (
                s.text(order_id.as_str()),
                s.int(awarded.get()),
                s.int(*amount_minor),
                s.text(lines.as_str()),
                s.text(bonuses.as_str()),
            );
            s.clause(
                "o",
                format!(
                    "UPDATE orders SET awarded = {awarded}, lines = {lines}, amount_minor = {amount}, bonuses = {bonuses} \
                     WHERE program_id = {program} AND order_id = {order}"
                ),
            );
        }
        None => {}
    }

    for (i, (of_member, key, delta)) in rows.counters.iter().enumerate() {
        let owner = if *of_member { "m.id" } else { "0" };
        let (key, delta) = (s.text(*key), s.int(*delta));
        s.clause(
            &format!("k{i}"),
            format!(
                "INSERT INTO counters (program_id, member_id, key, value) SELECT {program}, {owner}, {key}, {delta} FROM m \
                 ON CONFLICT (program_id, member_id, key) DO UPDATE SET value = counters.value + EXCLUDED.value"
            ),
        );
    }

    for (i, change) in rows.scores.iter().enumerate() {
        let (board, delta, shown) =
            (s.text(change.board.as_str()), s.int(change.delta), s.int(i64::from(rows.visibility.shown)));
        let keys: Vec<String> = change.keys.iter().map(|key| format!("({})", s.text(key.as_str()))).collect();
        s.clause(
            &format!("lb{i}"),
            format!(
                "INSERT INTO leaderboard_scores (program_id, board, period_key, member_id, score, shown) \
                 SELECT {program}, {board}, k.key, m.id, {delta}, {shown} FROM m, (VALUES {}) AS k (key) \
                 ON CONFLICT (program_id, board, period_key, member_id) \
                 DO UPDATE SET score = leaderboard_scores.score + EXCLUDED.score, shown = EXCLUDED.shown",
                keys.join(", ")
            ),
        );
    }

    for (i, (issued, instance)) in rows.rewards.iter().enumerate() {
        let name = format!("rw{i}");
        if *issued {
            let values = s.instance(instance);
            s.clause(
                &name,
                format!("INSERT INTO reward_instances ({INSTANCE_COLUMNS}) SELECT {program}, m.id, ev.id, {values} FROM ev, m"),
            );
        } else {
            let update = s.instance_update(&program, instance);
            s.clause(&name, format!("{update} RETURNING 1"));
            changed.push(name);
        }
    }
    for (i, (open, hold, reward, draws)) in rows.holds.iter().enumerate() {
        let name = format!("hd{i}");
        if *open {
            let values = s.hold(hold, reward, draws);
            s.clause(
                &name,
                format!(
                    "INSERT INTO holds ({HOLD_COLUMNS}) SELECT {program}, m.id, ev.id, {values} FROM ev, m"
                ),
            );
        } else {
            let update = s.hold_update(&program, hold);
            s.clause(&name, format!("{update} RETURNING 1"));
            changed.push(name);
        }
    }
    for (i, (lot, amount)) in rows.restored.iter().enumerate() {
        let (amount, lot) = (s.int(*amount), s.int(lot.0));
        s.clause(
            &format!("rs{i}"),
            format!(
                "UPDATE lots SET remaining = remaining + {amount} WHERE id = {lot} AND member_id = {member} \
                 AND remaining + {amount} <= amount RETURNING 1"
            ),
        );
        changed.push(format!("rs{i}"));
    }

    if let Some((credit, entry)) = &rows.credit {
        let referrer = s.int(credit.member.0);
        let (available, pending, review, debt) = (
            s.int(credit.balance.available.get()),
            s.int(credit.balance.pending.get()),
            s.int(credit.balance.pending_review.get()),
            s.int(credit.debt.get()),
        );
        s.clause(
            "cm",
            format!(
                "UPDATE members SET available = {available}, pending = {pending}, pending_review = {review}, debt = {debt} \
                 WHERE id = {referrer} RETURNING 1"
            ),
        );
        changed.push("cm".to_owned());
        s.entries("ce", &program, &referrer, (&occurred, &now), &memo, std::slice::from_ref(entry));
        s.lots("cl", &program, &referrer, &[&credit.lot]);
        for (i, counter) in credit.counters.iter().enumerate() {
            let key = s.text(counter.key.as_str());
            s.clause(
                &format!("ck{i}"),
                format!(
                    "INSERT INTO counters (program_id, member_id, key, value) VALUES ({program}, {referrer}, {key}, 1) \
                     ON CONFLICT (program_id, member_id, key) DO UPDATE SET value = counters.value + 1"
                ),
            );
        }
    }

    if let Some(response) = &rows.survey {
        let values = s.survey(response);
        s.clause(
            "sv",
            format!("INSERT INTO survey_responses ({SURVEY_COLUMNS}) SELECT {program}, m.id, ev.id, {values} FROM ev, m"),
        );
    }

    if !rows.history.is_empty() {
        // One statement, so that the lines' ids follow their order.
        let values: Vec<String> = rows
            .history
            .iter()
            .enumerate()
            .map(|(n, (topic, from, to, reason))| {
                let row = [
                    s.int(n as i64),
                    s.text(*topic),
                    s.arg(Arg::OptText(from.map(str::to_owned))),
                    s.arg(Arg::OptText(to.map(str::to_owned))),
                    s.text(*reason),
                ];
                format!("({})", row.join(", "))
            })
            .collect();
        s.clause(
            "h",
            format!(
                "INSERT INTO member_history (program_id, member_id, event_id, topic, from_value, to_value, reason, \
                 occurred_at_us) SELECT {program}, m.id, ev.id, v.t, v.f, v.o, v.r, {occurred} \
                 FROM ev, m, (VALUES {}) AS v (n, t, f, o, r) ORDER BY v.n",
                values.join(", ")
            ),
        );
    }

    let counted: Vec<String> = changed.iter().map(|name| format!("(SELECT COUNT(*) FROM {name})")).collect();
    let counted = if counted.is_empty() { "0".to_owned() } else { counted.join(" + ") };
    let sql = format!(
        "WITH {} SELECT (SELECT id FROM ev) AS event_id, CAST({counted} AS BIGINT) AS changed",
        s.parts.join(", ")
    );
    let row = s.query(sql).fetch_one(&mut **tx).await?;
    if opt_int(&row, "event_id")?.is_none() {
        return Err(StoreError::corrupt("the member to update does not exist"));
    }
    if int(&row, "changed")? != changed.len() as i64 {
        let (lot, amount) = rows.draws.first().copied().unwrap_or((LotId(0), 0));
        return Err(lot_cannot_give(lot, amount));
    }
    Ok(())
}
