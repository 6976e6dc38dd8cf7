//! What fuzzing found, kept as tests: every file in `fuzz/regressions/<target>/` is an
//! input that once crashed a parser (or a seed), fed again on every test run.

use std::panic::{self, RefUnwindSafe};
use std::path::PathBuf;

/// The directory of a fuzz target's regression inputs.
pub fn regressions_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions").join(target)
}

/// Feeds each file in `fuzz/regressions/<target>/` to `parse`, as the fuzz target does,
/// and fails naming every file it panicked on. The directory must exist and hold a file,
/// so that a renamed target cannot leave the test checking nothing.
pub fn replay_regressions(target: &str, parse: impl Fn(&[u8]) + RefUnwindSafe) {
    let dir = regressions_dir(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> =
        entries.map(|entry| entry.unwrap().path()).filter(|path| path.is_file()).collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    let panicked: Vec<String> = files
        .iter()
        .filter(|path| {
            let input = std::fs::read(path).unwrap();
            panic::catch_unwind(|| parse(&input)).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(panicked.is_empty(), "{target} panicked on: {}", panicked.join(", "));
}
