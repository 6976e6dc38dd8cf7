//! `loyalty jobs run`: the jobs over a whole database, killed halfway and run again, do
//! each piece of work exactly once.

use super::*;
use loyalty_testkit::{TestApp, TestDb, bistro_path, each_backend};
use serde_json::json;
use sqlx::AssertSqlSafe;

each_backend!(a_killed_job_run_resumes_and_does_each_release_once);

const MEMBERS: usize = 600;

async fn a_killed_job_run_resumes_and_does_each_release_once(db: TestDb) {
    let app = TestApp::start_with(db, &bistro_path()).await;
    for i in 0..MEMBERS {
        let member = format!("b-{i}");
        assert_eq!(app.post("/v1/members", json!({"external_id": member})).await.status, 201);
        let bill = json!({"type": "purchase", "member": member, "order_id": format!("bill-{i}"),
            "lines": [{"sku": "menu", "quantity": 1, "unit_price_minor": 1000 + i % 100}]});
        assert_eq!(app.post("/v1/events", bill).await.status, 201);
    }
    let database = app.db.url_text();
    let jobs = || {
        let mut command = loyalty();
        command.args([
            "jobs",
            "run",
            "--database",
            &database,
            "--now",
            "2026-12-01T00:00:00Z",
            "--batch",
            "1",
        ]);
        command
    };

    // Killed as soon as it reports its first member done.
    let mut child = jobs().stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.find(|l| l.as_ref().is_ok_and(|l| l.contains("pending release: 1 handled")));
    assert!(first.is_some(), "the job run printed no progress");
    child.kill().unwrap();
    child.wait().unwrap();
    let released = || async { app.db.count("events WHERE kind = 'release_pending'").await };
    let at_kill = released().await;
    assert!((1..MEMBERS as i64).contains(&at_kill), "{at_kill} releases when the run was killed");

    let again = run(&mut jobs());
    assert_eq!(again.status.code(), Some(0), "{}{}", stdout(&again), stderr(&again));
    let out = stdout(&again);
    let rest = MEMBERS as i64 - at_kill;
    assert!(out.contains(&format!("bistro: 0 expired, {rest} released, 0 notices, 0 birthdays")), "{out}");
    assert_eq!(released().await, MEMBERS as i64);

    // Once more: nothing is left to do, and nothing is done twice.
    let third = run(&mut jobs());
    assert!(stdout(&third).contains("bistro: 0 expired, 0 released, 0 notices, 0 birthdays, 0 tier evaluations, 0 closed for inactivity, 0 holds expired, 0 reward codes expired, 0 already done"));
    let raw = app.db.raw().await;
    let pending: i64 = sqlx::query_scalar(AssertSqlSafe("SELECT CAST(SUM(pending) AS BIGINT) FROM members"))
        .fetch_one(&raw)
        .await
        .unwrap();
    let available: i64 =
        sqlx::query_scalar(AssertSqlSafe("SELECT CAST(SUM(available) AS BIGINT) FROM members"))
            .fetch_one(&raw)
            .await
            .unwrap();
    raw.close().await;
    // Each bill of 10.00 to 10.99 earns 10 points.
    assert_eq!((pending, available), (0, 10 * MEMBERS as i64));
    app.assert_consistent().await;
}

#[test]
fn jobs_run_explains_a_bad_time_and_a_missing_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite://{}", dir.path().join("nothing.db").display());
    let result = run(loyalty().args(["jobs", "run", "--database", &missing]));
    assert_eq!(result.status.code(), Some(2));
    assert!(stderr(&result).contains("there is no database at"), "{}", stderr(&result));
    let result = run(loyalty().args(["jobs", "run", "--database", &missing, "--now", "noon"]));
    assert_eq!(result.status.code(), Some(2));
    assert!(stderr(&result).contains("`noon` is not an RFC 3339 timestamp"), "{}", stderr(&result));
}
