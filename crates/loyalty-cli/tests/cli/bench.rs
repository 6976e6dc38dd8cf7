//! `loyalty bench` runs end to end on a small workload and leaves nothing behind. It
//! asserts what the report says, never how fast anything was.

use super::*;
use loyalty_testkit::db::DEFAULT_POSTGRES;
use loyalty_testkit::retail_path;

fn check_report(output: &Output) {
    assert!(output.status.success(), "{}{}", stdout(output), stderr(output));
    let out = stdout(output);
    assert!(out.contains("workload: 20 members; 300 events:"), "{out}");
    for path in [
        "| decide, 10-line basket (pure, one core) |",
        "| decide + apply in memory (one core) | 300 |",
        "| engine store path, 1 at a time | 300 |",
        "| raw SQL baseline, 1 at a time | 300 | 0 |",
        "| engine store path, 4 at a time | 300 |",
        "| raw SQL baseline, 4 at a time | 300 | 0 |",
        "| HTTP, one event per request, 4 clients | 300 |",
    ] {
        assert!(out.contains(path), "no `{path}` in:\n{out}");
    }
    assert!(out.contains("engine / raw SQL: "), "{out}");
    assert!(out.contains("verify after the run: clean"), "{out}");
}

const SMALL: [&str; 6] = ["--members", "20", "--events", "300", "--concurrency", "4"];

#[test]
fn bench_measures_every_path_on_a_new_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench.db");
    let database = format!("sqlite://{}", file.display());
    check_report(&run(loyalty().arg("bench").args(SMALL).args(["--database", &database])));
    let again = run(loyalty().arg("bench").args(SMALL).args(["--database", &database]));
    assert_eq!(again.status.code(), Some(2), "it never writes to an existing file");
    assert!(stderr(&again).contains("exists; the benchmark writes only to a new file"), "{}", stderr(&again));
}

#[test]
fn bench_runs_the_retail_example_with_its_windows_counters_and_caps() {
    let retail = retail_path();
    let output = run(loyalty().arg("bench").args(SMALL).arg("--program").arg(&retail));
    check_report(&output);
    assert!(stdout(&output).contains("program: `retail` (19 earning rules)"), "{}", stdout(&output));
}

#[test]
fn bench_measures_every_path_on_postgres_and_drops_its_scratch_database() {
    let server = std::env::var("LOYALTY_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
    let output = run(loyalty().arg("bench").args(SMALL).args(["--database", &server]));
    check_report(&output);
    let name = stdout(&output)
        .split("scratch database ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .unwrap();
    let left = Command::new("psql")
        .args([server.as_str(), "-Atc"])
        .arg(format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&left.stdout).trim(), "0", "{name} was left behind");
}

#[test]
fn bench_refuses_empty_workloads() {
    let none = run(loyalty().args(["bench", "--events", "0"]));
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("--members, --events and --concurrency must be at least 1"));
}
