use super::*;
use loyalty_testkit::{TestApp, TestDb, each_backend};
use serde_json::json;

each_backend!(verify_and_replay_pass_on_a_sound_ledger_and_name_damage);

async fn demo_ledger(db: TestDb) -> TestApp {
    let app = TestApp::start(db).await;
    app.post("/v1/members", json!({"external_id": "c-1001"})).await;
    let order = json!({"type": "purchase", "member": "c-1001", "order_id": "o-1",
        "lines": [{"sku": "latte", "category": "coffee", "quantity": 2, "unit_price_minor": 475}]});
    assert_eq!(app.post("/v1/events", order).await.status, 201);
    assert_eq!(app.post("/v1/members/c-1001/redemptions", json!({"reward": "free-drink"})).await.status, 201);
    app
}

async fn verify_and_replay_pass_on_a_sound_ledger_and_name_damage(db: TestDb) {
    let app = demo_ledger(db).await;
    let database = app.db.url_text();

    let sound = run(loyalty().args(["verify", "--database", &database]));
    assert_eq!(sound.status.code(), Some(0), "{}", stdout(&sound));
    assert!(stdout(&sound).contains("3 events, 2 journal entries, 1 members, 1 lots"), "{}", stdout(&sound));
    assert!(stdout(&sound).contains("ok: entries balance"));
    let replayed = run(loyalty().args(["replay", "--database", &database]));
    assert_eq!(replayed.status.code(), Some(0), "{}{}", stdout(&replayed), stderr(&replayed));
    assert!(
        stdout(&replayed).contains("replayed 3 events: every balance, lot, entry, reward and order matches")
    );

    let raw = app.db.raw().await;
    sqlx::query("UPDATE postings SET amount = 91 WHERE account = 'program:redeemed'")
        .execute(&raw)
        .await
        .unwrap();
    sqlx::query("UPDATE members SET available = 50").execute(&raw).await.unwrap();
    raw.close().await;

    let broken = run(loyalty().args(["verify", "--database", &database]));
    assert_eq!(broken.status.code(), Some(1));
    let out = stdout(&broken);
    assert!(out.contains("invariant 1 broken: journal entry 2 has 2 postings summing to 1"), "{out}");
    assert!(out.contains("invariant 1 broken: postings of program 1 sum to 1"), "{out}");
    assert!(
        out.contains("invariant 2 broken: member c-1001 (id 1) shows available 50 but its postings sum to 5"),
        "{out}"
    );
    assert!(
        out.contains("invariant 4 broken: program coffee: member c-1001: available is 50, expected 5"),
        "{out}"
    );

    let replay = run(loyalty().args(["replay", "--database", &database]));
    assert_eq!(replay.status.code(), Some(1), "{}", stdout(&replay));
    let out = stdout(&replay);
    assert!(out.contains("the database differs from its event log"), "{out}");
    assert!(out.contains("program coffee: member c-1001: available is 50, expected 5"), "{out}");
    assert!(
        out.contains("journal entry 2 is redemption [member:available -90, program:redeemed 91], expected redemption [member:available -90, program:redeemed 90]"),
        "{out}"
    );
}

#[test]
fn verify_and_replay_refuse_a_database_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite://{}", dir.path().join("nothing.db").display());
    for command in ["verify", "replay"] {
        let result = run(loyalty().args([command, "--database", &missing]));
        assert_eq!(result.status.code(), Some(2));
        assert!(stderr(&result).contains("there is no database at"), "{}", stderr(&result));
    }
    assert!(!dir.path().join("nothing.db").exists());
}
