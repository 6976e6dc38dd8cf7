//! `loyalty import members|events FILE`: members, with their opening balances, or their
//! purchases, returns and adjustments, from another system's CSV or JSON Lines export.
//!
//! Each member row, each order (consecutive rows with one `order_id`) and each other row is
//! one command through the store, as the API submits it, under an idempotency key made
//! from the row's own key: a row imported once is "already imported" the next time, so a
//! file can be run again, whole or after a stop, and changes nothing twice. A row that
//! cannot be read or that the engine refuses changes nothing; it gets a line (its number,
//! the error's code and message) in the error file, and the import goes on.
//!
//! As a second run finishes what a crash cut short, commits do not wait for the disk one
//! by one (`SqlStore::connect_resumable`); the import waits once, at the end, for all.

mod events;
mod members;

use crate::{ProgramLookup, existing, fail, find_program, parse_timestamp};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loyalty_cli::rows::{self, Format, Problem, Source};
use loyalty_core::ids::{FieldError, IdempotencyKey};
use loyalty_core::{Event, Rejection, Timestamp};
use loyalty_server::{Clock, Versions, versions};
use loyalty_store::{Command, SqlStore, Store, StoreError};
use serde::Serialize;
use std::fmt;
use std::fs::File;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds: members (external_id, email, name, birth_date, tags,
    /// opening_points) or events (type, member, order_id, occurred_at, sku, category,
    /// quantity, unit_price_minor, points, reason).
    what: What,
    /// The file: .csv with a header line naming the columns, or .jsonl with one JSON
    /// object a line.
    file: PathBuf,
    /// The program's code; may be left out when the database holds one program.
    #[arg(long, value_name = "CODE")]
    program: Option<String>,
    #[command(flatten)]
    database: crate::DatabaseArgs,
    /// Where to write the rows that were not imported (CSV: row, code, message); beside
    /// the input as NAME.errors.csv if unset.
    #[arg(long, value_name = "FILE")]
    errors: Option<PathBuf>,
    /// The time to import at (RFC 3339): members are enrolled then, and no event may be
    /// later. The system's time if unset.
    #[arg(long, value_name = "TIMESTAMP", value_parser = parse_timestamp)]
    now: Option<Timestamp>,
    /// When stderr is not a terminal, a progress line every this many rows.
    #[arg(long, default_value_t = 10_000, hide = true, value_parser = clap::value_parser!(u64).range(1..))]
    progress_every: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum What {
    Members,
    Events,
}

pub async fn run(args: ImportArgs) -> ExitCode {
    let Some(format) = Format::of(&args.file) else {
        return fail(format!("cannot tell how {} is written: name it .csv or .jsonl", args.file.display()));
    };
    let columns = match args.what {
        What::Members => &rows::MEMBER_COLUMNS,
        What::Events => &rows::EVENT_COLUMNS,
    };
    let source = match Source::open(&args.file, format, columns) {
        Ok(source) => source,
        Err(message) => return fail(message),
    };
    let errors_path = args.errors.clone().unwrap_or_else(|| errors_beside(&args.file));
    if same_file(&args.file, &errors_path) {
        return fail(format!("the error file {} would replace the input", errors_path.display()));
    }
    let url = match existing(&args.database.database) {
        Ok(url) => url,
        Err(code) => return code,
    };
    let store = match SqlStore::connect_resumable(&url).await {
        Ok(store) => store,
        Err(e) => return fail(format!("cannot open {url}: {e}")),
    };
    let result = match (import(&store, &args, source, &errors_path).await, store.make_durable().await) {
        (Ok(tally), Err(e)) => Err(Stop::Failed { row: None, error: Failure::Store(e), tally }),
        (result, _) => result,
    };
    store.close().await;
    match result {
        Ok(tally) if tally.refused == 0 => {
            println!("{tally}");
            ExitCode::SUCCESS
        }
        Ok(tally) => {
            println!("{tally}; see {}", errors_path.display());
            ExitCode::from(1)
        }
        Err(Stop::Usage(message)) => fail(message),
        Err(Stop::Failed { row, error, tally }) => {
            let at = row.map(|row| format!(" at row {row}")).unwrap_or_default();
            fail(format!(
                "the import stopped{at}: {error}; what was imported ({tally}) is kept, and running the \
                 import again goes on from there"
            ))
        }
    }
}

/// `members.csv` → `members.errors.csv`, in the same directory.
fn errors_beside(input: &Path) -> PathBuf {
    let stem = input.file_stem().map_or_else(|| "import".into(), |s| s.to_string_lossy());
    input.with_file_name(format!("{stem}.errors.csv"))
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

async fn import(
    store: &SqlStore,
    args: &ImportArgs,
    mut source: Source,
    errors_path: &Path,
) -> Result<Tally, Stop> {
    let (id, _) = find_program(store, args.program.as_deref()).await.map_err(|e| match e {
        ProgramLookup::Store(e) => Stop::Usage(e.to_string()),
        ProgramLookup::Missing(message) => Stop::Usage(message),
    })?;
    let versions = versions(store, id).await.map_err(|e| Stop::Usage(e.to_string()))?;
    let file = File::create(errors_path)
        .map_err(|e| Stop::Usage(format!("cannot write the error file {}: {e}", errors_path.display())))?;
    let mut errors = csv::Writer::from_writer(file);
    let header = errors.write_record(["row", "code", "message"]).map_err(io::Error::from);
    header
        .and_then(|()| errors.flush())
        .map_err(|e| Stop::Usage(format!("cannot write the error file {}: {e}", errors_path.display())))?;
    let mut importer = Importer {
        store,
        versions,
        now: args.now,
        errors,
        errors_path,
        tally: Tally::default(),
        progress: Progress::new(source.len, args.progress_every),
    };
    let result = match args.what {
        What::Members => members::import(&mut importer, &mut source).await,
        What::Events => events::import(&mut importer, &mut source).await,
    };
    let flushed = importer.errors.flush();
    importer.progress.finish();
    let tally = importer.tally;
    let name = args.file.file_name().map_or_else(|| "file".into(), |n| n.to_string_lossy());
    let action = match args.what {
        What::Members => "import_members",
        What::Events => "import_events",
    };
    let what = serde_json::json!({
        "file": args.file.display().to_string(),
        "imported": tally.imported,
        "already_imported": tally.already,
        "refused": tally.refused,
    });
    let actor = format!("import:{name}");
    if let Err(e) = loyalty_server::audit::record_run(store, id, importer.now(), (&actor, action), what).await
    {
        eprintln!("could not record the import in the audit trail: {e}");
    }
    match result {
        Ok(()) => {
            flushed.map_err(|e| importer.failed(None, Failure::ErrorFile(e)))?;
            Ok(tally)
        }
        Err((row, failure)) => Err(importer.failed(Some(row), failure)),
    }
}

/// Why an import stopped before the end of the file.
enum Stop {
    /// Before any row: the program, the database or the error file.
    Usage(String),
    /// Midway, at a row if it was one's import that failed.
    Failed { row: Option<u64>, error: Failure, tally: Tally },
}

/// What stops an import in the middle: not a bad row, but the file, the error file or the
/// database failing.
#[derive(Debug)]
pub(crate) enum Failure {
    Input(io::Error),
    ErrorFile(io::Error),
    Store(StoreError),
    /// A random code or a digest could not be made.
    Internal(&'static str),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Input(e) => write!(f, "cannot read the file: {e}"),
            Failure::ErrorFile(e) => write!(f, "cannot write the error file: {e}"),
            Failure::Store(e) => e.fmt(f),
            Failure::Internal(what) => write!(f, "{what}"),
        }
    }
}

/// The row whose import failed (the first, of an order), and why.
pub(crate) type Stopped = (u64, Failure);

/// Names a field as the file spells it when its value is refused, as the API does.
pub(crate) fn field<T>(name: impl fmt::Display, parsed: Result<T, FieldError>) -> Result<T, Problem> {
    parsed.map_err(|e| Problem::invalid(format!("{name}: {}", e.problem)))
}

/// Rows imported, already there, and refused; every data row is one of the three.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    imported: u64,
    already: u64,
    refused: u64,
}

impl Tally {
    fn rows(&self) -> u64 {
        self.imported + self.already + self.refused
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} imported, {} already imported, {} refused", self.imported, self.already, self.refused)
    }
}

/// Whether a command's event was applied now or had been before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Landed {
    New,
    Before,
}

/// What the members and events importers share: the store and program, the clock, the
/// error file, the tally and the progress shown.
pub(crate) struct Importer<'a> {
    store: &'a SqlStore,
    versions: Versions,
    now: Option<Timestamp>,
    errors: csv::Writer<File>,
    errors_path: &'a Path,
    tally: Tally,
    progress: Progress,
}

impl Importer<'_> {
    /// `--now`, or the system's time.
    pub(crate) fn now(&self) -> Timestamp {
        self.now.unwrap_or_else(|| Clock::system().now())
    }

    /// Applies `event` under the idempotency key `key`, judged by the program version in
    /// force when it occurred. `Ok(Err(_))` is the engine's refusal.
    pub(crate) async fn submit(
        &self,
        event: Event,
        key: &str,
        fingerprint: String,
    ) -> Result<Result<Landed, Problem>, Failure> {
        let idempotency_key = match IdempotencyKey::parse(key) {
            Ok(key) => key,
            Err(e) => return Ok(Err(Problem::invalid(e.to_string()))),
        };
        let program = self.versions.at(event.occurred_at());
        let command = Command {
            event,
            idempotency_key: Some(idempotency_key),
            fingerprint,
            now: self.now(),
            recorded_segment: None,
        };
        match self.store.submit(program, &command).await {
            Ok(submitted) => Ok(Ok(if submitted.replayed { Landed::Before } else { Landed::New })),
            Err(StoreError::Rejected(Rejection::IdempotencyKeyReused)) => Ok(Err(Problem::new(
                Rejection::IdempotencyKeyReused.code(),
                format!(
                    "a row with the key {key} was imported before with other contents; that import stands"
                ),
            ))),
            // In the program's words, as the API answers.
            Err(StoreError::Rejected(rejection)) => {
                Ok(Err(Problem::new(rejection.code(), rejection.message_for(&program.program))))
            }
            Err(e) => Err(Failure::Store(e)),
        }
    }

    /// Counts `rows` rows as imported, or as already imported.
    pub(crate) fn landed(&mut self, rows: usize, landed: Landed) {
        let rows = rows as u64;
        match landed {
            Landed::New => self.tally.imported += rows,
            Landed::Before => self.tally.already += rows,
        }
    }

    /// Writes row `row`'s line in the error file.
    pub(crate) fn refuse(&mut self, row: u64, problem: &Problem) -> Result<(), Stopped> {
        self.tally.refused += 1;
        self.errors
            .write_record([row.to_string().as_str(), problem.code, problem.message.as_str()])
            .map_err(|e| (row, Failure::ErrorFile(e.into())))
    }

    /// Shows how far the import has come.
    pub(crate) fn advance(&mut self, position: u64) {
        self.progress.show(position, &self.tally);
    }

    fn failed(&self, row: Option<u64>, error: Failure) -> Stop {
        let error = match error {
            Failure::ErrorFile(e) => {
                Failure::ErrorFile(io::Error::new(e.kind(), format!("{}: {e}", self.errors_path.display())))
            }
            other => other,
        };
        Stop::Failed { row, error, tally: self.tally }
    }
}

/// A digest of what a row says, so that a row imported again is told from another row
/// under the same key.
pub(crate) fn fingerprint(what: &impl Serialize) -> Result<String, Failure> {
    loyalty_server::secrets::fingerprint(what).map_err(|_| Failure::Internal("cannot digest a row"))
}

/// A bar on a terminal; otherwise a plain line every so many rows.
enum Progress {
    Bar(ProgressBar),
    Lines { every: u64, next: u64 },
}

impl Progress {
    fn new(len: u64, every: u64) -> Progress {
        if !io::stderr().is_terminal() {
            return Progress::Lines { every, next: every };
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{wide_bar} {percent:>3}%  {msg}") {
            bar.set_style(style);
        }
        Progress::Bar(bar)
    }

    fn show(&mut self, position: u64, tally: &Tally) {
        match self {
            Progress::Bar(bar) => {
                bar.set_position(position);
                bar.set_message(tally.to_string());
            }
            Progress::Lines { every, next } => {
                let rows = tally.rows();
                if rows >= *next {
                    eprintln!("{rows} rows: {tally}");
                    *next = (rows / *every + 1) * *every;
                }
            }
        }
    }

    fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
