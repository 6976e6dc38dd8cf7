//! A program file (`loyalty serve --program`, `loyalty check`): TOML text read, shaped and
//! validated by `program_file::parse`. A refusal is fine; a panic is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A program file is read as UTF-8 text before it is parsed.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = loyalty_server::program_file::parse("fuzz.toml", text);
    }
});
