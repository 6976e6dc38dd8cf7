//! How long the analytics job takes to score a large program: members and their orders
//! (one to five each, over the last year) are written by plain SQL in bulk, then one run
//! of the job (read the purchase facts, score, write every member's segment) is timed.

use loyalty_core::Timestamp;
use loyalty_server::Versions;
use loyalty_server::analytics::run_analytics;
use loyalty_store::{LoadedProgram, SqlStore};
use sqlx::{AssertSqlSafe, Executor};
use std::time::Instant;

const DAY_MICROS: i64 = 86_400_000_000;

/// Adds `members` members with their orders to the program, then prints how long the
/// analytics job takes over them.
pub async fn measure(
    store: &SqlStore,
    program: LoadedProgram,
    members: usize,
    now: Timestamp,
) -> Result<(), String> {
    let id = program.id.0;
    let now_us = now.as_micros();
    let began = Instant::now();
    let mut tx = store.begin_raw_write().await.map_err(|e| e.to_string())?;
    let fill_members = format!(
        "WITH RECURSIVE n (i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < {members}) \
         INSERT INTO members (program_id, external_id, status, available, pending, debt, enrolled_at_us) \
         SELECT {id}, 'a' || CAST(n.i AS TEXT), 'active', 0, 0, 0, {start} FROM n",
        start = now_us - 400 * DAY_MICROS
    );
    tx.execute(AssertSqlSafe(fill_members)).await.map_err(|e| e.to_string())?;
    // Member m has 1 + m % 5 orders, of amounts and days that vary with m and the order.
    let fill_orders = format!(
        "INSERT INTO orders (program_id, order_id, member_id, event_id, awarded, lines, amount_minor, occurred_at_us) \
         SELECT {id}, 'o' || CAST(m.id AS TEXT) || '-' || CAST(k.k AS TEXT), m.id, 0, 0, '[]', \
           500 + (m.id * 37 + k.k * 101) % 10000, {now_us} - ((m.id * 7 + k.k * 53) % 360) * {DAY_MICROS} - k.k \
         FROM members m, (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
           UNION ALL SELECT 5) k \
         WHERE m.program_id = {id} AND k.k <= 1 + m.id % 5"
    );
    tx.execute(AssertSqlSafe(fill_orders)).await.map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    store.settle_bulk_load().await.map_err(|e| e.to_string())?;
    eprintln!("added {members} members and their orders in {:.1} s", began.elapsed().as_secs_f64());

    let versions = Versions::new(vec![program]).ok_or("no program version")?;
    let t = Instant::now();
    let report = run_analytics(store, &versions, now).await.map_err(|e| e.to_string())?;
    println!("| analytics job | members scored | time |");
    println!("|---|---:|---:|");
    println!(
        "| read facts, score, write segments | {} | {:.1} s |",
        super::measure::thousands(report.scored as f64),
        t.elapsed().as_secs_f64()
    );
    println!();
    Ok(())
}
