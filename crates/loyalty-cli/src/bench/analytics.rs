//! How long the analytics job takes to score a large program: members and their orders
//! (one to five each, over the last year) are written by plain SQL in bulk, then the job
//! runs twice, each of its phases (read the purchase facts, score, write every member's
//! segment) timed.

use super::measure::thousands;
use loyalty_core::Timestamp;
use loyalty_core::insight::score_members;
use loyalty_server::Versions;
use loyalty_store::{LoadedProgram, SqlStore, Store};
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

    // The phases of `run_analytics`, each timed: the job is these three calls. The second
    // run replaces the first's million rows, as every daily run after the first does.
    let versions = Versions::new(vec![program]).ok_or("no program version")?;
    let def = *versions.at(now).program.analytics();
    let calendar = versions.at(now).program.calendar();
    let since = calendar.months_before(now, def.window_months).unwrap_or(Timestamp::from_micros(0));
    let mut runs = Vec::new();
    let mut scored_members = 0;
    for _ in 0..2 {
        let t = Instant::now();
        let facts = store.purchase_facts(versions.id(), since, now).await.map_err(|e| e.to_string())?;
        let read = t.elapsed();
        let t = Instant::now();
        let scores = score_members(&facts, now, &def);
        let scored = t.elapsed();
        let t = Instant::now();
        store.replace_segments(versions.id(), &scores, now).await.map_err(|e| e.to_string())?;
        runs.push([read, scored, t.elapsed(), read + scored + t.elapsed()]);
        scored_members = scores.len();
    }
    println!(
        "| analytics job, {} members scored | first run (empty table) | second run (replaces the first) |",
        thousands(scored_members as f64)
    );
    println!("|---|---:|---:|");
    let phases = [
        "read the purchase facts (one query)",
        "score (quintiles, segments, churn)",
        "write the scores (one transaction)",
        "the whole job",
    ];
    for (i, phase) in phases.iter().enumerate() {
        println!("| {phase} | {:.1} s | {:.1} s |", runs[0][i].as_secs_f64(), runs[1][i].as_secs_f64());
    }
    println!();
    Ok(())
}
