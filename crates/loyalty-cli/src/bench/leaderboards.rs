//! How long a leaderboard takes to read at scale: a program with one board of each
//! period kind gets `members` opted-in members with scores, written by plain SQL in bulk
//! (a score per member in the current period of each board, and for the rolling board
//! in the 29 windows after it too, as an event of today writes them), then each board's
//! top entries and one member's rank are read and timed through the store, as the routes
//! read them.

use super::measure::thousands;
use loyalty_core::Timestamp;
use loyalty_core::engage::leaderboard::{BoardMeasure, BoardPeriod, LeaderboardDef, Which};
use loyalty_core::ids::ExternalId;
use loyalty_store::{BoardQuery, LoadedProgram, SqlStore, Store};
use sqlx::{AssertSqlSafe, Executor};
use std::time::{Duration, Instant};

/// Reads timed per board.
const READS: usize = 200;

/// The boards the benchmark's program gets, one per period kind.
pub fn boards() -> Vec<LeaderboardDef> {
    [
        ("bench-week", BoardPeriod::Week),
        ("bench-month", BoardPeriod::Month),
        ("bench-year", BoardPeriod::CalendarYear),
        ("bench-30d", BoardPeriod::Days30),
    ]
    .into_iter()
    .map(|(code, period)| LeaderboardDef {
        code: code.to_owned(),
        name: code.to_owned(),
        measure: BoardMeasure::SpendMinor,
        period,
        size: 10,
        tiers: Vec::new(),
        tags: Vec::new(),
    })
    .collect()
}

fn percentile(sorted: &[Duration], p: usize) -> String {
    let i = (sorted.len() * p / 100).min(sorted.len().saturating_sub(1));
    sorted.get(i).map_or_else(|| "—".to_owned(), |d| format!("{:.2} ms", d.as_secs_f64() * 1000.0))
}

pub async fn measure(
    store: &SqlStore,
    program: &LoadedProgram,
    members: usize,
    now: Timestamp,
) -> Result<(), String> {
    let id = program.id.0;
    let calendar = program.program.calendar();
    let began = Instant::now();
    let mut tx = store.begin_raw_write().await.map_err(|e| e.to_string())?;
    let at = now.as_micros();
    tx.execute(AssertSqlSafe(format!(
        "WITH RECURSIVE n (i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < {members}) \
         INSERT INTO members (program_id, external_id, name, referral_code, status, available, pending, debt, \
           enrolled_at_us, last_activity_us, leaderboard_opt_in) \
         SELECT {id}, 'lb-' || CAST(n.i AS TEXT), 'Member ' || CAST(n.i AS TEXT) || ' Bench', \
           'LB' || CAST(n.i AS TEXT), 'active', 0, 0, 0, {at}, {at}, 1 FROM n"
    )))
    .await
    .map_err(|e| e.to_string())?;
    let mut rows = 0usize;
    for board in program.program.leaderboards() {
        for (k, key) in board.period.score_keys(calendar, now).into_iter().enumerate() {
            let sql = format!(
                "INSERT INTO leaderboard_scores (program_id, board, period_key, member_id, score, shown) \
                 SELECT {id}, '{}', '{}', m.id, 1 + (m.id * {}) % 100000, 1 FROM members m WHERE m.program_id = {id}",
                board.code,
                key,
                7919 + 2 * k
            );
            tx.execute(AssertSqlSafe(sql)).await.map_err(|e| e.to_string())?;
            rows += members;
        }
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    store.settle_bulk_load().await.map_err(|e| e.to_string())?;
    eprintln!(
        "added {members} opted-in members and {rows} score rows in {:.1} s",
        began.elapsed().as_secs_f64()
    );

    println!(
        "| leaderboard, {} opted-in members | rows read | top 10 p50 | top 10 p99 | a member's rank p50 | p99 |",
        thousands(members as f64)
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let middle = ExternalId::parse(format!("lb-{}", members / 2 + 1)).map_err(|e| e.to_string())?;
    for board in program.program.leaderboards() {
        let span = board.period.span(calendar, now, Which::Current).ok_or("a period outside the calendar")?;
        let query = BoardQuery {
            board: board.code.clone(),
            key: span.key.clone(),
            tiers: Vec::new(),
            tags: Vec::new(),
            limit: board.size,
        };
        let (mut tops, mut ranks) = (Vec::with_capacity(READS), Vec::with_capacity(READS));
        let mut shown = 0;
        for _ in 0..READS {
            let t = Instant::now();
            shown = store.leaderboard_top(program.id, &query).await.map_err(|e| e.to_string())?.len();
            tops.push(t.elapsed());
            let t = Instant::now();
            store.leaderboard_standing(program.id, &middle, &query).await.map_err(|e| e.to_string())?;
            ranks.push(t.elapsed());
        }
        tops.sort();
        ranks.sort();
        println!(
            "| {} | {shown} | {} | {} | {} | {} |",
            board.period.as_str(),
            percentile(&tops, 50),
            percentile(&tops, 99),
            percentile(&ranks, 50),
            percentile(&ranks, 99)
        );
    }
    println!();
    Ok(())
}
