//! `loyalty import`'s rows: a CSV or JSON Lines file read row by row and cell by cell, as
//! the members and events importers read it. The first byte chooses the kind and format
//! (see `loyalty_cli::fuzz_import_rows`). A refused row is fine; a panic is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| loyalty_cli::fuzz_import_rows(data));
