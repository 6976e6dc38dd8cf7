//! `loyalty bench`: how fast the engine is, against the physical limit of its store.

mod analytics;
mod leaderboards;
mod measure;
mod phases;
mod reports;
mod search;
mod workload;

use crate::fail;
use clap::Args;
use loyalty_core::{Program, Timestamp};
use loyalty_server::{Clock, program_file};
use loyalty_store::{Backend, DatabaseUrl, LoadedProgram, SqlStore, Store};
use measure::{Timing, peak_rss_mib, thousands, with_cpu};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AssertSqlSafe, Executor};
use std::path::PathBuf;
use std::process::ExitCode;

/// The demo program, built in so the benchmark runs from anywhere.
const PROGRAM: &str = include_str!("../../../../examples/programs/coffee.toml");
/// Lines in the basket of the pure decision benchmark.
const BASKET_LINES: usize = 10;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Where to measure: a new SQLite file (sqlite://PATH, which must not exist) or a
    /// PostgreSQL server (postgres://USER@HOST/DB), on which a scratch database is
    /// created and dropped. Default: a new SQLite file in a temporary directory.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// Members in the workload.
    #[arg(long, default_value_t = 1_000)]
    members: usize,
    /// Events in the workload (purchases, returns, redemptions), run through each path.
    #[arg(long, default_value_t = 20_000)]
    events: usize,
    /// Concurrent writers and HTTP clients.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// The program to judge events by. Default: the demo program, built in.
    #[arg(long, value_name = "FILE")]
    program: Option<PathBuf>,
    /// After the run, grow one program's journal by this many synthetic entries and time
    /// finance's reports over it (0: skip).
    #[arg(long, default_value_t = 0)]
    report_entries: usize,
    /// Only time the analytics job (RFM segments and churn) over this many synthetic
    /// members with one to five orders each, written by plain SQL (0: the usual run).
    #[arg(long, default_value_t = 0)]
    analytics_members: usize,
    /// After the run, add this many synthetic members to one program and time member
    /// searches over them (0: skip).
    #[arg(long, default_value_t = 0)]
    search_members: usize,
    /// After the run, give a program with a leaderboard of each period kind this many
    /// opted-in members with scores and time reading the boards (0: skip).
    #[arg(long, default_value_t = 0)]
    leaderboard_members: usize,
}

/// The database the benchmark writes to, removed afterwards.
struct Scratch {
    url: DatabaseUrl,
    description: String,
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL server and the scratch database on it.
    postgres: Option<(String, String)>,
}

async fn scratch(database: Option<&str>) -> Result<Scratch, String> {
    let Some(text) = database else {
        let dir = tempfile::Builder::new().prefix("loyalty-bench-").tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("bench.db");
        let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).map_err(|e| e.to_string())?;
        let description = format!("SQLite file {} (WAL, synchronous=FULL)", path.display());
        return Ok(Scratch { url, description, _dir: Some(dir), postgres: None });
    };
    let given = DatabaseUrl::parse(text).map_err(|e| e.to_string())?;
    match given.backend() {
        Backend::Sqlite => {
            let path = given.sqlite_path().unwrap_or_default().to_owned();
            if std::path::Path::new(&path).exists() {
                return Err(format!(
                    "{path} exists; the benchmark writes only to a new file, so name one that does not"
                ));
            }
            Ok(Scratch {
                description: format!("SQLite file {path} (WAL, synchronous=FULL)"),
                url: given,
                _dir: None,
                postgres: None,
            })
        }
        Backend::Postgres => {
            install_default_drivers();
            let name = format!("loyalty_bench_{}", std::process::id());
            let admin = AnyPoolOptions::new()
                .max_connections(1)
                .connect(text)
                .await
                .map_err(|e| format!("cannot reach {given}: {e}"))?;
            admin
                .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .map_err(|e| e.to_string())?;
            admin.close().await;
            let base = text.rsplit_once('/').map_or(text, |(base, _)| base);
            let url = DatabaseUrl::parse(&format!("{base}/{name}")).map_err(|e| e.to_string())?;
            Ok(Scratch {
                description: format!(
                    "PostgreSQL, scratch database {name} on {given} (default durability: fsync, synchronous_commit on)"
                ),
                url,
                _dir: None,
                postgres: Some((text.to_owned(), name)),
            })
        }
    }
}

impl Scratch {
    async fn remove(self) {
        if let Some((server, name)) = self.postgres
            && let Ok(admin) = AnyPoolOptions::new().max_connections(1).connect(&server).await
        {
            if let Err(e) =
                admin.execute(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await
            {
                eprintln!("warning: could not drop the scratch database {name}: {e}");
            }
            admin.close().await;
        }
    }
}

async fn install(store: &SqlStore, program: &Program, code: &str) -> Result<LoadedProgram, String> {
    let mut definition = program.definition().clone();
    definition.id = code.to_owned();
    let program = Program::from_def(definition.clone()).map_err(|e| e.to_string())?;
    let installed =
        store.install_program(&definition, Clock::system().now()).await.map_err(|e| e.to_string())?;
    Ok(LoadedProgram::installed(installed, program))
}

pub async fn run(args: BenchArgs) -> ExitCode {
    if args.members == 0 || args.events == 0 || args.concurrency == 0 {
        return fail("--members, --events and --concurrency must be at least 1");
    }
    let scratch = match scratch(args.database.as_deref()).await {
        Ok(scratch) => scratch,
        Err(e) => return fail(e),
    };
    let result = measure(&args, &scratch).await;
    scratch.remove().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("the benchmark stopped: {e}")),
    }
}

async fn measure(args: &BenchArgs, scratch: &Scratch) -> Result<(), String> {
    let program = match &args.program {
        Some(path) => program_file::load(path),
        None => program_file::parse("coffee.toml", PROGRAM),
    }
    .map_err(|e| e.to_string())?;
    // The workload ends an hour ago, so no event is in the server's future.
    let span = i64::try_from(args.events).unwrap_or(i64::MAX).saturating_mul(1_000_000);
    let start = Timestamp::from_micros(Clock::system().now().as_micros() - 3_600_000_000 - span);
    let rewards: Vec<_> = program.rewards().iter().map(|r| r.code.clone()).collect();
    let workload = workload::generate(args.members, args.events, start, &rewards);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("loyalty bench on {cores} cores; database: {}", scratch.description);
    println!("program: `{}` ({} earning rules)", program.code(), program.rules().len());
    println!(
        "workload: {} members; {} events: {} purchases of 1-10 lines, {} returns, {} redemptions",
        thousands(args.members as f64),
        thousands(args.events as f64),
        thousands(workload.purchases as f64),
        thousands(workload.returns as f64),
        thousands(workload.redemptions as f64),
    );

    if args.analytics_members > 0 {
        let store = SqlStore::connect(&scratch.url).await.map_err(|e| e.to_string())?;
        let installed = install(&store, &program, "bench-analytics").await?;
        eprintln!("measuring the analytics job ...");
        analytics::measure(&store, installed, args.analytics_members, Clock::system().now()).await?;
        store.close().await;
        return Ok(());
    }

    let mut timings = Vec::new();
    eprintln!("measuring decide ...");
    timings.push(phases::pure_decide(&program, BASKET_LINES));
    timings.push(phases::in_memory(&program, &workload));

    let store = SqlStore::connect(&scratch.url).await.map_err(|e| e.to_string())?;
    let c = args.concurrency;
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| e.to_string();
    eprintln!("measuring the store path and raw SQL, one event at a time ...");
    let program_one = install(&store, &program, "bench-one").await?;
    let (engine_one, raw_one) =
        phases::engine_against_raw(&store, &program_one, &workload, 1, "_one").await.map_err(failed)?;
    eprintln!("measuring the store path and raw SQL, {c} at a time ...");
    let program_many = install(&store, &program, "bench-many").await?;
    let (engine_many, raw_many) =
        phases::engine_against_raw(&store, &program_many, &workload, c, "_many").await.map_err(failed)?;
    eprintln!("measuring HTTP with {c} clients ...");
    let program_http = install(&store, &program, "bench-http").await?;
    let http = with_cpu(phases::http(&store, &program_http, &workload, c)).await.map_err(failed)?;
    let ratios =
        (engine_one.per_second() / raw_one.per_second(), engine_many.per_second() / raw_many.per_second());
    timings.extend([engine_one, raw_one, engine_many, raw_many, http]);

    let report = store.verify().await.map_err(|e| e.to_string())?;
    print_table(&timings);
    println!("engine / raw SQL: {:.2} one at a time, {:.2} at {c} at a time", ratios.0, ratios.1);
    if let Some(rss) = peak_rss_mib() {
        println!("peak RSS: {rss:.1} MiB");
    }
    if !report.violations.is_empty() {
        return Err(format!("verify found {} problems after the benchmark", report.violations.len()));
    }
    println!("verify after the run: clean ({} events, {} journal entries)", report.events, report.entries);
    if args.report_entries > 0 {
        println!();
        eprintln!("measuring the reports ...");
        reports::measure(&store, &program_http, args.report_entries, Clock::system().now()).await?;
    }
    if args.search_members > 0 {
        println!();
        eprintln!("measuring member search ...");
        search::measure(&store, &program_many, args.search_members).await?;
    }
    if args.leaderboard_members > 0 {
        eprintln!("measuring the leaderboards ...");
        let mut definition = program.definition().clone();
        definition.leaderboards.extend(leaderboards::boards());
        let with_boards = Program::from_def(definition).map_err(|e| e.to_string())?;
        let program_lb = install(&store, &with_boards, "bench-lb").await?;
        leaderboards::measure(&store, &program_lb, args.leaderboard_members, Clock::system().now()).await?;
    }
    store.close().await;
    Ok(())
}

fn print_table(timings: &[Timing]) {
    println!();
    println!("| path | events | refused | events/s | p50 | p99 | our CPU per event |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for t in timings {
        let (p50, p99) = match (t.percentile(50), t.percentile(99)) {
            (Some(p50), Some(p99)) => (format!("{p50} µs"), format!("{p99} µs")),
            _ => (format!("{:.2} µs mean", t.mean_ns() / 1000.0), "—".to_owned()),
        };
        let cpu = t
            .cpu_per_event_us()
            .map_or_else(|| format!("{:.2} µs", t.mean_ns() / 1000.0), |us| format!("{us:.0} µs"));
        println!(
            "| {} | {} | {} | {} | {p50} | {p99} | {cpu} |",
            t.label,
            thousands(t.events as f64),
            thousands(t.refused as f64),
            thousands(t.per_second()),
        );
    }
    println!();
}
