use super::*;
use loyalty_testkit::TestApp;
use serde_json::json;

#[tokio::test]
async fn verify_passes_on_a_sound_ledger_and_names_a_hand_broken_posting() {
    let app = TestApp::start(loyalty_testkit::TestDb::sqlite()).await;
    app.post("/v1/members", json!({"external_id": "c-1001"})).await;
    let order = json!({"type": "purchase", "member": "c-1001", "order_id": "o-1",
        "lines": [{"sku": "latte", "category": "coffee", "quantity": 2, "unit_price_minor": 475}]});
    assert_eq!(app.post("/v1/events", order).await.status, 201);
    assert_eq!(app.post("/v1/members/c-1001/redemptions", json!({"reward": "free-drink"})).await.status, 201);
    let database = app.db.url_text();

    let sound = run(loyalty().args(["verify", "--database", &database]));
    assert_eq!(sound.status.code(), Some(0), "{}", stdout(&sound));
    assert!(stdout(&sound).contains("ok: every entry balances"));

    let raw = app.db.raw().await;
    sqlx::query("UPDATE postings SET amount = 91 WHERE account = 'program:redeemed'")
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;
    let broken = run(loyalty().args(["verify", "--database", &database]));
    assert_eq!(broken.status.code(), Some(1));
    let out = stdout(&broken);
    assert!(out.contains("invariant 1 broken: journal entry 2 has 2 postings summing to 1"), "{out}");
    assert!(out.contains("invariant 1 broken: postings of program 1 sum to 1"), "{out}");
    assert!(out.contains("2 problems found"), "{out}");
}

#[test]
fn verify_refuses_a_database_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite://{}", dir.path().join("nothing.db").display());
    let result = run(loyalty().args(["verify", "--database", &missing]));
    assert_eq!(result.status.code(), Some(2));
    assert!(stderr(&result).contains("there is no database at"), "{}", stderr(&result));
    assert!(!dir.path().join("nothing.db").exists());
}
