//! Erasure ("right to be forgotten") over the API, on the retail program: a member's
//! personal data leaves every table, their books stay and still reconcile.

use super::*;
use axum::http::Method;
use loyalty_store::{Role, Store, WEBHOOK_EVENT_TYPES};
use loyalty_testkit::{TestDb, at, each_backend, retail_path};

each_backend!(
    an_erased_member_leaves_no_personal_data_and_the_books_still_reconcile,
    only_admin_keys_may_erase,
    erasing_an_unknown_member_is_404_and_the_body_must_be_empty,
);

/// Everything the erased member told the program, and the id the merchant knew them by.
const PERSONAL: &[&str] = &[
    "Zelda",
    "Quixote",
    "zelda.quixote@example.org",
    "zq.new@example.org",
    "Zee-the-Great",
    "1987-06-05",
    "zqvip",
    "shirt shrank",
    "zq-cust-77",
];

fn order(member: &str, order_id: &str, amount_minor: i64) -> Value {
    json!({
        "type": "purchase", "member": member, "order_id": order_id,
        "lines": [{"sku": "linen-shirt", "category": "shirts", "quantity": 1, "unit_price_minor": amount_minor}]
    })
}

async fn created(app: &TestApp, path: &str, key: &str, body: Value) -> Value {
    let got = app.post_keyed(path, key, body.clone()).await;
    assert_eq!(got.status, 201, "{path} {body}: {:?}", got.body);
    got.body
}

/// Zelda enrols, buys, changes her profile, refers Bea (whose first big order pays Zelda
/// 500), redeems a tote bag, is given 25 points and answers the NPS survey unhappily, with
/// a comment: 100 + 60 + 500 - 600 + 25 + 50 = 135.
async fn zelda_and_her_friend(app: &TestApp) {
    let zelda = json!({
        "external_id": "zq-cust-77", "name": "Zelda Quixote", "email": "zelda.quixote@example.org",
        "birth_date": "1987-06-05", "tags": ["zqvip"]
    });
    // Idempotency keys made from the merchant's id, as a client may well make them.
    let code = created(app, "/v1/members", "enrol-zq-cust-77", zelda).await["referral_code"]
        .as_str()
        .unwrap()
        .to_owned();
    created(app, "/v1/events", "zq-cust-77-order-1", order("zq-cust-77", "order-1", 6000)).await;
    let patch = json!({
        "name": "Zelda Q. Quixote", "email": "zq.new@example.org",
        "leaderboard_opt_in": true, "nickname": "Zee-the-Great"
    });
    let changed = app.patch("/v1/members/zq-cust-77", patch).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);

    app.clock.set(at("2026-11-02T12:10:00Z"));
    let bea = json!({"external_id": "b-friend", "email": "bea@example.com", "referred_by": code});
    assert_eq!(created(app, "/v1/members", "k-3", bea).await["referred_by"], "zq-cust-77");
    let paid = created(app, "/v1/events", "k-4", order("b-friend", "order-2", 6000)).await;
    assert_eq!(paid["explanation"]["awards"][1]["to"], "zq-cust-77", "{paid:?}");

    created(app, "/v1/members/zq-cust-77/redemptions", "k-5", json!({"reward": "tote-bag"})).await;
    let adjusted = json!({"points": 25, "reason": "goodwill"});
    created(app, "/v1/members/zq-cust-77/adjustments", "k-6", adjusted).await;
    let answer = json!({"survey": "after-order", "score": 3, "comment": "Zelda's shirt shrank", "order_id": "order-1"});
    assert_eq!(
        created(app, "/v1/members/zq-cust-77/survey-responses", "k-7", answer).await["band"],
        "detractor"
    );
    assert_eq!(available(app, "zq-cust-77").await, 135);
}

/// The values of the database that hold `text`.
fn holding<'v>(values: &'v [String], text: &str) -> Vec<&'v String> {
    values.iter().filter(|v| v.contains(text)).collect()
}

/// A subscription to every event type, so that the outbox holds copies of Zelda's data;
/// made through the store, as a receiver's address is beside the point here.
async fn subscribe_to_everything(app: &TestApp) {
    let program = app.store.programs().await.unwrap()[0].id;
    let types: Vec<String> = WEBHOOK_EVENT_TYPES.iter().map(|t| (*t).to_owned()).collect();
    let now = app.clock.now();
    app.store.add_webhook(program, "https://hooks.example.com/in", "whsec_test", &types, now).await.unwrap();
}

/// Deliveries in each state: the erasure scrubs pending, delivered and failed ones alike.
async fn deliveries_in_every_state(app: &TestApp) {
    assert!(app.db.execute("UPDATE webhook_deliveries SET state = 'delivered' WHERE id % 3 = 1").await > 0);
    assert!(app.db.execute("UPDATE webhook_deliveries SET state = 'failed' WHERE id % 3 = 2").await > 0);
    assert!(app.db.execute("UPDATE webhook_deliveries SET state = 'pending' WHERE id % 3 = 0").await > 0);
}

async fn an_erased_member_leaves_no_personal_data_and_the_books_still_reconcile(db: TestDb) {
    let app = TestApp::start_with(db, &retail_path()).await;
    subscribe_to_everything(&app).await;
    zelda_and_her_friend(&app).await;
    deliveries_in_every_state(&app).await;
    let before = app.get("/v1/members/zq-cust-77").await.body;
    let entries = entry_count(&app, "zq-cust-77").await;
    // The search below finds what it looks for.
    let values = app.db.every_value().await;
    for text in PERSONAL {
        assert!(!holding(&values, text).is_empty(), "{text} is nowhere before the erasure");
    }
    let outbox: Vec<&String> =
        values.iter().filter(|v| v.starts_with("webhook_deliveries.payload")).collect();
    assert!(outbox.iter().any(|v| v.contains("zelda.quixote@example.org")), "{outbox:#?}");
    assert!(holding(&values, "enrol-zq-cust-77").iter().any(|v| v.starts_with("events.idempotency_key")));

    app.clock.set(at("2026-11-03T08:00:00Z"));
    let erased = app.post("/v1/members/zq-cust-77/erasure", json!({})).await;
    assert_eq!(erased.status, 200, "{:?}", erased.body);
    let new_id = erased.body["external_id"].as_str().unwrap().to_owned();
    let digits = new_id.strip_prefix("erased-").unwrap();
    assert!(digits.len() == 16 && digits.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')), "{new_id}");
    assert_eq!(erased.body["erased_at"], "2026-11-03T08:00:00Z");

    let old = app.get("/v1/members/zq-cust-77").await;
    assert_eq!((old.status, old.code()), (404, "member_not_found"));
    let after = app.get(&format!("/v1/members/{new_id}")).await;
    assert_eq!(after.status, 200, "{:?}", after.body);
    assert_eq!(after.body["balance"], before["balance"]);
    assert_eq!(after.body["referral_code"], before["referral_code"]);
    assert_eq!(
        (&after.body["name"], &after.body["email"], &after.body["tags"]),
        (&Value::Null, &Value::Null, &json!([]))
    );
    assert!(after.body.get("birth_date").is_none(), "{:?}", after.body);
    assert_eq!(after.body["nickname"], Value::Null);
    assert_eq!(entry_count(&app, &new_id).await, entries);
    assert_eq!(app.get("/v1/members/b-friend").await.body["referred_by"], new_id.as_str());

    let values = app.db.every_value().await;
    for text in PERSONAL {
        assert!(holding(&values, text).is_empty(), "{text} is still in {:#?}", holding(&values, text));
    }
    // Only Zelda was erased, and her erasure is on record.
    assert!(!holding(&values, "bea@example.com").is_empty());
    assert!(!holding(&values, &new_id).is_empty());
    assert_eq!(app.db.count("erasures").await, 1);
    app.assert_consistent().await;

    // The merchant's id is free again: enrolling it makes a new member.
    let again = app.post("/v1/members", json!({"external_id": "zq-cust-77"})).await;
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(again.body["balance"]["available"], 100);
    assert_eq!(available(&app, &new_id).await, 135);
    app.assert_consistent().await;
}

async fn only_admin_keys_may_erase(db: TestDb) {
    let app = with_member(db).await;
    for role in [Role::Pos, Role::Read] {
        let key = app.add_key(role).await;
        let refused = app.send_as(&key, Method::POST, "/v1/members/c-1001/erasure", Some(json!({}))).await;
        assert_eq!((refused.status, refused.code()), (403, "forbidden"), "{role:?}");
    }
    assert_eq!(app.get("/v1/members/c-1001").await.status, 200);
    assert_eq!(app.db.count("erasures").await, 0);
}

async fn erasing_an_unknown_member_is_404_and_the_body_must_be_empty(db: TestDb) {
    let app = with_purchase(db).await;
    let unknown = app.send(Method::POST, "/v1/members/nobody/erasure", None, &[]).await;
    assert_eq!((unknown.status, unknown.code()), (404, "member_not_found"), "{:?}", unknown.body);

    let fields = app.post("/v1/members/c-1001/erasure", json!({"reason": "asked"})).await;
    assert_eq!((fields.status, fields.code()), (422, "invalid_request"), "{:?}", fields.body);
    let garbled = app.send(Method::POST, "/v1/members/c-1001/erasure", Some("{".into()), &[]).await;
    assert_eq!((garbled.status, garbled.code()), (400, "malformed_json"), "{:?}", garbled.body);
    assert_eq!(available(&app, "c-1001").await, 160);

    let erased = app.send(Method::POST, "/v1/members/c-1001/erasure", None, &[]).await;
    assert_eq!(erased.status, 200, "{:?}", erased.body);
    let twice = app.send(Method::POST, "/v1/members/c-1001/erasure", None, &[]).await;
    assert_eq!((twice.status, twice.code()), (404, "member_not_found"));
    let new_id = erased.body["external_id"].as_str().unwrap();
    assert_eq!(available(&app, new_id).await, 160);
    app.assert_consistent().await;
}
