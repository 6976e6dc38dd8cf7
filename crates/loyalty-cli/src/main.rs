//! `loyalty`: the one binary of the loyalty engine.

mod bench;
mod check;
mod export;
mod import;
mod jobs;
mod keys;
mod replay;
mod report;
mod serve;
#[cfg(feature = "otel")]
mod traces;
mod verify;

use clap::{Args, Parser, Subcommand};
use loyalty_store::Store;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "loyalty",
    version,
    about = "A customer loyalty engine: members earn points, climb tiers and redeem rewards, on a double-entry ledger."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve(serve::ServeArgs),
    /// Work with program definition files.
    #[command(subcommand)]
    Program(ProgramCommand),
    /// Check the seven ledger invariants over a whole existing database (never creates
    /// one); exits 1 if any is broken.
    Verify(ExistingDatabaseArgs),
    /// Measure the engine: pure decisions, the store path against plain SQL, and HTTP.
    Bench(bench::BenchArgs),
    /// Run the jobs that time makes due, over an existing database: expiry, pending release,
    /// expiry notices, birthdays, tier evaluations, inactivity closures, expired holds and
    /// expired reward codes.
    #[command(subcommand)]
    Jobs(jobs::JobsCommand),
    /// Rebuild every projection from the event log of an existing database (never creates
    /// one) in a scratch store and report any difference; exits 1 if there is one.
    Replay(ExistingDatabaseArgs),
    /// Write a program's members, ledger postings or issued reward codes from an existing
    /// database (never creates one) as CSV or JSON Lines, to stdout or a file.
    Export(export::ExportArgs),
    /// Bring members (with opening balances) or their purchases, returns and adjustments
    /// in from a CSV or JSON Lines file; safe to run again. Exits 1 if some rows were refused.
    Import(import::ImportArgs),
    /// Finance's reports from an existing database (never creates one): the liability
    /// roll-forward, breakage, KPIs (JSON or CSV).
    Report(report::ReportArgs),
    /// Manage a program's admin key in an existing database.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
}

#[derive(Debug, Subcommand)]
enum ProgramCommand {
    /// Validate a program file; errors name the field and the line.
    Check {
        /// The program file (TOML).
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Args)]
struct DatabaseArgs {
    /// Where the data lives: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, env = "LOYALTY_DATABASE_URL", default_value = "sqlite://loyalty.db", value_name = "URL")]
    database: String,
}

/// A database that must already exist: the commands that read or repair one never make one.
#[derive(Debug, Clone, Args)]
struct ExistingDatabaseArgs {
    /// The existing database: sqlite://PATH (a missing file is an error; none is created)
    /// or postgres://USER@HOST/DB.
    #[arg(long, env = "LOYALTY_DATABASE_URL", default_value = "sqlite://loyalty.db", value_name = "URL")]
    database: String,
}

/// Opens an existing database; a SQLite file that does not exist is an error, not a new file.
async fn open_existing(
    database: &str,
) -> Result<(loyalty_store::DatabaseUrl, loyalty_store::SqlStore), ExitCode> {
    let url = existing(database)?;
    let store =
        loyalty_store::SqlStore::connect(&url).await.map_err(|e| fail(format!("cannot open {url}: {e}")))?;
    Ok((url, store))
}

/// The database's address, if it exists.
fn existing(database: &str) -> Result<loyalty_store::DatabaseUrl, ExitCode> {
    let url = loyalty_store::DatabaseUrl::parse(database).map_err(fail)?;
    if let Some(path) = url.sqlite_path()
        && !std::path::Path::new(path).exists()
    {
        return Err(fail(format!("there is no database at {path}")));
    }
    Ok(url)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Program(ProgramCommand::Check { file }) => check::run(&file),
            Command::Verify(args) => verify::run(&args.database).await,
            Command::Replay(args) => replay::run(&args.database).await,
            Command::Bench(args) => bench::run(args).await,
            Command::Jobs(command) => jobs::run(command).await,
            Command::Export(args) => export::run(args).await,
            Command::Import(args) => import::run(args).await,
            Command::Report(args) => report::run(args).await,
            Command::Keys(command) => keys::run(command).await,
        }
    })
}

/// The program named, or the only one; an error names the programs there are.
pub(crate) async fn find_program(
    store: &loyalty_store::SqlStore,
    wanted: Option<&str>,
) -> Result<(loyalty_store::ProgramId, String), ProgramLookup> {
    let programs = store.programs().await.map_err(ProgramLookup::Store)?;
    let codes = || programs.iter().map(|p| p.definition.id.as_str()).collect::<Vec<_>>().join(", ");
    match wanted {
        Some(code) => match programs.iter().find(|p| p.definition.id == code) {
            Some(found) => Ok((found.id, code.to_owned())),
            None if programs.is_empty() => Err(ProgramLookup::Missing(format!(
                "there is no program `{code}`: the database holds no programs"
            ))),
            None => Err(ProgramLookup::Missing(format!(
                "there is no program `{code}`; the database holds: {}",
                codes()
            ))),
        },
        None => match programs.as_slice() {
            [only] => Ok((only.id, only.definition.id.clone())),
            [] => Err(ProgramLookup::Missing("the database holds no programs".to_owned())),
            _ => Err(ProgramLookup::Missing(format!(
                "the database holds several programs ({}); name one with --program",
                codes()
            ))),
        },
    }
}

pub(crate) enum ProgramLookup {
    Store(loyalty_store::StoreError),
    Missing(String),
}

/// Parses a command-line timestamp (RFC 3339, with an offset).
fn parse_timestamp(text: &str) -> Result<loyalty_core::Timestamp, String> {
    loyalty_core::Timestamp::parse_rfc3339(text).map_err(|e| e.to_string())
}

/// Reports a failure on stderr and gives the exit code for errors (2; 1 means "checked,
/// and found problems").
fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}
