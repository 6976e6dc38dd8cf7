//! Writing a decision: the event, the member's projections, journal entries and postings,
//! lots, the order and any issued reward, inside the command's transaction. The rows are
//! worked out once, here, and written in one call to the database: a batch of statements
//! on SQLite, one statement of chained `WITH` clauses on PostgreSQL. Each call costs a
//! network round trip (PostgreSQL) or a hand-off to the connection's thread (SQLite),
//! which cost more than the writes themselves.

mod postgres;
mod sqlite;

use super::Dialect;
use super::rows::to_json;
use crate::StoreError;
use crate::types::{Command, LoadedProgram};
use crate::url::Backend;
use loyalty_core::Outcome;
use loyalty_core::decision::{Decision, MemberChange, NewMember, OrderChange};
use loyalty_core::ids::{LotId, MemberId};
use loyalty_core::lots::{LotChange, NewLot};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe, Transaction};

pub(super) async fn write(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    program: &LoadedProgram,
    command: &Command,
    decision: &Decision,
    outcome: &Outcome,
) -> Result<(), StoreError> {
    let rows = Rows::of(program, command, decision, outcome)?;
    match dialect.0 {
        Backend::Sqlite => sqlite::write(tx, &rows).await,
        Backend::Postgres => postgres::write(tx, &rows).await,
    }
}

/// A journal entry's kind and its postings as (belongs to the member, account, amount).
type EntryRows = (&'static str, Vec<(bool, &'static str, i64)>);

/// Every row one decision writes, as the values to bind.
struct Rows<'a> {
    program_id: i64,
    program_version: i64,
    member: &'a MemberChange,
    kind: &'static str,
    idempotency_key: Option<String>,
    fingerprint: &'a str,
    payload: String,
    result: String,
    occurred_at: i64,
    now: i64,
    memo: Option<String>,
    entries: Vec<EntryRows>,
    opened: Vec<&'a NewLot>,
    draws: Vec<(LotId, i64)>,
    order: Option<(&'a OrderChange, String)>,
    reward: Option<(&'a str, &'a str, i64)>,
}

impl<'a> Rows<'a> {
    fn of(
        program: &LoadedProgram,
        command: &'a Command,
        decision: &'a Decision,
        outcome: &Outcome,
    ) -> Result<Rows<'a>, StoreError> {
        let event = &command.event;
        let mut opened = Vec::new();
        let mut draws = Vec::new();
        for change in &decision.lots {
            match change {
                LotChange::Open(lot) => opened.push(lot),
                LotChange::Draw { lot, amount } => draws.push((*lot, amount.get())),
            }
        }
        let order = match &decision.order {
            Some(change @ (OrderChange::Record { lines, .. } | OrderChange::Update { lines, .. })) => {
                Some((change, to_json(lines)?))
            }
            None => None,
        };
        Ok(Rows {
            program_id: program.id.0,
            program_version: program.version,
            member: &decision.member,
            kind: event.kind().as_str(),
            idempotency_key: command.idempotency_key.as_ref().map(|k| k.as_str().to_owned()),
            fingerprint: &command.fingerprint,
            payload: to_json(event)?,
            result: to_json(outcome)?,
            occurred_at: event.occurred_at().as_micros(),
            now: command.now.as_micros(),
            memo: event.reference().map(str::to_owned),
            entries: decision
                .entries
                .iter()
                .map(|e| {
                    let postings = e
                        .postings()
                        .iter()
                        .map(|p| (p.account.is_member(), p.account.name(), p.amount.get()));
                    (e.kind().as_str(), postings.collect())
                })
                .collect(),
            opened,
            draws,
            order,
            reward: decision.reward.as_ref().map(|r| (r.reward.as_str(), r.code.as_str(), r.points.get())),
        })
    }

    /// The member being enrolled, if this decision enrols one.
    fn enrolled(&self) -> Option<&'a NewMember> {
        match self.member {
            MemberChange::Enrol(new) => Some(new),
            MemberChange::Balance { .. } => None,
        }
    }

    /// The existing member whose projections change.
    fn existing(&self) -> Option<MemberId> {
        match self.member {
            MemberChange::Enrol(_) => None,
            MemberChange::Balance { member, .. } => Some(*member),
        }
    }
}

fn lot_cannot_give(lot: LotId, amount: i64) -> StoreError {
    StoreError::corrupt(format!("lot {} cannot give {amount} points", lot.0))
}

/// A value to bind.
enum Arg {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
}

/// SQL being built from parts, with its arguments in placeholder order.
#[derive(Default)]
struct Statement {
    parts: Vec<String>,
    args: Vec<Arg>,
}

impl Statement {
    /// Adds an argument and gives its placeholder.
    fn arg(&mut self, value: Arg) -> String {
        self.args.push(value);
        format!("${}", self.args.len())
    }

    fn int(&mut self, value: i64) -> String {
        self.arg(Arg::Int(value))
    }

    fn text(&mut self, value: impl Into<String>) -> String {
        self.arg(Arg::Text(value.into()))
    }

    /// The query with every argument bound. `sql` is built only from placeholders and
    /// fixed text, never from values.
    fn query(self, sql: String) -> Query<'static, Any, AnyArguments> {
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for arg in self.args {
            query = match arg {
                Arg::Int(v) => query.bind(v),
                Arg::OptInt(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
                Arg::OptText(v) => query.bind(v),
            };
        }
        query
    }
}
