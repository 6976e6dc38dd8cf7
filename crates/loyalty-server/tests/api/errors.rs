//! Every bad input gets its exact status and code, and changes nothing.

use super::*;
use axum::http::Method;
use loyalty_testkit::{TestDb, each_backend};

each_backend!(
    malformed_bodies_are_refused_before_anything_else,
    lookups_of_unknown_things_are_404,
    line_limits_have_their_own_codes,
    returns_are_checked_against_what_was_bought,
    refusals_leave_the_balance_and_ledger_unchanged,
    routes_and_paths_are_checked,
    events_from_the_future_are_refused,
    duplicate_keys_are_refused_on_every_route_at_any_depth,
);

async fn malformed_bodies_are_refused_before_anything_else(db: TestDb) {
    let app = with_member(db).await;
    let cases = [
        (Some("{\"external_id\": "), None, 400, "malformed_json"),
        (Some("{\"external_id\": \"c-2\"}"), Some("text/plain"), 415, "unsupported_media_type"),
        (Some("{\"external_id\": 42}"), None, 422, "invalid_request"),
        (Some("{\"external_id\": \"c-2\", \"nickname\": \"x\"}"), None, 422, "invalid_request"),
        (Some("{\"external_id\": \"has space\"}"), None, 422, "invalid_request"),
        (Some("{\"external_id\": \"c-2\", \"email\": \"not-an-email\"}"), None, 422, "invalid_request"),
    ];
    for (body, content_type, status, code) in cases {
        let headers: Vec<(&str, &str)> = content_type.map(|c| ("content-type", c)).into_iter().collect();
        let got = app.send(Method::POST, "/v1/members", body.map(str::to_owned), &headers).await;
        assert_eq!((got.status, got.code()), (status, code), "{body:?}: {:?}", got.body);
        assert!(!got.body["error"]["message"].as_str().unwrap().is_empty());
    }
    let unknown_field = app.post("/v1/members", json!({"external_id": "c-2", "nickname": "x"})).await;
    assert!(unknown_field.body["error"]["message"].as_str().unwrap().contains("unknown field `nickname`"));

    let wrong_type = app
        .post("/v1/events", json!({"type": "purchase", "member": "c-1001", "order_id": "o-9", "lines": [{"sku": "latte", "quantity": "two", "unit_price_minor": 475}]}))
        .await;
    assert_eq!((wrong_type.status, wrong_type.code()), (422, "invalid_request"));
    assert!(
        wrong_type.body["error"]["message"].as_str().unwrap().starts_with("lines[0].quantity: invalid type")
    );

    for (body, message) in [
        (json!({"member": "c-1001"}), "type: missing"),
        (json!({"type": "refund", "member": "c-1001"}), "type: `refund` is not an event type"),
        (json!([1, 2]), "the body must be a JSON object"),
    ] {
        let got = app.post("/v1/events", body).await;
        assert_eq!((got.status, got.code()), (422, "invalid_request"));
        assert!(got.body["error"]["message"].as_str().unwrap().starts_with(message), "{:?}", got.body);
    }
    let big = "x".repeat(loyalty_server_limit() + 1);
    let got =
        app.send(Method::POST, "/v1/members", Some(format!("{{\"external_id\": \"{big}\"}}")), &[]).await;
    assert_eq!((got.status, got.code()), (413, "payload_too_large"));
}

fn loyalty_server_limit() -> usize {
    1024 * 1024
}

async fn lookups_of_unknown_things_are_404(db: TestDb) {
    let app = with_purchase(db).await;
    let ghost_purchase = json!({"type": "purchase", "member": "ghost", "order_id": "o-2", "lines": [{"sku": "latte", "quantity": 1, "unit_price_minor": 475}]});
    let cases = [
        (app.get("/v1/members/ghost").await, "member_not_found"),
        (app.get("/v1/members/ghost/ledger").await, "member_not_found"),
        (app.post("/v1/events", ghost_purchase).await, "member_not_found"),
        (app.post("/v1/members/ghost/redemptions", json!({"reward": "free-drink"})).await, "member_not_found"),
        (app.post("/v1/members/ghost/adjustments", json!({"points": 5, "reason": "x"})).await, "member_not_found"),
        (app.post("/v1/members/c-1001/redemptions", json!({"reward": "yacht"})).await, "reward_not_found"),
        (
            app.post("/v1/events", json!({"type": "return", "member": "c-1001", "order_id": "o-404", "lines": [{"sku": "latte", "quantity": 1}]})).await,
            "order_not_found",
        ),
    ];
    for (got, code) in cases {
        assert_eq!((got.status, got.code()), (404, code), "{:?}", got.body);
    }
}

async fn line_limits_have_their_own_codes(db: TestDb) {
    let app = with_member(db).await;
    let order =
        |lines: Value| json!({"type": "purchase", "member": "c-1001", "order_id": "o-x", "lines": lines});
    let line =
        |quantity: i64, price: i64| json!({"sku": "latte", "quantity": quantity, "unit_price_minor": price});
    let cases = [
        (order(json!([line(0, 475)])), "quantity_must_be_positive"),
        (order(json!([line(-2, 475)])), "quantity_must_be_positive"),
        (order(json!([line(100_001, 475)])), "quantity_exceeds_limit"),
        (order(json!([line(1, -1)])), "price_must_not_be_negative"),
        (order(json!([line(1, 1_000_000_001)])), "price_exceeds_limit"),
        (order(json!([])), "order_has_no_lines"),
        (order(Value::Array(vec![line(1, 100); 501])), "too_many_lines"),
    ];
    for (body, code) in cases {
        let got = app.post("/v1/events", body).await;
        assert_eq!((got.status, got.code()), (422, code), "{:?}", got.body);
    }
    let second_line = app.post("/v1/events", order(json!([line(1, 475), line(0, 325)]))).await;
    assert_eq!(
        second_line.body["error"]["message"],
        "line 2: quantity must be a positive whole number, not 0"
    );
    let zero = app.post("/v1/members/c-1001/adjustments", json!({"points": 0, "reason": "nothing"})).await;
    assert_eq!((zero.status, zero.code()), (422, "adjustment_must_not_be_zero"));
    let huge = app
        .post("/v1/members/c-1001/adjustments", json!({"points": 1_000_000_000_001i64, "reason": "x"}))
        .await;
    assert_eq!((huge.status, huge.code()), (422, "adjustment_exceeds_limit"));
    assert_eq!(entry_count(&app, "c-1001").await, 0);
}

async fn returns_are_checked_against_what_was_bought(db: TestDb) {
    let app = with_purchase(db).await;
    let give_back = |sku: &str, quantity: i64| json!({"type": "return", "member": "c-1001", "order_id": "o-1", "lines": [{"sku": sku, "quantity": quantity}]});
    let too_many = app.post("/v1/events", give_back("latte", 3)).await;
    assert_eq!((too_many.status, too_many.code()), (422, "return_exceeds_purchase"));
    assert_eq!(
        too_many.body["error"]["message"],
        "cannot return 3 of latte from order o-1: 2 bought, 0 already returned"
    );
    let never_bought = app.post("/v1/events", give_back("muffin", 1)).await;
    assert_eq!((never_bought.status, never_bought.code()), (422, "return_exceeds_purchase"));

    app.post("/v1/members", json!({"external_id": "c-2002"})).await;
    let stranger = app
        .post("/v1/events", json!({"type": "return", "member": "c-2002", "order_id": "o-1", "lines": [{"sku": "latte", "quantity": 1}]}))
        .await;
    assert_eq!((stranger.status, stranger.code()), (422, "order_belongs_to_another_member"));

    let one = app.post("/v1/events", give_back("latte", 1)).await;
    assert_eq!((one.status, one.body["points_reversed"].as_i64()), (201, Some(48)));
    let the_other = app.post("/v1/events", give_back("latte", 1)).await;
    assert_eq!((the_other.status, the_other.body["points_reversed"].as_i64()), (201, Some(47)));
    let third = app.post("/v1/events", give_back("latte", 1)).await;
    assert_eq!(third.code(), "return_exceeds_purchase");
    assert_eq!(available(&app, "c-1001").await, 65);
}

async fn refusals_leave_the_balance_and_ledger_unchanged(db: TestDb) {
    let app = with_purchase(db).await;
    let before = (available(&app, "c-1001").await, entry_count(&app, "c-1001").await);
    assert_eq!(before, (160, 1));
    let refused = [
        app.post("/v1/members/c-1001/adjustments", json!({"points": -161, "reason": "too much"})).await,
        app.post("/v1/members/c-1001/redemptions", json!({"reward": "yacht"})).await,
        app.post("/v1/events", json!({"type": "return", "member": "c-1001", "order_id": "o-1", "lines": [{"sku": "latte", "quantity": 1}, {"sku": "latte", "quantity": 5}]})).await,
    ];
    let codes: Vec<_> = refused.iter().map(|r| r.code()).collect();
    assert_eq!(codes, vec!["insufficient_points", "reward_not_found", "return_exceeds_purchase"]);
    assert_eq!((available(&app, "c-1001").await, entry_count(&app, "c-1001").await), before);

    // The partial return refused above took nothing back, so a latte can still be returned.
    let ok = app
        .post("/v1/events", json!({"type": "return", "member": "c-1001", "order_id": "o-1", "lines": [{"sku": "latte", "quantity": 2}]}))
        .await;
    assert_eq!((ok.status, ok.body["points_reversed"].as_i64()), (201, Some(95)));
}

async fn routes_and_paths_are_checked(db: TestDb) {
    let app = with_member(db).await;
    let nowhere = app.get("/v2/members").await;
    assert_eq!((nowhere.status, nowhere.code()), (404, "not_found"));
    let wrong_method = app.send(Method::DELETE, "/v1/members/c-1001", None, &[]).await;
    assert_eq!((wrong_method.status, wrong_method.code()), (405, "method_not_allowed"));
    let bad_id = app.get("/v1/members/has%20space").await;
    assert_eq!((bad_id.status, bad_id.code()), (422, "invalid_request"));
    for query in ["limit=0", "limit=501", "limit=ten"] {
        let got = app.get(&format!("/v1/members/c-1001/ledger?{query}")).await;
        assert_eq!((got.status, got.code()), (422, "invalid_request"), "{query}");
    }
    let cursor = app.get("/v1/members/c-1001/ledger?cursor=nonsense").await;
    assert_eq!((cursor.status, cursor.code()), (400, "invalid_cursor"));
    let health = app.send(Method::GET, "/health", None, &[("authorization", "")]).await;
    assert_eq!((health.status, health.body["status"].as_str()), (200, Some("ok")));
    let bad_time = app
        .post("/v1/events", json!({"type": "purchase", "member": "c-1001", "order_id": "o-t", "occurred_at": "yesterday", "lines": [{"sku": "a", "quantity": 1, "unit_price_minor": 1}]}))
        .await;
    assert_eq!((bad_time.status, bad_time.code()), (422, "invalid_request"));
    assert!(bad_time.body["error"]["message"].as_str().unwrap().starts_with("occurred_at: "));
}

async fn events_from_the_future_are_refused(db: TestDb) {
    let app = with_member(db).await;
    let at = |t: &str| json!({"type": "purchase", "member": "c-1001", "order_id": t, "occurred_at": t, "lines": [{"sku": "a", "quantity": 1, "unit_price_minor": 100}]});
    // The clock says 12:00; five minutes of skew are tolerated.
    let skewed = app.post("/v1/events", at("2026-11-02T12:05:00Z")).await;
    assert_eq!(skewed.status, 201, "{:?}", skewed.body);
    let future = app.post("/v1/events", at("2026-11-02T12:05:01Z")).await;
    assert_eq!((future.status, future.code()), (422, "occurred_at_in_future"));
}

/// A key twice in one object is refused before the body is read into any type, with the
/// code of every other unreadable body, whether the route reads a struct, a map or a free
/// JSON value, and however deep the object is; nothing is stored.
async fn duplicate_keys_are_refused_on_every_route_at_any_depth(db: TestDb) {
    let app = with_member(db).await;
    let cases = [
        (
            Method::POST,
            "/v1/events",
            r#"{"type": "purchase", "member": "c-1001", "order_id": "o-9", "lines": [{"sku": "latte", "quantity": 1, "unit_price_minor": 475, "quantity": 9}]}"#,
            "quantity",
        ),
        (
            Method::POST,
            "/v1/events",
            r#"{"type": "activity", "type": "purchase", "member": "c-1001", "kind": "review"}"#,
            "type",
        ),
        (Method::POST, "/v1/members", r#"{"external_id": "c-2", "external_id": "c-3"}"#, "external_id"),
        (
            Method::POST,
            "/v1/members/c-1001/adjustments",
            r#"{"points": 5, "reason": "a", "points": 500}"#,
            "points",
        ),
        (Method::PATCH, "/v1/members/c-1001", r#"{"name": "Ann", "name": "Bob"}"#, "name"),
        (Method::PATCH, "/v1/campaigns/double", r#"{"ends": "2027-01-01", "ends": "2027-02-01"}"#, "ends"),
        (Method::PATCH, "/v1/rewards/free-drink", r#"{"meta": {"a": {"b": 1, "b": 2}}}"#, "b"),
        (Method::POST, "/v1/members/c-1001/erasure", r#"{"a": [{"x": 1, "x": 1}]}"#, "x"),
    ];
    for (method, path, body, key) in cases {
        let got = app.send(method.clone(), path, Some(body.to_owned()), &[]).await;
        assert_eq!(
            (got.status, got.code()),
            (400, "malformed_json"),
            "{method} {path} {body}: {:?}",
            got.body
        );
        let message = got.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("the key `{key}` appears twice in one object")),
            "{method} {path}: {message}"
        );
    }
    let member = app.get("/v1/members/c-1001").await;
    assert_eq!((member.status, member.body["name"].clone()), (200, Value::Null));
    assert_eq!(available(&app, "c-1001").await, 0);
    assert_eq!(entry_count(&app, "c-1001").await, 0);
    assert_eq!(app.get("/v1/members/c-2").await.code(), "member_not_found");
}
