//! How long finance's reports take on a large journal: the program's ledger is grown with
//! synthetic entries (each a purchase's two postings, one in ten a redemption's), written
//! by plain SQL in bulk, then each report is made and timed.

use loyalty_core::Timestamp;
use loyalty_server::reports::{self, Period};
use loyalty_store::{LoadedProgram, SqlStore};
use sqlx::{AssertSqlSafe, Executor};
use std::time::Instant;

const DAY_MICROS: i64 = 86_400_000_000;

/// Adds `entries` journal entries (two postings each) over the last 365 days to the
/// program's members, then prints how long each report takes over the whole journal.
pub async fn measure(
    store: &SqlStore,
    program: &LoadedProgram,
    entries: usize,
    now: Timestamp,
) -> Result<(), String> {
    let mut tx = store.begin_raw_write().await.map_err(|e| e.to_string())?;
    let id = program.id.0;
    let start = now.as_micros() - 365 * DAY_MICROS;
    let step = (365 * DAY_MICROS) / i64::try_from(entries.max(1)).unwrap_or(i64::MAX);
    let began = Instant::now();
    let fill = format!(
        "WITH RECURSIVE n (i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < {entries}), \
           m AS (SELECT MIN(id) AS low, COUNT(*) AS many FROM members WHERE program_id = {id}) \
         INSERT INTO journal_entries (program_id, event_id, member_id, kind, memo, occurred_at_us, recorded_at_us) \
         SELECT {id}, 0, m.low + (n.i % m.many), CASE WHEN n.i % 10 = 0 THEN 'redemption' ELSE 'purchase' END, \
           'synthetic', {start} + n.i * {step}, {start} + n.i * {step} FROM n, m"
    );
    tx.execute(AssertSqlSafe(fill)).await.map_err(|e| e.to_string())?;
    for (side, amount) in [
        ("e.member_id", "CASE WHEN e.kind = 'redemption' THEN -50 ELSE 120 END"),
        ("NULL", "CASE WHEN e.kind = 'redemption' THEN 50 ELSE -120 END"),
    ] {
        let account = if side == "NULL" {
            "CASE WHEN e.kind = 'redemption' THEN 'program:redeemed' ELSE 'program:issued' END"
        } else {
            "'member:available'"
        };
        let sql = format!(
            "INSERT INTO postings (entry_id, program_id, member_id, holder_id, recorded_at_us, account, amount) \
             SELECT e.id, {id}, {side}, e.member_id, e.recorded_at_us, {account}, {amount} FROM journal_entries e \
             WHERE e.program_id = {id} AND e.memo = 'synthetic'"
        );
        tx.execute(AssertSqlSafe(sql)).await.map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    store.settle_bulk_load().await.map_err(|e| e.to_string())?;
    eprintln!("added {entries} journal entries in {:.1} s", began.elapsed().as_secs_f64());

    let today = program.program.calendar().local(now).date();
    let month = Period::parse(None, None, today)?;
    let a_year_ago = format!("{}-{:02}-01", today.year() - 1, today.month());
    let year = Period::parse(Some(&a_year_ago), None, today)?;
    println!("| report over {} journal entries | time |", super::measure::thousands(entries as f64));
    println!("|---|---:|");
    let timed = |label: &str, began: Instant| {
        println!("| {label} | {:.0} ms |", began.elapsed().as_secs_f64() * 1000.0)
    };
    let t = Instant::now();
    reports::liability(store, program, month).await.map_err(|e| e.to_string())?;
    timed("liability roll-forward, this month", t);
    let t = Instant::now();
    reports::liability(store, program, year).await.map_err(|e| e.to_string())?;
    timed("liability roll-forward, the last year", t);
    let t = Instant::now();
    reports::kpis(store, program, month).await.map_err(|e| e.to_string())?;
    timed("KPIs, this month", t);
    let t = Instant::now();
    reports::breakage(store, program, Period::year_to(now, today), now).await.map_err(|e| e.to_string())?;
    timed("breakage", t);
    println!();
    Ok(())
}
