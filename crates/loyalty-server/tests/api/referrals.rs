//! Referrals over the API, on the retail program: members share their referral code; a
//! friend who enrols with it (or names it later) earns 250 points on a first order of
//! 50.00 EUR or more, and the member who referred them 500.

use super::*;
use loyalty_testkit::{TestDb, at, each_backend, retail_path};

each_backend!(
    a_referred_friend_s_first_big_order_pays_both_once,
    a_referrer_named_after_enrolment_is_paid_too,
    enrolments_with_bad_referral_codes_are_refused,
    referrers_that_cannot_be_named_are_refused,
);

async fn retail(db: TestDb) -> TestApp {
    TestApp::start_with(db, &retail_path()).await
}

/// Enrols `external_id` and returns their referral code.
async fn enrol(app: &TestApp, body: Value) -> String {
    let got = app.post("/v1/members", body.clone()).await;
    assert_eq!(got.status, 201, "{body}: {:?}", got.body);
    got.body["referral_code"].as_str().unwrap().to_owned()
}

/// A one-line order of `amount_minor` EUR.
fn order(member: &str, order_id: &str, amount_minor: i64) -> Value {
    json!({
        "type": "purchase", "member": member, "order_id": order_id,
        "lines": [{"sku": "linen-shirt", "category": "shirts", "quantity": 1, "unit_price_minor": amount_minor}]
    })
}

async fn a_referred_friend_s_first_big_order_pays_both_once(db: TestDb) {
    let app = retail(db).await;
    let code = enrol(&app, json!({"external_id": "a-1", "email": "ada@example.com"})).await;
    assert_eq!(code.len(), 14, "{code}");
    let shown = app.get("/v1/members/a-1").await;
    assert_eq!(shown.body["referral_code"], code.as_str());
    assert!(shown.body.get("referred_by").is_none(), "{:?}", shown.body);

    let friend = app
        .post("/v1/members", json!({"external_id": "b-1", "email": "bea@example.com", "referred_by": code}))
        .await;
    assert_eq!(friend.status, 201, "{:?}", friend.body);
    assert_eq!(friend.body["referred_by"], "a-1");
    assert_eq!(friend.body["balance"]["available"], 100);
    assert_ne!(friend.body["referral_code"], code.as_str());
    assert_eq!(app.get("/v1/members/b-1").await.body["referred_by"], "a-1");

    // 49.99 EUR is not enough for the referral; the order earns its 49 points alone.
    app.clock.set(at("2026-11-02T12:10:00Z"));
    let small = app.post("/v1/events", order("b-1", "b-o1", 4999)).await;
    assert_eq!(small.status, 201, "{:?}", small.body);
    assert_eq!(small.body["points_awarded"], 49);
    assert!(small.body["explanation"].get("awards").is_none(), "{:?}", small.body);
    assert_eq!(available(&app, "a-1").await, 100);

    app.clock.set(at("2026-11-02T12:20:00Z"));
    let first = app.post("/v1/events", order("b-1", "b-o2", 6000)).await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(first.body["points_awarded"], 310);
    assert_eq!(first.body["balance"]["available"], 100 + 49 + 310);
    let explanation = &first.body["explanation"];
    assert_eq!(
        explanation["awards"],
        json!([
            {
                "rule": "friends", "kind": "referral", "points": "250",
                "reason": "referral: 250 points for a first purchase of 50.00 EUR or more"
            },
            {
                "rule": "friends", "kind": "referral", "points": "500",
                "reason": "referral: 500 points for the member who referred", "to": "a-1"
            }
        ])
    );
    assert_eq!(explanation["subtotal"], "310");
    assert_eq!(explanation["points"], 310);
    assert!(
        explanation["summary"].as_str().unwrap().ends_with("; 500 points go to the member who referred"),
        "{explanation}"
    );
    assert_eq!(available(&app, "a-1").await, 600);
    let ledger = app.get("/v1/members/a-1/ledger").await;
    assert_eq!(ledger.body["entries"][0]["kind"], "referral");
    assert_eq!(
        ledger.body["entries"][0]["postings"],
        json!([{"account": "program:issued", "amount": -500}, {"account": "member:available", "amount": 500}])
    );
    // The referrer's entry carries no explanation: the words are of Bea's order, not theirs.
    assert!(ledger.body["entries"][0].get("explanation").is_none(), "{:?}", ledger.body);
    // Bea's own entry for the order is explained in the words her answer had.
    let hers = app.get("/v1/members/b-1/ledger").await;
    assert_eq!(hers.body["entries"][0]["reference"], "b-o2", "{:?}", hers.body);
    assert_eq!(hers.body["entries"][0]["explanation"], explanation["summary"]);

    // The referral pays once.
    app.clock.set(at("2026-11-02T12:30:00Z"));
    let second = app.post("/v1/events", order("b-1", "b-o3", 8000)).await;
    assert_eq!(second.body["points_awarded"], 80, "{:?}", second.body);
    assert!(second.body["explanation"].get("awards").is_none(), "{:?}", second.body);
    assert_eq!(available(&app, "b-1").await, 100 + 49 + 310 + 80);
    assert_eq!(available(&app, "a-1").await, 600);
    assert_eq!(entry_count(&app, "a-1").await, 2);
    app.assert_consistent().await;
}

async fn a_referrer_named_after_enrolment_is_paid_too(db: TestDb) {
    let app = retail(db).await;
    let code = enrol(&app, json!({"external_id": "a-1"})).await;
    enrol(&app, json!({"external_id": "d-1"})).await;

    let named = app.post("/v1/members/d-1/referrer", json!({"code": code})).await;
    assert_eq!(named.status, 201, "{:?}", named.body);
    assert_eq!(named.body["external_id"], "d-1");
    assert_eq!(named.body["referred_by"], "a-1");
    assert_eq!(named.body["balance"]["available"], 100);

    // Exactly 50.00 EUR qualifies.
    let bought = app.post("/v1/events", order("d-1", "d-o1", 5000)).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    assert_eq!(bought.body["points_awarded"], 300);
    assert_eq!(bought.body["explanation"]["awards"][1]["to"], "a-1");
    assert_eq!((available(&app, "d-1").await, available(&app, "a-1").await), (400, 600));
    app.assert_consistent().await;
}

async fn enrolments_with_bad_referral_codes_are_refused(db: TestDb) {
    let app = retail(db).await;
    let code = enrol(&app, json!({"external_id": "a-1", "email": "ada@example.com"})).await;

    let unknown =
        app.post("/v1/members", json!({"external_id": "c-1", "referred_by": "ZZZZ-ZZZZ-ZZZZ"})).await;
    assert_eq!((unknown.status, unknown.code()), (422, "referral_code_not_found"), "{:?}", unknown.body);
    assert_eq!(unknown.body["error"]["message"], "no member has the referral code ZZZZ-ZZZZ-ZZZZ");
    assert_eq!(app.get("/v1/members/c-1").await.code(), "member_not_found");

    let malformed = app.post("/v1/members", json!({"external_id": "c-1", "referred_by": "not a code"})).await;
    assert_eq!((malformed.status, malformed.code()), (422, "invalid_request"));
    assert!(malformed.body["error"]["message"].as_str().unwrap().starts_with("referred_by: "));

    // The same person again, under another id: the same email, case aside.
    let myself = app
        .post("/v1/members", json!({"external_id": "a-2", "email": "ADA@example.com", "referred_by": code}))
        .await;
    assert_eq!((myself.status, myself.code()), (422, "self_referral"), "{:?}", myself.body);
    assert_eq!(myself.body["error"]["message"], "a member cannot refer themselves");
    assert_eq!(app.get("/v1/members/a-2").await.code(), "member_not_found");

    enrol(&app, json!({"external_id": "b-1"})).await;
    let late = app.post("/v1/members", json!({"external_id": "b-1", "referred_by": code})).await;
    assert_eq!((late.status, late.code()), (422, "referee_already_enrolled"), "{:?}", late.body);
    assert_eq!(
        late.body["error"]["message"],
        "b-1 is already a member (enrolled, referred or buying) and cannot be referred now"
    );
    let twice = app.post("/v1/members", json!({"external_id": "b-1"})).await;
    assert_eq!((twice.status, twice.code()), (409, "member_already_exists"));
    assert!(app.get("/v1/members/b-1").await.body.get("referred_by").is_none());
    assert_eq!((available(&app, "a-1").await, available(&app, "b-1").await), (100, 100));
}

async fn referrers_that_cannot_be_named_are_refused(db: TestDb) {
    let app = retail(db).await;
    let a = enrol(&app, json!({"external_id": "a-1"})).await;
    let d = enrol(&app, json!({"external_id": "d-1", "referred_by": a})).await;
    let f = enrol(&app, json!({"external_id": "f-1", "referred_by": d})).await;
    let g = enrol(&app, json!({"external_id": "g-1"})).await;
    let name = |member: &str, code: &str| {
        let path = format!("/v1/members/{member}/referrer");
        let body = json!({"code": code});
        let app = &app;
        async move { app.post(&path, body).await }
    };

    let own = name("g-1", &g).await;
    assert_eq!((own.status, own.code()), (422, "self_referral"), "{:?}", own.body);

    // a-1 referred d-1, who referred f-1: neither may now refer a-1.
    for code in [&d, &f] {
        let round = name("a-1", code).await;
        assert_eq!((round.status, round.code()), (422, "referral_loop"), "{:?}", round.body);
        assert_eq!(
            round.body["error"]["message"],
            "a-1 referred the owner of this code, directly or through others; a referral cannot go round"
        );
    }

    let referred = name("d-1", &g).await;
    assert_eq!((referred.status, referred.code()), (422, "referee_already_enrolled"), "{:?}", referred.body);

    let bought = app.post("/v1/events", order("g-1", "g-o1", 2000)).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    let buyer = name("g-1", &a).await;
    assert_eq!((buyer.status, buyer.code()), (422, "referee_already_enrolled"), "{:?}", buyer.body);

    let unknown = name("a-1", "ZZZZ-ZZZZ-ZZZZ").await;
    assert_eq!((unknown.status, unknown.code()), (422, "referral_code_not_found"));
    let ghost = name("ghost", &a).await;
    assert_eq!((ghost.status, ghost.code()), (404, "member_not_found"));
    let malformed = app.post("/v1/members/a-1/referrer", json!({"referral_code": a})).await;
    assert_eq!((malformed.status, malformed.code()), (422, "invalid_request"));

    // None of that changed anyone's referrer.
    for (member, referrer) in [("a-1", None), ("d-1", Some("a-1")), ("f-1", Some("d-1")), ("g-1", None)] {
        let shown = app.get(&format!("/v1/members/{member}")).await;
        assert_eq!(shown.body["referred_by"].as_str(), referrer, "{member}");
    }

    // a-1 has no referrer and has bought nothing, so an unrelated member may still refer them.
    let h = enrol(&app, json!({"external_id": "h-1"})).await;
    let fine = name("a-1", &h).await;
    assert_eq!((fine.status, fine.body["referred_by"].as_str()), (201, Some("h-1")), "{:?}", fine.body);
    app.assert_consistent().await;
}
