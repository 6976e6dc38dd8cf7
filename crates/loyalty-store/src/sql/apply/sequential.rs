//! Writing a decision: the event, the member's projections, journal entries and postings,
//! lots, the order and any issued reward. Called inside the command's transaction.

use super::rows::{int, to_json};
use crate::StoreError;
use crate::types::{Command, LoadedProgram};
use loyalty_core::Outcome;
use loyalty_core::decision::{Decision, MemberChange, OrderChange};
use loyalty_core::ids::MemberId;
use loyalty_core::ledger::EntryDraft;
use loyalty_core::lots::LotChange;
use sqlx::{Any, AssertSqlSafe, Transaction};

pub(super) async fn write(
    tx: &mut Transaction<'static, Any>,
    program: &LoadedProgram,
    command: &Command,
    decision: &Decision,
    outcome: &Outcome,
) -> Result<(), StoreError> {
    let program_id = program.id.0;
    let event = &command.event;
    let now = command.now.as_micros();
    let occurred_at = event.occurred_at().as_micros();

    let member = match &decision.member {
        MemberChange::Enrol(new) => {
            let row = sqlx::query(
                "INSERT INTO members (program_id, external_id, email, name, status, available, pending, debt, enrolled_at_us) \
                 VALUES ($1, $2, $3, $4, $5, 0, 0, 0, $6) RETURNING id",
            )
            .bind(program_id)
            .bind(new.external_id.as_str())
            .bind(new.email.as_ref().map(|e| e.as_str().to_owned()))
            .bind(new.name.as_ref().map(|n| n.as_str().to_owned()))
            .bind(new.status.as_str())
            .bind(new.enrolled_at.as_micros())
            .fetch_one(&mut **tx)
            .await?;
            MemberId(int(&row, "id")?)
        }
        MemberChange::Balance { member, balance, debt } => {
            sqlx::query("UPDATE members SET available = $1, pending = $2, debt = $3 WHERE id = $4")
                .bind(balance.available.get())
                .bind(balance.pending.get())
                .bind(debt.get())
                .bind(member.0)
                .execute(&mut **tx)
                .await?;
            *member
        }
    };

    let row = sqlx::query(
        "INSERT INTO events (program_id, program_version, member_id, kind, idempotency_key, fingerprint, \
         payload, result, occurred_at_us, recorded_at_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(program_id)
    .bind(program.version)
    .bind(member.0)
    .bind(event.kind().as_str())
    .bind(command.idempotency_key.as_ref().map(|k| k.as_str().to_owned()))
    .bind(&command.fingerprint)
    .bind(to_json(event)?)
    .bind(to_json(outcome)?)
    .bind(occurred_at)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let event_id = int(&row, "id")?;

    for entry in &decision.entries {
        let row = sqlx::query(
            "INSERT INTO journal_entries (program_id, event_id, member_id, kind, memo, occurred_at_us, recorded_at_us) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(program_id)
        .bind(event_id)
        .bind(member.0)
        .bind(entry.kind().as_str())
        .bind(event.reference().map(str::to_owned))
        .bind(occurred_at)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        insert_postings(tx, program_id, int(&row, "id")?, member, entry).await?;
    }

    for change in &decision.lots {
        match change {
            LotChange::Open(lot) => {
                sqlx::query(
                    "INSERT INTO lots (program_id, member_id, event_id, order_id, amount, remaining, earned_at_us, expires_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(program_id)
                .bind(member.0)
                .bind(event_id)
                .bind(lot.order_id.as_ref().map(|o| o.as_str().to_owned()))
                .bind(lot.amount.get())
                .bind(lot.remaining.get())
                .bind(lot.earned_at.as_micros())
                .bind(lot.expires_at.map(|t| t.as_micros()))
                .execute(&mut **tx)
                .await?;
            }
            LotChange::Draw { lot, amount } => {
                let done = sqlx::query(
                    "UPDATE lots SET remaining = remaining - $1 WHERE id = $2 AND member_id = $3 AND remaining >= $1",
                )
                .bind(amount.get())
                .bind(lot.0)
                .bind(member.0)
                .execute(&mut **tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::corrupt(format!("lot {} cannot give {amount} points", lot.0)));
                }
            }
        }
    }

    match &decision.order {
        Some(OrderChange::Record { order_id, awarded, lines }) => {
            sqlx::query(
                "INSERT INTO orders (program_id, order_id, member_id, event_id, awarded, lines) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(program_id)
            .bind(order_id.as_str())
            .bind(member.0)
            .bind(event_id)
            .bind(awarded.get())
            .bind(to_json(lines)?)
            .execute(&mut **tx)
            .await?;
        }
        Some(OrderChange::Update { order_id, awarded, lines }) => {
            sqlx::query("UPDATE orders SET awarded = $1, lines = $2 WHERE program_id = $3 AND order_id = $4")
                .bind(awarded.get())
                .bind(to_json(lines)?)
                .bind(program_id)
                .bind(order_id.as_str())
                .execute(&mut **tx)
                .await?;
        }
        None => {}
    }

    if let Some(reward) = &decision.reward {
        sqlx::query(
            "INSERT INTO reward_instances (program_id, member_id, event_id, reward, code, state, points, issued_at_us) \
             VALUES ($1, $2, $3, $4, $5, 'issued', $6, $7)",
        )
        .bind(program_id)
        .bind(member.0)
        .bind(event_id)
        .bind(reward.reward.as_str())
        .bind(reward.code.as_str())
        .bind(reward.points.get())
        .bind(occurred_at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// All postings of an entry in one statement: one round trip instead of one per posting.
async fn insert_postings(
    tx: &mut Transaction<'static, Any>,
    program_id: i64,
    entry_id: i64,
    member: MemberId,
    entry: &EntryDraft,
) -> Result<(), StoreError> {
    let postings = entry.postings();
    let mut sql =
        String::from("INSERT INTO postings (entry_id, program_id, member_id, account, amount) VALUES ");
    for i in 0..postings.len() {
        let n = i * 5;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("(${}, ${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4, n + 5));
    }
    // Built only from placeholders; every value is bound.
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for posting in postings {
        let owner = posting.account.is_member().then_some(member.0);
        query = query
            .bind(entry_id)
            .bind(program_id)
            .bind(owner)
            .bind(posting.account.name())
            .bind(posting.amount.get());
    }
    query.execute(&mut **tx).await?;
    Ok(())
}
