//! Rows of an import file, CSV or JSON Lines, read one at a time into one shape: named
//! cells that the members and events importers read as text, whole numbers or lists.

use loyalty_core::Rejection;
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Why a row was not imported: the engine's error code (or `invalid_request`,
/// `malformed_row`, `malformed_json` for a row that cannot be read) and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
}

impl Problem {
    pub fn new(code: &'static str, message: impl Into<String>) -> Problem {
        Problem { code, message: message.into() }
    }

    /// A value the API would answer `invalid_request` for.
    pub fn invalid(message: impl Into<String>) -> Problem {
        Problem::new("invalid_request", message)
    }
}

impl From<Rejection> for Problem {
    fn from(rejection: Rejection) -> Problem {
        Problem::new(rejection.code(), rejection.to_string())
    }
}

/// How an import file is written, told by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A header line naming the columns, then one row a line (RFC 4180 quoting).
    Csv,
    /// One JSON object a line.
    Jsonl,
}

impl Format {
    pub fn of(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// The columns a kind of row may have, and those it must.
#[derive(Debug)]
pub struct Columns {
    pub all: &'static [&'static str],
    pub required: &'static [&'static str],
}

/// The columns of a members file.
pub const MEMBER_COLUMNS: Columns = Columns {
    all: &["external_id", "email", "name", "birth_date", "tags", "opening_points"],
    required: &["external_id"],
};

/// The columns of an events file.
pub const EVENT_COLUMNS: Columns = Columns {
    all: &[
        "type",
        "member",
        "order_id",
        "occurred_at",
        "sku",
        "category",
        "quantity",
        "unit_price_minor",
        "points",
        "reason",
    ],
    required: &["type", "member", "occurred_at"],
};

/// One data row: its number (1-based, the header not counted) and its cells, or why
/// they could not be read at all.
#[derive(Debug)]
pub struct Row {
    pub number: u64,
    cells: Result<Cells, Problem>,
}

#[derive(Debug)]
enum Cells {
    /// Each column's text, trimmed; an empty cell is an absent value.
    Csv(Vec<(&'static str, String)>),
    /// The row's object; `null` and `""` are absent values.
    Json(Map<String, Value>),
}

enum Cell<'r> {
    Text(&'r str),
    Json(&'r Value),
}

impl Row {
    fn cell(&self, name: &str) -> Result<Option<Cell<'_>>, Problem> {
        let cell = match &self.cells {
            Err(problem) => return Err(problem.clone()),
            Ok(Cells::Csv(cells)) => {
                cells.iter().find(|(column, _)| *column == name).map(|(_, text)| Cell::Text(text))
            }
            Ok(Cells::Json(object)) => object.get(name).map(Cell::Json),
        };
        let empty = |c: &Cell<'_>| match c {
            Cell::Text(text) => text.is_empty(),
            Cell::Json(Value::String(text)) => text.is_empty(),
            Cell::Json(value) => value.is_null(),
        };
        Ok(cell.filter(|c| !empty(c)))
    }

    /// The row's own problem, if its cells could not be read.
    pub fn problem(&self) -> Option<&Problem> {
        self.cells.as_ref().err()
    }

    /// A text cell; `None` when it is empty or absent.
    pub fn text(&self, name: &str) -> Result<Option<&str>, Problem> {
        match self.cell(name)? {
            None => Ok(None),
            Some(Cell::Text(text)) => Ok(Some(text)),
            Some(Cell::Json(Value::String(text))) => Ok(Some(text)),
            Some(Cell::Json(_)) => Err(Problem::invalid(format!("{name}: must be a string"))),
        }
    }

    pub fn required_text(&self, name: &str) -> Result<&str, Problem> {
        self.text(name)?.ok_or_else(|| missing(name))
    }

    /// A whole number; `None` when the cell is empty or absent.
    pub fn int(&self, name: &str) -> Result<Option<i64>, Problem> {
        match self.cell(name)? {
            None => Ok(None),
            Some(Cell::Text(text)) => text
                .parse::<i64>()
                .map(Some)
                .map_err(|_| Problem::invalid(format!("{name}: `{text}` is not a whole number"))),
            Some(Cell::Json(value)) => value
                .as_i64()
                .map(Some)
                .ok_or_else(|| Problem::invalid(format!("{name}: must be a whole number, not {value}"))),
        }
    }

    pub fn required_int(&self, name: &str) -> Result<i64, Problem> {
        self.int(name)?.ok_or_else(|| missing(name))
    }

    /// A list of texts: `;`-separated in CSV (blank items are dropped), an array of
    /// strings in JSON. `None` when the cell is empty or absent.
    pub fn list(&self, name: &str) -> Result<Option<Vec<String>>, Problem> {
        match self.cell(name)? {
            None => Ok(None),
            Some(Cell::Text(text)) => Ok(Some(
                text.split(';').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect(),
            )),
            Some(Cell::Json(Value::Array(items))) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| Problem::invalid(format!("{name}: must be a list of strings"))),
            Some(Cell::Json(_)) => Err(Problem::invalid(format!("{name}: must be a list of strings"))),
        }
    }

    /// Refuses a value in a column that rows of this kind do not take.
    pub fn absent(&self, names: &[&str], why: &str) -> Result<(), Problem> {
        for name in names {
            if self.cell(name)?.is_some() {
                return Err(Problem::invalid(format!("{name}: {why}")));
            }
        }
        Ok(())
    }
}

fn missing(name: &str) -> Problem {
    Problem::invalid(format!("{name}: missing"))
}

/// An import file opened for reading, its header (for CSV) checked.
#[derive(Debug)]
pub struct Source<R = File> {
    reader: Reader<R>,
    columns: &'static Columns,
    /// Data rows read so far.
    rows: u64,
    /// The file's size in bytes, for progress.
    pub len: u64,
}

#[derive(Debug)]
enum Reader<R> {
    Csv { reader: csv::Reader<R>, names: Vec<&'static str>, record: csv::ByteRecord },
    Jsonl { reader: BufReader<R>, line: Vec<u8>, position: u64 },
}

impl Source {
    /// Opens `path`; an error is a usage error: the file cannot be read, or its header
    /// names an unknown column, a column twice, or leaves out a required one.
    pub fn open(path: &Path, format: Format, columns: &'static Columns) -> Result<Source, String> {
        let shown = path.display();
        let file = File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let len = file.metadata().map_err(|e| format!("cannot read {shown}: {e}"))?.len();
        Source::new(file, len, &shown.to_string(), format, columns)
    }
}

impl<R: Read> Source<R> {
    /// Reads an import file of `len` bytes from `file`, named `shown` in errors; an error is
    /// as `open`'s.
    pub fn new(
        file: R,
        len: u64,
        shown: &str,
        format: Format,
        columns: &'static Columns,
    ) -> Result<Source<R>, String> {
        let reader = match format {
            Format::Jsonl => Reader::Jsonl { reader: BufReader::new(file), line: Vec::new(), position: 0 },
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .trim(csv::Trim::All)
                    .from_reader(file);
                let mut header = csv::StringRecord::new();
                let read =
                    reader.read_record(&mut header).map_err(|e| format!("cannot read {shown}: {e}"))?;
                if !read {
                    return Err(format!(
                        "{shown} is empty: its first line must name the columns ({})",
                        columns.all.join(", ")
                    ));
                }
                let names = header_names(&header, columns).map_err(|e| format!("{shown}: {e}"))?;
                Reader::Csv { reader, names, record: csv::ByteRecord::new() }
            }
        };
        Ok(Source { reader, columns, rows: 0, len })
    }

    /// The next data row; an error is one reading the file, which ends the import.
    pub fn next_row(&mut self) -> io::Result<Option<Row>> {
        let cells = match &mut self.reader {
            Reader::Csv { reader, names, record } => {
                match reader.read_byte_record(record) {
                    Ok(false) => return Ok(None),
                    Ok(true) => {}
                    Err(e) => match e.into_kind() {
                        csv::ErrorKind::Io(e) => return Err(e),
                        other => return Err(io::Error::other(format!("{other:?}"))),
                    },
                }
                self.rows += 1;
                csv_cells(names, record)
            }
            Reader::Jsonl { reader, line, position } => loop {
                line.clear();
                let read = reader.read_until(b'\n', line)?;
                if read == 0 {
                    return Ok(None);
                }
                *position += read as u64;
                // A blank line is no row, but it keeps its number, so row N is line N.
                self.rows += 1;
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                break json_cells(line, self.columns);
            },
        };
        Ok(Some(Row { number: self.rows, cells }))
    }

    /// The number the next row will have, if there is one.
    pub fn next_number(&self) -> u64 {
        self.rows + 1
    }

    /// How far into the file reading has come, in bytes.
    pub fn position(&self) -> u64 {
        match &self.reader {
            Reader::Csv { reader, .. } => reader.position().byte(),
            Reader::Jsonl { position, .. } => *position,
        }
    }
}

fn header_names(header: &csv::StringRecord, columns: &Columns) -> Result<Vec<&'static str>, String> {
    let mut names: Vec<&'static str> = Vec::with_capacity(header.len());
    for (i, given) in header.iter().enumerate() {
        let given = if i == 0 { given.trim_start_matches('\u{feff}') } else { given };
        let Some(name) = columns.all.iter().find(|c| **c == given) else {
            return Err(format!("unknown column `{given}`; the columns are: {}", columns.all.join(", ")));
        };
        if names.contains(name) {
            return Err(format!("the column `{name}` appears twice"));
        }
        names.push(name);
    }
    if let Some(missing) = columns.required.iter().find(|c| !names.contains(c)) {
        return Err(format!("there is no column `{missing}`, which every row needs"));
    }
    Ok(names)
}

fn csv_cells(names: &[&'static str], record: &csv::ByteRecord) -> Result<Cells, Problem> {
    if record.len() != names.len() {
        return Err(Problem::new(
            "malformed_row",
            format!("{} fields where the header has {}", record.len(), names.len()),
        ));
    }
    names
        .iter()
        .zip(record.iter())
        .map(|(name, bytes)| {
            std::str::from_utf8(bytes)
                .map(|text| (*name, text.to_owned()))
                .map_err(|_| Problem::new("malformed_row", format!("{name}: not UTF-8 text")))
        })
        .collect::<Result<_, _>>()
        .map(Cells::Csv)
}

fn json_cells(line: &[u8], columns: &Columns) -> Result<Cells, Problem> {
    let value: Value = serde_json::from_slice(line).map_err(|e| {
        // The row is one line, so only the column says where.
        let text = e.to_string();
        let what = text.split(" at line ").next().unwrap_or(&text);
        Problem::new("malformed_json", format!("not JSON: {what} at column {}", e.column()))
    })?;
    let Value::Object(object) = value else {
        return Err(Problem::new("malformed_json", "a row must be a JSON object"));
    };
    if let Some(unknown) = object.keys().find(|k| !columns.all.contains(&k.as_str())) {
        return Err(Problem::invalid(format!(
            "unknown field `{unknown}`; the fields are: {}",
            columns.all.join(", ")
        )));
    }
    Ok(Cells::Json(object))
}
