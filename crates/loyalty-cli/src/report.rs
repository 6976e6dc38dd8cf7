//! `loyalty report liability|breakage|kpis`: finance's reports from a database, as the
//! API serves them, in JSON or CSV on stdout.

use crate::{ProgramLookup, fail, find_program, open_existing, parse_timestamp};
use clap::{Args, ValueEnum};
use loyalty_core::Timestamp;
use loyalty_server::reports::{self, Period, ReportError};
use loyalty_server::{Clock, versions};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Liability,
    Breakage,
    Kpis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    kind: Kind,
    #[command(flatten)]
    database: crate::ExistingDatabaseArgs,
    /// The program's code; may be left out when the database holds one program.
    #[arg(long)]
    program: Option<String>,
    /// Where the period starts: a local day (YYYY-MM-DD, from its start) or an instant
    /// (RFC 3339, included). Unset: the first of this month (breakage: 365 days ago).
    #[arg(long)]
    from: Option<String>,
    /// Where the period ends: a local day (YYYY-MM-DD, included to its end) or an instant
    /// (RFC 3339, excluded). Unset: today, included.
    #[arg(long)]
    to: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// The time the report is made at (RFC 3339); the system's time if unset.
    #[arg(long, value_name = "TIMESTAMP", value_parser = parse_timestamp)]
    now: Option<Timestamp>,
}

pub async fn run(args: ReportArgs) -> ExitCode {
    let (_, store) = match open_existing(&args.database.database).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let outcome = report(&store, &args).await;
    store.close().await;
    match outcome {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => fail(message),
    }
}

async fn report(store: &loyalty_store::SqlStore, args: &ReportArgs) -> Result<String, String> {
    let (id, _) = find_program(store, args.program.as_deref()).await.map_err(|e| match e {
        ProgramLookup::Store(e) => e.to_string(),
        ProgramLookup::Missing(message) => message,
    })?;
    let versions = versions(store, id).await.map_err(|e| e.to_string())?;
    let loaded = versions.latest();
    let now = args.now.unwrap_or_else(|| Clock::system().now());
    let today = loaded.program.calendar().local(now).date();
    let period = || Period::parse(args.from.as_deref(), args.to.as_deref(), today);
    let made = match args.kind {
        Kind::Liability => reports::liability(store, loaded, period()?).await,
        Kind::Breakage => {
            let default = Period::year_to(now, today);
            let period = Period::parse_or(args.from.as_deref(), args.to.as_deref(), default)?;
            reports::breakage(store, loaded, period, now).await
        }
        Kind::Kpis => reports::kpis(store, loaded, period()?).await,
    };
    let report = made.map_err(|e| match e {
        ReportError::Invalid(message) => message,
        ReportError::Store(e) => e.to_string(),
    })?;
    Ok(match args.format {
        Format::Csv => report.csv,
        Format::Json => serde_json::to_string_pretty(&report.json).map_err(|e| e.to_string())? + "\n",
    })
}
