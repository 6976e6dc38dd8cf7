//! What the `loyalty` command shares with its tests and fuzz targets: how the rows of an
//! import file are read, from a file or from memory, before anything is imported.

pub mod rows;

use rows::{Columns, EVENT_COLUMNS, Format, MEMBER_COLUMNS, Source};

/// Reads `data` as an import file and every cell of every row as the importers read them:
/// the `import_row` fuzz target, and the tests that keep what it found. The first byte
/// chooses the file (`0` events CSV, `1` members CSV, `2` events JSON Lines, `3` members
/// JSON Lines, by its value modulo 4); the rest is the file. Whatever the bytes, it must
/// not panic.
#[doc(hidden)]
pub fn fuzz_import_rows(data: &[u8]) {
    let Some((choice, file)) = data.split_first() else { return };
    let columns: &'static Columns = if choice % 2 == 0 { &EVENT_COLUMNS } else { &MEMBER_COLUMNS };
    let format = if choice % 4 < 2 { Format::Csv } else { Format::Jsonl };
    let len = u64::try_from(file.len()).unwrap_or(u64::MAX);
    let Ok(mut source) = Source::new(file, len, "fuzz input", format, columns) else { return };
    while let Ok(Some(row)) = source.next_row() {
        let _ = row.problem();
        for name in columns.all {
            let _ = (row.text(name), row.int(name), row.list(name));
        }
        let _ = row.absent(columns.all, "fuzzing");
        let _ = source.position();
    }
}
