//! Writing a decision's rows one statement at a time (SQLite).

use super::{Rows, lot_cannot_give};
use crate::StoreError;
use crate::sql::rows::int;
use loyalty_core::decision::{MemberChange, OrderChange};
use loyalty_core::ids::MemberId;
use sqlx::{Any, AssertSqlSafe, Transaction};

pub(super) async fn write(tx: &mut Transaction<'static, Any>, rows: &Rows<'_>) -> Result<(), StoreError> {
    let member = match rows.member {
        MemberChange::Enrol(new) => {
            let row = sqlx::query(
                "INSERT INTO members (program_id, external_id, email, name, status, available, pending, debt, enrolled_at_us) \
                 VALUES ($1, $2, $3, $4, $5, 0, 0, 0, $6) RETURNING id",
            )
            .bind(rows.program_id)
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
    .bind(rows.program_id)
    .bind(rows.program_version)
    .bind(member.0)
    .bind(rows.kind)
    .bind(rows.idempotency_key.clone())
    .bind(rows.fingerprint)
    .bind(rows.payload.as_str())
    .bind(rows.result.as_str())
    .bind(rows.occurred_at)
    .bind(rows.now)
    .fetch_one(&mut **tx)
    .await?;
    let event_id = int(&row, "id")?;

    for (kind, postings) in &rows.entries {
        let row = sqlx::query(
            "INSERT INTO journal_entries (program_id, event_id, member_id, kind, memo, occurred_at_us, recorded_at_us) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(rows.program_id)
        .bind(event_id)
        .bind(member.0)
        .bind(*kind)
        .bind(rows.memo.clone())
        .bind(rows.occurred_at)
        .bind(rows.now)
        .fetch_one(&mut **tx)
        .await?;
        let entry_id = int(&row, "id")?;
        let placeholders: Vec<String> = (0..postings.len())
            .map(|i| {
                format!("(${}, ${}, ${}, ${}, ${})", i * 5 + 1, i * 5 + 2, i * 5 + 3, i * 5 + 4, i * 5 + 5)
            })
            .collect();
        let sql = format!(
            "INSERT INTO postings (entry_id, program_id, member_id, account, amount) VALUES {}",
            placeholders.join(", ")
        );
        // Built only from placeholders; every value is bound.
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (of_member, account, amount) in postings {
            query = query
                .bind(entry_id)
                .bind(rows.program_id)
                .bind(of_member.then_some(member.0))
                .bind(*account)
                .bind(*amount);
        }
        query.execute(&mut **tx).await?;
    }

    for lot in &rows.opened {
        sqlx::query(
            "INSERT INTO lots (program_id, member_id, event_id, order_id, amount, remaining, earned_at_us, expires_at_us) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(rows.program_id)
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
    for (lot, amount) in &rows.draws {
        let done = sqlx::query(
            "UPDATE lots SET remaining = remaining - $1 WHERE id = $2 AND member_id = $3 AND remaining >= $1",
        )
        .bind(*amount)
        .bind(lot.0)
        .bind(member.0)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(lot_cannot_give(*lot, *amount));
        }
    }

    match &rows.order {
        Some((OrderChange::Record { order_id, awarded, .. }, lines)) => {
            sqlx::query(
                "INSERT INTO orders (program_id, order_id, member_id, event_id, awarded, lines) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(rows.program_id)
            .bind(order_id.as_str())
            .bind(member.0)
            .bind(event_id)
            .bind(awarded.get())
            .bind(lines.as_str())
            .execute(&mut **tx)
            .await?;
        }
        Some((OrderChange::Update { order_id, awarded, .. }, lines)) => {
            sqlx::query("UPDATE orders SET awarded = $1, lines = $2 WHERE program_id = $3 AND order_id = $4")
                .bind(awarded.get())
                .bind(lines.as_str())
                .bind(rows.program_id)
                .bind(order_id.as_str())
                .execute(&mut **tx)
                .await?;
        }
        None => {}
    }

    if let Some((reward, code, points)) = rows.reward {
        sqlx::query(
            "INSERT INTO reward_instances (program_id, member_id, event_id, reward, code, state, points, issued_at_us) \
             VALUES ($1, $2, $3, $4, $5, 'issued', $6, $7)",
        )
        .bind(rows.program_id)
        .bind(member.0)
        .bind(event_id)
        .bind(reward)
        .bind(code)
        .bind(points)
        .bind(rows.occurred_at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
