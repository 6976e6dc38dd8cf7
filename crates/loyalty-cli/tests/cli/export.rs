//! `loyalty export`: members, ledger postings, reward codes and the audit trail as CSV and JSON Lines, on
//! both backends, byte for byte.

use super::*;
use loyalty_testkit::{TestApp, TestDb, at, bistro_path, each_backend};
use serde_json::json;

each_backend!(exports_members_ledger_and_rewards_in_both_formats, export_names_what_is_wrong);

/// Two members: one buys, redeems a drink and gets a reward code; the other is adjusted
/// with a reason that needs quoting in CSV. Returns the app and the reward code.
async fn small_ledger(db: TestDb) -> (TestApp, String) {
    let app = TestApp::start(db).await;
    assert_eq!(
        app.post("/v1/members", json!({"external_id": "c-1001", "name": "Ann, Lee"})).await.status,
        201
    );
    app.clock.set(at("2026-11-02T12:05:00Z"));
    assert_eq!(app.post("/v1/members", json!({"external_id": "c-1002"})).await.status, 201);
    app.clock.set(at("2026-11-02T12:10:00.25Z"));
    let order = json!({"type": "purchase", "member": "c-1001", "order_id": "o-1",
        "lines": [{"sku": "latte", "category": "coffee", "quantity": 2, "unit_price_minor": 475}]});
    assert_eq!(app.post("/v1/events", order).await.status, 201);
    app.clock.set(at("2026-11-03T08:00:00Z"));
    let redeemed = app.post("/v1/members/c-1001/redemptions", json!({"reward": "free-drink"})).await;
    assert_eq!(redeemed.status, 201, "{:?}", redeemed.body);
    let code = redeemed.body["code"].as_str().unwrap().to_owned();
    app.clock.set(at("2026-11-04T09:30:00Z"));
    let adjusted = app
        .post(
            "/v1/members/c-1002/adjustments",
            json!({"points": 20, "reason": "Goodwill, \"sorry\" for the wait"}),
        )
        .await;
    assert_eq!(adjusted.status, 201, "{:?}", adjusted.body);
    (app, code)
}

/// Runs `loyalty export` with `args` and returns what it wrote to a file, checking that
/// stdout had the same, and what it said on stderr.
fn export(database: &str, args: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out");
    let to_file = run(loyalty()
        .args(["export", "--database", database])
        .args(args)
        .args(["--output", file.to_str().unwrap()]));
    assert_eq!(to_file.status.code(), Some(0), "{}", stderr(&to_file));
    assert_eq!(stdout(&to_file), "");
    let written = std::fs::read_to_string(&file).unwrap();
    let to_stdout = run(loyalty().args(["export", "--database", database]).args(args));
    assert_eq!(to_stdout.status.code(), Some(0), "{}", stderr(&to_stdout));
    assert_eq!(stdout(&to_stdout), written);
    (written, stderr(&to_file))
}

async fn exports_members_ledger_and_rewards_in_both_formats(db: TestDb) {
    let (app, code) = small_ledger(db).await;
    let database = app.db.url_text();

    let (members, said) = export(&database, &["members", "--format", "csv"]);
    assert_eq!(
        members,
        "external_id,status,tier,available,pending,pending_review,held,debt,enrolled_at,last_activity_at\n\
         c-1001,active,,5,0,0,0,0,2026-11-02T12:00:00Z,2026-11-03T08:00:00Z\n\
         c-1002,active,,20,0,0,0,0,2026-11-02T12:05:00Z,2026-11-02T12:05:00Z\n"
    );
    assert!(said.starts_with("exported 2 members of program coffee to "), "{said}");
    let (members, _) = export(&database, &["members", "--format", "jsonl"]);
    assert_eq!(
        members,
        concat!(
            r#"{"external_id":"c-1001","status":"active","tier":null,"available":5,"pending":0,"pending_review":0,"held":0,"debt":0,"enrolled_at":"2026-11-02T12:00:00Z","last_activity_at":"2026-11-03T08:00:00Z"}"#,
            "\n",
            r#"{"external_id":"c-1002","status":"active","tier":null,"available":20,"pending":0,"pending_review":0,"held":0,"debt":0,"enrolled_at":"2026-11-02T12:05:00Z","last_activity_at":"2026-11-02T12:05:00Z"}"#,
            "\n",
        )
    );

    let (ledger, said) = export(&database, &["ledger", "--format", "csv"]);
    assert_eq!(
        ledger,
        "entry,member,kind,memo,occurred_at,recorded_at,account,amount\n\
         1,c-1001,purchase,o-1,2026-11-02T12:10:00.25Z,2026-11-02T12:10:00.25Z,program:issued,-95\n\
         1,c-1001,purchase,o-1,2026-11-02T12:10:00.25Z,2026-11-02T12:10:00.25Z,member:available,95\n\
         2,c-1001,redemption,free-drink,2026-11-03T08:00:00Z,2026-11-03T08:00:00Z,member:available,-90\n\
         2,c-1001,redemption,free-drink,2026-11-03T08:00:00Z,2026-11-03T08:00:00Z,program:redeemed,90\n\
         3,c-1002,adjustment,\"Goodwill, \"\"sorry\"\" for the wait\",2026-11-04T09:30:00Z,2026-11-04T09:30:00Z,program:adjusted,-20\n\
         3,c-1002,adjustment,\"Goodwill, \"\"sorry\"\" for the wait\",2026-11-04T09:30:00Z,2026-11-04T09:30:00Z,member:available,20\n"
    );
    assert!(
        said.starts_with("exported 6 ledger postings of 3 journal entries of program coffee to "),
        "{said}"
    );
    let (ledger, _) = export(&database, &["ledger", "--format", "jsonl"]);
    let lines: Vec<&str> = ledger.lines().collect();
    assert_eq!(lines.len(), 6, "{ledger}");
    assert_eq!(
        lines[0],
        r#"{"entry":1,"member":"c-1001","kind":"purchase","memo":"o-1","occurred_at":"2026-11-02T12:10:00.25Z","recorded_at":"2026-11-02T12:10:00.25Z","account":"program:issued","amount":-95}"#
    );
    assert_eq!(
        lines[5],
        r#"{"entry":3,"member":"c-1002","kind":"adjustment","memo":"Goodwill, \"sorry\" for the wait","occurred_at":"2026-11-04T09:30:00Z","recorded_at":"2026-11-04T09:30:00Z","account":"member:available","amount":20}"#
    );
    let parsed: Vec<serde_json::Value> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let amounts: Vec<i64> = parsed.iter().map(|v| v["amount"].as_i64().unwrap()).collect();
    assert_eq!(amounts, [-95, 95, -90, 90, -20, 20]);
    assert_eq!(parsed[4]["memo"], "Goodwill, \"sorry\" for the wait");

    let (rewards, said) = export(&database, &["rewards", "--format", "csv"]);
    assert_eq!(
        rewards,
        format!(
            "code,member,reward,kind,state,points,issued_at,expires_at,order_id,value_minor,balance_minor,charity\n\
             {code},c-1001,free-drink,product,issued,90,2026-11-03T08:00:00Z,,,,,\n"
        )
    );
    assert!(said.starts_with("exported 1 reward codes of program coffee to "), "{said}");
    let (rewards, _) = export(&database, &["rewards", "--format", "jsonl"]);
    assert_eq!(
        rewards,
        format!(
            r#"{{"code":"{code}","member":"c-1001","reward":"free-drink","kind":"product","state":"issued","points":90,"issued_at":"2026-11-03T08:00:00Z","expires_at":null,"order_id":null,"value_minor":null,"balance_minor":null,"charity":null}}"#
        ) + "\n"
    );

    // The audit trail: the five writes, the adjustment with its before and after.
    let (audit, said) = export(&database, &["audit", "--format", "jsonl"]);
    let rows: Vec<serde_json::Value> = audit.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let actions: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r["action"].as_str().unwrap(), r["actor"].as_str().unwrap(), r["member"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("enrol_member", "key:1", "c-1001"),
            ("enrol_member", "key:1", "c-1002"),
            ("record_event", "key:1", "c-1001"),
            ("redeem", "key:1", "c-1001"),
            ("adjust", "key:1", "c-1002"),
        ]
    );
    assert_eq!(
        (&rows[4]["at"], &rows[4]["actor_name"]),
        (&json!("2026-11-04T09:30:00Z"), &json!("bootstrap admin key (admin key)"))
    );
    let before: serde_json::Value = serde_json::from_str(rows[4]["before"].as_str().unwrap()).unwrap();
    let after: serde_json::Value = serde_json::from_str(rows[4]["after"].as_str().unwrap()).unwrap();
    assert_eq!((&before["balance"]["available"], &after["balance"]["available"]), (&json!(0), &json!(20)));
    assert!(said.starts_with("exported 5 audit entries of program coffee to "), "{said}");
    let (audit_csv, _) = export(&database, &["audit", "--format", "csv"]);
    assert!(
        audit_csv.starts_with("id,at,actor,actor_name,action,path,member,request_id,before,after\n1,2026-11-02T12:00:00Z,key:1,bootstrap admin key (admin key),enrol_member,/v1/members,c-1001,"),
        "{audit_csv}"
    );

    // Pages of one row (one entry for the ledger) join up to the very same output.
    for what in ["members", "ledger", "rewards", "audit"] {
        for format in ["csv", "jsonl"] {
            let (whole, _) = export(&database, &[what, "--format", format]);
            let (paged, _) =
                export(&database, &[what, "--format", format, "--program", "coffee", "--page-size", "1"]);
            assert_eq!(paged, whole, "{what} as {format}");
        }
    }
}

async fn export_names_what_is_wrong(db: TestDb) {
    let (app, _) = small_ledger(db).await;
    let app = app.restart(Some(&bistro_path())).await;
    let database = app.db.url_text();
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept.csv");
    std::fs::write(&kept, "what was there\n").unwrap();
    let kept_text = kept.to_str().unwrap();

    let several = run(loyalty().args(["export", "members", "--format", "csv", "--database", &database]));
    assert_eq!(several.status.code(), Some(2));
    assert_eq!(
        stderr(&several),
        "error: the database holds several programs (coffee, bistro); name one with --program\n"
    );
    let unknown = run(loyalty().args([
        "export",
        "members",
        "--format",
        "csv",
        "--program",
        "tea",
        "--database",
        &database,
        "--output",
        kept_text,
    ]));
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(stderr(&unknown), "error: there is no program `tea`; the database holds: coffee, bistro\n");
    assert_eq!(stdout(&unknown), "");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "what was there\n");

    let bad = run(loyalty().args([
        "export",
        "members",
        "--format",
        "xml",
        "--program",
        "coffee",
        "--database",
        &database,
    ]));
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("invalid value 'xml' for '--format <FORMAT>'"), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("[possible values: csv, jsonl]"), "{}", stderr(&bad));
    let bad = run(loyalty().args(["export", "people", "--format", "csv", "--database", &database]));
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("[possible values: members, ledger, rewards, audit]"), "{}", stderr(&bad));

    let nowhere = dir.path().join("no-such-dir").join("out.csv");
    let nowhere_text = nowhere.to_str().unwrap();
    let unwritable = run(loyalty().args([
        "export",
        "ledger",
        "--format",
        "csv",
        "--program",
        "coffee",
        "--database",
        &database,
        "--output",
        nowhere_text,
    ]));
    assert_eq!(unwritable.status.code(), Some(2));
    assert!(
        stderr(&unwritable).starts_with(&format!("error: cannot write {nowhere_text}: ")),
        "{}",
        stderr(&unwritable)
    );

    // The other program is there, and has no members yet.
    let (empty, said) = export(&database, &["members", "--format", "csv", "--program", "bistro"]);
    assert_eq!(
        empty,
        "external_id,status,tier,available,pending,pending_review,held,debt,enrolled_at,last_activity_at\n"
    );
    assert!(said.starts_with("exported 0 members of program bistro to "), "{said}");
    let (empty, _) = export(&database, &["ledger", "--format", "jsonl", "--program", "bistro"]);
    assert_eq!(empty, "");
}

#[test]
fn export_refuses_a_missing_or_unreachable_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite://{}", dir.path().join("nothing.db").display());
    let result = run(loyalty().args(["export", "members", "--format", "csv", "--database", &missing]));
    assert_eq!(result.status.code(), Some(2));
    assert!(stderr(&result).contains("there is no database at"), "{}", stderr(&result));
    assert!(!dir.path().join("nothing.db").exists());

    // Nothing listens on port 1: the answer comes at once, not after the pool's timeout.
    let started = std::time::Instant::now();
    let closed = "postgres://postgres:secret@127.0.0.1:1/loyalty";
    let result = run(loyalty().args(["export", "ledger", "--format", "jsonl", "--database", closed]));
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).starts_with("error: cannot reach postgres://postgres:***@127.0.0.1:1/loyalty: "),
        "{}",
        stderr(&result)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(stdout(&result), "");
}
