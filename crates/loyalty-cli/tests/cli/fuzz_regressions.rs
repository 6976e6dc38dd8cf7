//! The inputs the `import_row` fuzz target ever crashed on (and a seed or two), fed to the
//! same row reader: each row must be read or refused, never panic.

use loyalty_testkit::fuzz::replay_regressions;

#[test]
fn import_files_found_by_fuzzing_do_not_panic() {
    replay_regressions("import_row", loyalty_cli::fuzz_import_rows);
}
