use super::*;
use loyalty_testkit::{TestDb, each_backend};

each_backend!(
    a_retried_write_returns_the_first_result_and_changes_nothing,
    a_reused_key_with_another_body_is_409,
    an_order_id_is_recorded_once,
);

async fn a_retried_write_returns_the_first_result_and_changes_nothing(db: TestDb) {
    let app = TestApp::start(db).await;
    let enrol = json!({"external_id": "c-1001", "name": "Ada"});
    let first = app.post_keyed("/v1/members", "enrol-1", enrol.clone()).await;
    let retry = app.post_keyed("/v1/members", "enrol-1", enrol).await;
    assert_eq!((first.status, retry.status), (201, 201));
    assert_eq!(first.body, retry.body);
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));

    let first = app.post_keyed("/v1/events", "buy-1", order_o1()).await;
    // The clock moves on; a retry still answers what the first request got.
    app.clock.set(loyalty_testkit::at("2026-11-02T13:00:00Z"));
    let retry = app.post_keyed("/v1/events", "buy-1", order_o1()).await;
    assert_eq!(first.body, retry.body);
    assert_eq!((available(&app, "c-1001").await, entry_count(&app, "c-1001").await), (160, 1));

    let adjust = json!({"points": 7, "reason": "birthday cake"});
    let first = app.post_keyed("/v1/members/c-1001/adjustments", "adj-1", adjust.clone()).await;
    let retry = app.post_keyed("/v1/members/c-1001/adjustments", "adj-1", adjust).await;
    assert_eq!((first.status, retry.status, retry.body == first.body), (201, 201, true));
    assert_eq!((available(&app, "c-1001").await, entry_count(&app, "c-1001").await), (167, 2));
}

async fn a_reused_key_with_another_body_is_409(db: TestDb) {
    let app = with_purchase(db).await;
    let first =
        app.post_keyed("/v1/members/c-1001/redemptions", "k-1", json!({"reward": "free-drink"})).await;
    assert_eq!(first.status, 201);
    let other_body =
        app.post_keyed("/v1/members/c-1001/redemptions", "k-1", json!({"reward": "pastry-voucher"})).await;
    assert_eq!((other_body.status, other_body.code()), (409, "idempotency_key_reused"));
    // The same key on another route or for another member is another request too.
    let other_route =
        app.post_keyed("/v1/members/c-1001/adjustments", "k-1", json!({"points": 1, "reason": "x"})).await;
    assert_eq!((other_route.status, other_route.code()), (409, "idempotency_key_reused"));
    app.post("/v1/members", json!({"external_id": "c-2002"})).await;
    let other_member =
        app.post_keyed("/v1/members/c-2002/redemptions", "k-1", json!({"reward": "free-drink"})).await;
    assert_eq!((other_member.status, other_member.code()), (409, "idempotency_key_reused"));
    assert_eq!((available(&app, "c-1001").await, entry_count(&app, "c-1001").await), (70, 2));
    let bad_key =
        app.post_keyed("/v1/members/c-1001/redemptions", "has space", json!({"reward": "free-drink"})).await;
    assert_eq!((bad_key.status, bad_key.code()), (422, "invalid_request"));
}

async fn an_order_id_is_recorded_once(db: TestDb) {
    let app = with_purchase(db).await;
    let same = app.post("/v1/events", order_o1()).await;
    assert_eq!((same.status, same.body["points_awarded"].as_i64()), (201, Some(160)));
    assert_eq!(same.header("idempotent-replayed"), Some("true"));
    let mut changed = order_o1();
    changed["lines"][0]["quantity"] = json!(3);
    let conflict = app.post("/v1/events", changed).await;
    assert_eq!((conflict.status, conflict.code()), (409, "order_already_recorded"));
    let with_new_key = app.post_keyed("/v1/events", "fresh-key", order_o1()).await;
    assert_eq!((with_new_key.status, with_new_key.body["points_awarded"].as_i64()), (201, Some(160)));
    assert_eq!((available(&app, "c-1001").await, entry_count(&app, "c-1001").await), (160, 1));
}
