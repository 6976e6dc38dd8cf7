//! `loyalty jobs run`: every job due, once, for every program in the database.

use crate::{fail, open_existing, parse_timestamp};
use clap::{Args, Subcommand};
use loyalty_core::Timestamp;
use loyalty_server::jobs::{DEFAULT_BATCH, Job, JobReport, audit_run, run_due};
use loyalty_server::{Clock, versions};
use loyalty_store::Store;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Run every job that is due, once, over an existing database (never creates one):
    /// expiry, pending release, expiry notices, birthdays, tier evaluations, inactivity
    /// closures, expired holds and expired reward codes.
    /// Safe to run again, late, or after a crash: done work is not done twice.
    Run(RunArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    database: crate::ExistingDatabaseArgs,
    /// The time to run the jobs at (RFC 3339); the system's time if unset.
    #[arg(long, value_name = "TIMESTAMP", value_parser = parse_timestamp)]
    now: Option<Timestamp>,
    /// How many members each job takes at a time.
    #[arg(long, default_value_t = DEFAULT_BATCH, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    batch: u32,
}

pub async fn run(command: JobsCommand) -> ExitCode {
    let JobsCommand::Run(args) = command;
    let (_, store) = match open_existing(&args.database.database).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let now = args.now.unwrap_or_else(|| Clock::system().now());
    let programs = match store.programs().await {
        Ok(programs) => programs,
        Err(e) => return fail(e),
    };
    println!("running the jobs due at {now}");
    let mut refused = 0;
    for stored in programs {
        let versions = match versions(&store, stored.id).await {
            Ok(versions) => versions,
            Err(e) => return fail(e),
        };
        let code = versions.latest().program.code().to_owned();
        let mut progress = |job: Job, handled: u64| println!("  {code}: {}: {handled} handled", job.name());
        match run_due(&store, &versions, now, args.batch, None, &mut progress).await {
            Ok(report) => {
                if report != JobReport::default() {
                    audit_run(&store, &versions, now, "job:cli", &report).await;
                }
                println!(
                    "{code}: {} expired, {} released, {} notices, {} birthdays, {} tier evaluations, \
                     {} closed for inactivity, {} holds expired, {} reward codes expired, \
                     {} already done or no longer due",
                    report.expired,
                    report.released,
                    report.notices,
                    report.birthdays,
                    report.tier_reviews,
                    report.closed_inactive,
                    report.holds_expired,
                    report.codes_expired,
                    report.skipped
                );
                if report.refused > 0 {
                    println!("{code}: {} refused; see the log above", report.refused);
                    refused += report.refused;
                }
            }
            Err(e) => {
                return fail(format!("{code}: the jobs stopped: {e}; what was done is kept, run again"));
            }
        }
    }
    store.close().await;
    if refused > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
