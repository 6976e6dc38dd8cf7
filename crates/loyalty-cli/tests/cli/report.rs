//! `loyalty report`: the reports the API serves, from a database, in JSON and CSV.

use super::*;
use loyalty_testkit::{TestApp, TestDb, at, each_backend, retail_path};
use serde_json::json;

each_backend!(the_reports_come_from_the_command_line_as_from_the_api);

async fn the_reports_come_from_the_command_line_as_from_the_api(db: TestDb) {
    let app = TestApp::start_with(db, &retail_path()).await;
    app.clock.set(at("2026-11-20T10:00:00Z"));
    assert_eq!(app.post("/v1/members", json!({"external_id": "ada"})).await.status, 201);
    let redeemed =
        app.post("/v1/members/ada/adjustments", json!({"points": 1900, "reason": "migration"})).await;
    assert_eq!(redeemed.status, 201);
    assert_eq!(app.post("/v1/members/ada/redemptions", json!({"reward": "voucher-10"})).await.status, 201);
    let database = app.db.url_text();
    let report = |args: &[&str]| {
        let mut command = loyalty();
        command.args(["report"]).args(args).args(["--database", &database, "--now", "2026-11-30T12:00:00Z"]);
        run(&mut command)
    };

    let csv = report(&["liability", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "csv"]);
    assert_eq!(csv.status.code(), Some(0), "{}", stderr(&csv));
    assert_eq!(
        stdout(&csv),
        "unit,tier,opening,issued,redeemed,expired,donated,adjusted,return_loss,closing\n\
         points,none,0,100,1000,0,0,1900,0,1000\n\
         points,total,0,100,1000,0,0,1900,0,1000\n\
         minor_units,none,0,100,1000,0,0,1900,0,1000\n\
         minor_units,total,0,100,1000,0,0,1900,0,1000\n"
    );
    let api = app.get("/v1/reports/liability?from=2026-11-01&to=2026-11-30").await.body;
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&report(&["liability", "--from", "2026-11-01"]))).unwrap();
    assert_eq!(json, api);

    let kpis = report(&["kpis", "--format", "csv"]);
    assert!(stdout(&kpis).contains("enrolments,1\n"), "{}", stdout(&kpis));
    let breakage: serde_json::Value = serde_json::from_str(&stdout(&report(&["breakage"]))).unwrap();
    assert_eq!((&breakage["outstanding"], &breakage["rate"]), (&json!(1000), &json!("0")));

    let bad = report(&["liability", "--from", "2026-12-01", "--to", "2026-11-01"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        stderr(&bad),
        "error: to: the period from 2026-12-01 to 2026-11-01 is empty; it must end after it starts\n"
    );
    // Every report reads an RFC 3339 instant as well as a day, and refuses the same way.
    let instants = report(&["kpis", "--from", "2026-10-31T23:00:00Z", "--to", "2026-11-30T23:00:00Z"]);
    let instants: serde_json::Value = serde_json::from_str(&stdout(&instants)).unwrap();
    let days: serde_json::Value =
        serde_json::from_str(&stdout(&report(&["kpis", "--from", "2026-11-01"]))).unwrap();
    assert_eq!(instants["points_earned"], days["points_earned"]);
    assert_eq!(instants["from"], "2026-10-31T23:00:00Z");
    for kind in ["liability", "kpis", "breakage"] {
        let bad = report(&[kind, "--to", "2026-11-30T12:00"]);
        assert_eq!(
            (bad.status.code(), stderr(&bad)),
            (
                Some(2),
                "error: to: `2026-11-30T12:00` is neither a day like 2026-11-30 nor an RFC 3339 time like 2026-11-30T09:00:00Z\n"
                    .to_owned()
            ),
            "{kind}"
        );
    }
    let unknown = report(&["kpis", "--program", "nope"]);
    assert_eq!(stderr(&unknown), "error: there is no program `nope`; the database holds: retail\n");
}
