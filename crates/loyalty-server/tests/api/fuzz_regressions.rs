//! The inputs the `program_file` and `event_decode` fuzz targets ever crashed on (and a
//! seed or two), fed to the same parsers: each must be refused or accepted, never panic.

use loyalty_core::Timestamp;
use loyalty_testkit::fuzz::replay_regressions;

#[test]
fn program_files_found_by_fuzzing_do_not_panic() {
    replay_regressions("program_file", |data| {
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = loyalty_server::program_file::parse("fuzz.toml", text);
        }
    });
}

#[test]
fn event_bodies_found_by_fuzzing_do_not_panic() {
    replay_regressions("event_decode", |data| {
        let _ = loyalty_server::decode_event(data, Timestamp::from_micros(1_767_225_600_000_000));
    });
}
