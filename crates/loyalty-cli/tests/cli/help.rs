//! The help texts say what the commands do: those that read or repair a database open an
//! existing one and say so, and refuse a missing file rather than make one.

use super::*;
use loyalty_server::jobs::Job;

/// The help of `args`, with its line breaks and indents made single spaces.
fn help(args: &[&str]) -> String {
    let out = run(loyalty().args(args).arg("--help"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Each command that opens an existing database: the words that name it, then the rest of
/// a run of it.
const EXISTING: &[(&[&str], &[&str])] = &[
    (&["verify"], &[]),
    (&["replay"], &[]),
    (&["export"], &["members", "--format", "csv"]),
    (&["report"], &["liability"]),
    (&["jobs", "run"], &[]),
    (&["keys", "rotate"], &["--program", "coffee"]),
    (&["keys", "create"], &["--program", "coffee", "--name", "till", "--role", "pos"]),
    (&["keys", "list"], &["--program", "coffee"]),
    (&["keys", "revoke"], &["--program", "coffee", "--id", "2"]),
];

#[test]
fn commands_that_open_a_database_say_it_must_exist_and_refuse_a_missing_file() {
    for (command, rest) in EXISTING {
        let text = help(command);
        assert!(text.contains("existing database"), "{command:?}: {text}");
        assert!(
            text.contains(
                "The existing database: sqlite://PATH (a missing file is an error; none is created)"
            ),
            "{command:?}: {text}"
        );
        assert!(!text.contains("created if missing"), "{command:?}: {text}");
        // And the list of commands says so on the command's own line.
        let parent = &command[..command.len() - 1];
        let listed = run(loyalty().args(parent).arg("--help"));
        let name = command[command.len() - 1];
        let line = stdout(&listed)
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .map(str::to_owned)
            .unwrap_or_default();
        assert!(line.contains("existing database"), "{command:?}: {line:?}");

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("missing.db");
        let database = format!("sqlite://{}", file.display());
        let out = run(loyalty().args(*command).args(*rest).args(["--database", &database]));
        assert_eq!(out.status.code(), Some(2), "{command:?}: {}{}", stdout(&out), stderr(&out));
        assert!(
            stderr(&out).contains(&format!("there is no database at {}", file.display())),
            "{command:?}: {}",
            stderr(&out)
        );
        assert!(!file.exists(), "{command:?} created {}", file.display());
    }
    // Serving and importing make a new database, and say so.
    assert!(help(&["serve"]).contains("created if missing"));
    assert!(help(&["import"]).contains("created if missing"));
}

#[test]
fn jobs_help_names_every_job() {
    for args in [&["jobs"][..], &["jobs", "run"], &[]] {
        let text = help(args).to_lowercase();
        for job in Job::ALL {
            assert!(text.contains(job.name()), "{args:?} does not name {}: {text}", job.name());
        }
    }
}
