//! `loyalty export`: a program's members, ledger postings or issued reward codes as CSV or
//! JSON Lines. Rows are read a page at a time from one consistent snapshot and written as
//! they come, so memory stays flat however large the program is.

use crate::{fail, open_existing};
use clap::{Args, ValueEnum};
use loyalty_core::Timestamp;
use loyalty_store::{Backend, DatabaseUrl, ExportSnapshot, ProgramId, SqlStore, StoreError};
use sqlx::Connection;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Rows read from the database at a time.
const PAGE: u32 = 1000;
/// A progress line goes to stderr every this many rows.
const PROGRESS_EVERY: u64 = 100_000;
/// How long a PostgreSQL server has to answer before it counts as unreachable.
const REACH_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export: members (balances and standing, no personal data), ledger (one line
    /// per posting), rewards (issued reward codes) or audit (the audit trail, oldest first).
    what: What,
    /// csv (with a header line) or jsonl (one JSON object per line).
    #[arg(long, value_enum)]
    format: Format,
    /// The program's code; may be left out when the database holds one program.
    #[arg(long, value_name = "CODE")]
    program: Option<String>,
    #[command(flatten)]
    database: crate::ExistingDatabaseArgs,
    /// The file to write (replaced only once the export is complete); stdout if unset.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Rows read from the database at a time (entries, for the ledger).
    #[arg(long, default_value_t = PAGE, hide = true, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    page_size: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum What {
    Members,
    Ledger,
    Rewards,
    Audit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Csv,
    Jsonl,
}

const MEMBER_COLUMNS: &[&str] = &[
    "external_id",
    "status",
    "tier",
    "available",
    "pending",
    "pending_review",
    "held",
    "debt",
    "enrolled_at",
    "last_activity_at",
];

const LEDGER_COLUMNS: &[&str] =
    &["entry", "member", "kind", "memo", "occurred_at", "recorded_at", "account", "amount"];

const AUDIT_COLUMNS: &[&str] =
    &["id", "at", "actor", "actor_name", "action", "path", "member", "request_id", "before", "after"];

const REWARD_COLUMNS: &[&str] = &[
    "code",
    "member",
    "reward",
    "kind",
    "state",
    "points",
    "issued_at",
    "expires_at",
    "order_id",
    "value_minor",
    "balance_minor",
    "charity",
];

pub async fn run(args: ExportArgs) -> ExitCode {
    if let Err(message) = reachable(&args.database.database).await {
        return fail(message);
    }
    let (url, store) = match open_existing(&args.database.database).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let result = export(&store, &args).await;
    store.close().await;
    match result {
        Ok(summary) => {
            eprintln!("{summary}");
            ExitCode::SUCCESS
        }
        Err(Failure::Quiet) => ExitCode::SUCCESS,
        Err(Failure::Message(message)) => fail(message),
        Err(Failure::Store(e)) => fail(format!("cannot export from {url}: {e}")),
    }
}

/// On PostgreSQL, one connection attempt with a time limit: the store's pool would keep
/// trying for half a minute and then say only that it timed out. (A bad URL or a missing
/// SQLite file is left to `open_existing` to report.)
async fn reachable(database: &str) -> Result<(), String> {
    let Ok(url) = DatabaseUrl::parse(database) else { return Ok(()) };
    if url.backend() != Backend::Postgres {
        return Ok(());
    }
    sqlx::any::install_default_drivers();
    match tokio::time::timeout(REACH_TIMEOUT, sqlx::AnyConnection::connect(database)).await {
        Ok(Ok(connection)) => {
            let _ = connection.close().await;
            Ok(())
        }
        Ok(Err(e)) => Err(format!("cannot reach {url}: {e}")),
        Err(_) => Err(format!("cannot reach {url}: no answer in {} seconds", REACH_TIMEOUT.as_secs())),
    }
}

enum Failure {
    Message(String),
    Store(StoreError),
    /// The reader of stdout went away (`| head`): nothing more is wanted.
    Quiet,
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        Failure::Store(e)
    }
}

async fn export(store: &SqlStore, args: &ExportArgs) -> Result<String, Failure> {
    let (program, code) = crate::find_program(store, args.program.as_deref()).await.map_err(|e| match e {
        crate::ProgramLookup::Store(e) => Failure::Store(e),
        crate::ProgramLookup::Missing(message) => Failure::Message(message),
    })?;
    let columns = match args.what {
        What::Members => MEMBER_COLUMNS,
        What::Ledger => LEDGER_COLUMNS,
        What::Rewards => REWARD_COLUMNS,
        What::Audit => AUDIT_COLUMNS,
    };
    let what = match args.what {
        What::Members => "members",
        What::Ledger => "ledger postings",
        What::Rewards => "reward codes",
        What::Audit => "audit entries",
    };
    let mut snapshot = store.export_snapshot().await?;
    let written = match &args.output {
        None => {
            let mut out = Rows::new(BufWriter::new(io::stdout().lock()), args.format, columns, what);
            write_all(&mut snapshot, program, args, &mut out).await.map_err(|e| match e {
                Stop::Write(e) if e.kind() == io::ErrorKind::BrokenPipe => Failure::Quiet,
                Stop::Write(e) => Failure::Message(format!("cannot write to stdout: {e}")),
                Stop::Store(e) => Failure::Store(e),
            })?
        }
        Some(path) => {
            let file = temporary_beside(path)?;
            let mut out = Rows::new(BufWriter::new(file), args.format, columns, what);
            let n = write_all(&mut snapshot, program, args, &mut out).await.map_err(|e| match e {
                Stop::Write(e) => Failure::Message(format!("cannot write {}: {e}", path.display())),
                Stop::Store(e) => Failure::Store(e),
            })?;
            let file = out.into_inner().into_inner().map_err(|e| e.into_error()).and_then(|file| {
                file.as_file().sync_all()?;
                Ok(file)
            });
            file.and_then(|file| file.persist(path).map_err(|e| e.error))
                .map_err(|e| Failure::Message(format!("cannot write {}: {e}", path.display())))?;
            n
        }
    };
    snapshot.finish().await?;
    let place = args.output.as_ref().map_or_else(|| "stdout".to_owned(), |p| p.display().to_string());
    Ok(match written {
        Written { rows, entries: Some(entries) } => {
            format!("exported {rows} {what} of {entries} journal entries of program {code} to {place}")
        }
        Written { rows, entries: None } => format!("exported {rows} {what} of program {code} to {place}"),
    })
}

/// A new temporary file in the directory of `path`, to be renamed over it when complete.
fn temporary_beside(path: &Path) -> Result<tempfile::NamedTempFile, Failure> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    tempfile::Builder::new()
        .prefix(".loyalty-export-")
        .tempfile_in(dir)
        .map_err(|e| Failure::Message(format!("cannot write {}: {e}", path.display())))
}

enum Stop {
    Store(StoreError),
    Write(io::Error),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Stop {
        Stop::Store(e)
    }
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Stop {
        Stop::Write(e)
    }
}

struct Written {
    rows: u64,
    /// For the ledger: how many journal entries the postings belong to.
    entries: Option<u64>,
}

/// Reads every page, writes every row and flushes the output.
async fn write_all<W: Write>(
    snapshot: &mut ExportSnapshot,
    program: ProgramId,
    args: &ExportArgs,
    out: &mut Rows<W>,
) -> Result<Written, Stop> {
    out.header()?;
    let written = write_rows(snapshot, program, args, out).await?;
    out.finish()?;
    Ok(written)
}

async fn write_rows<W: Write>(
    snapshot: &mut ExportSnapshot,
    program: ProgramId,
    args: &ExportArgs,
    out: &mut Rows<W>,
) -> Result<Written, Stop> {
    let limit = args.page_size;
    let mut after = 0;
    match args.what {
        What::Members => loop {
            let page = snapshot.members(program, after, limit).await?;
            for m in &page {
                out.row(&[
                    Field::Text(&m.external_id),
                    Field::Text(&m.status),
                    m.tier.as_deref().into(),
                    Field::Int(m.available),
                    Field::Int(m.pending),
                    Field::Int(m.pending_review),
                    Field::Int(m.held),
                    Field::Int(m.debt),
                    Field::Time(m.enrolled_at),
                    Field::Time(m.last_activity_at),
                ])?;
            }
            match page.last() {
                Some(last) if page.len() == limit as usize => after = last.row,
                _ => return Ok(Written { rows: out.rows, entries: None }),
            }
        },
        What::Ledger => {
            let mut entries = 0;
            loop {
                let page = snapshot.ledger(program, after, limit).await?;
                for e in &page {
                    for p in &e.postings {
                        out.row(&[
                            Field::Int(e.entry),
                            e.member.as_deref().into(),
                            Field::Text(&e.kind),
                            e.memo.as_deref().into(),
                            Field::Time(e.occurred_at),
                            Field::Time(e.recorded_at),
                            Field::Text(&p.account),
                            Field::Int(p.amount),
                        ])?;
                    }
                }
                entries += page.len() as u64;
                match page.last() {
                    Some(last) if page.len() == limit as usize => after = last.entry,
                    _ => return Ok(Written { rows: out.rows, entries: Some(entries) }),
                }
            }
        }
        What::Audit => loop {
            let page = snapshot.audit(program, after, limit).await?;
            for r in &page {
                let e = &r.entry;
                let before = e.before.as_ref().map(ToString::to_string);
                let after_json = e.after.as_ref().map(ToString::to_string);
                out.row(&[
                    Field::Int(r.id),
                    Field::Time(e.at),
                    Field::Text(&e.actor),
                    Field::Text(&e.actor_name),
                    Field::Text(&e.action),
                    Field::Text(&e.path),
                    e.member.as_deref().into(),
                    e.request_id.as_deref().into(),
                    before.as_deref().into(),
                    after_json.as_deref().into(),
                ])?;
            }
            match page.last() {
                Some(last) if page.len() == limit as usize => after = last.id,
                _ => return Ok(Written { rows: out.rows, entries: None }),
            }
        },
        What::Rewards => loop {
            let page = snapshot.rewards(program, after, limit).await?;
            for r in &page {
                out.row(&[
                    Field::Text(&r.code),
                    Field::Text(&r.member),
                    Field::Text(&r.reward),
                    Field::Text(&r.kind),
                    Field::Text(&r.state),
                    Field::Int(r.points),
                    Field::Time(r.issued_at),
                    r.expires_at.into(),
                    r.order_id.as_deref().into(),
                    r.value_minor.into(),
                    r.balance_minor.into(),
                    r.charity.as_deref().into(),
                ])?;
            }
            match page.last() {
                Some(last) if page.len() == limit as usize => after = last.row,
                _ => return Ok(Written { rows: out.rows, entries: None }),
            }
        },
    }
}

/// One value of a row; `Null` is an empty field in CSV and `null` in JSON.
#[derive(Debug, Clone, Copy)]
enum Field<'a> {
    Text(&'a str),
    Int(i64),
    /// RFC 3339, in UTC.
    Time(Timestamp),
    Null,
}

impl<'a> From<Option<&'a str>> for Field<'a> {
    fn from(value: Option<&'a str>) -> Field<'a> {
        value.map_or(Field::Null, Field::Text)
    }
}

impl From<Option<i64>> for Field<'_> {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Field::Null, Field::Int)
    }
}

impl From<Option<Timestamp>> for Field<'_> {
    fn from(value: Option<Timestamp>) -> Self {
        value.map_or(Field::Null, Field::Time)
    }
}

/// Rows written one by one in the chosen format.
struct Rows<W: Write> {
    out: W,
    format: Format,
    columns: &'static [&'static str],
    what: &'static str,
    rows: u64,
}

impl<W: Write> Rows<W> {
    fn new(out: W, format: Format, columns: &'static [&'static str], what: &'static str) -> Rows<W> {
        Rows { out, format, columns, what, rows: 0 }
    }

    fn header(&mut self) -> io::Result<()> {
        if self.format == Format::Csv {
            let names: Vec<Field<'_>> = self.columns.iter().map(|c| Field::Text(c)).collect();
            write_csv(&mut self.out, &names)?;
        }
        Ok(())
    }

    fn row(&mut self, fields: &[Field<'_>]) -> io::Result<()> {
        debug_assert_eq!(fields.len(), self.columns.len());
        match self.format {
            Format::Csv => write_csv(&mut self.out, fields)?,
            Format::Jsonl => write_json(&mut self.out, self.columns, fields)?,
        }
        self.rows += 1;
        if self.rows.is_multiple_of(PROGRESS_EVERY) {
            eprintln!("  {} {} so far", self.rows, self.what);
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn into_inner(self) -> W {
        self.out
    }
}

/// One CSV record (RFC 4180): fields separated by commas, a field with a comma, a quote or
/// a line break in quotes with its quotes doubled; records end with `\n`.
fn write_csv(out: &mut impl Write, fields: &[Field<'_>]) -> io::Result<()> {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        match field {
            Field::Text(text) => write_csv_text(out, text)?,
            Field::Int(n) => write!(out, "{n}")?,
            Field::Time(t) => write!(out, "{t}")?,
            Field::Null => {}
        }
    }
    out.write_all(b"\n")
}

fn write_csv_text(out: &mut impl Write, text: &str) -> io::Result<()> {
    if !text.contains([',', '"', '\n', '\r']) {
        return out.write_all(text.as_bytes());
    }
    out.write_all(b"\"")?;
    for (i, part) in text.split('"').enumerate() {
        if i > 0 {
            out.write_all(b"\"\"")?;
        }
        out.write_all(part.as_bytes())?;
    }
    out.write_all(b"\"")
}

/// One JSON object on one line, its keys the column names in order.
fn write_json(out: &mut impl Write, columns: &[&str], fields: &[Field<'_>]) -> io::Result<()> {
    out.write_all(b"{")?;
    for (i, (column, field)) in columns.iter().zip(fields).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, column)?;
        out.write_all(b":")?;
        match field {
            Field::Text(text) => serde_json::to_writer(&mut *out, text)?,
            Field::Int(n) => write!(out, "{n}")?,
            Field::Time(t) => serde_json::to_writer(&mut *out, &t.to_string())?,
            Field::Null => out.write_all(b"null")?,
        }
    }
    out.write_all(b"}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(fields: &[Field<'_>]) -> String {
        let mut out = Vec::new();
        write_csv(&mut out, fields).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let line = csv(&[
            Field::Text("plain"),
            Field::Text("a, b"),
            Field::Text("say \"hi\""),
            Field::Text("two\nlines"),
            Field::Int(-5),
            Field::Null,
            Field::Time(Timestamp::from_micros(1_500_000)),
        ]);
        assert_eq!(line, "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",-5,,1970-01-01T00:00:01.5Z\n");
    }

    #[test]
    fn json_lines_escape_and_keep_nulls() {
        let mut out = Vec::new();
        write_json(&mut out, &["a", "b", "c"], &[Field::Text("x\"\n"), Field::Null, Field::Int(3)]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\"a\":\"x\\\"\\n\",\"b\":null,\"c\":3}\n");
    }
}
