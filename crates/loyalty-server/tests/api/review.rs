//! Points held for review, on the retail program (more than 5 purchases or 3000 points
//! within 60 minutes): shown on the member, released or voided by an administrator.

use super::*;
use axum::http::Method;
use loyalty_store::Role;
use loyalty_testkit::{TestDb, at, each_backend, retail_path};

each_backend!(
    too_many_purchases_are_held_until_an_admin_releases_them,
    too_many_points_are_held_until_an_admin_voids_them,
    only_admins_decide_and_only_on_held_points,
    a_held_first_order_holds_the_referrers_points_too,
);

async fn retail_member(db: TestDb, member: &str) -> TestApp {
    let app = TestApp::start_with(db, &retail_path()).await;
    let enrolled = app.post("/v1/members", json!({"external_id": member})).await;
    assert_eq!((enrolled.status, enrolled.body["balance"]["available"].as_i64()), (201, Some(100)));
    app
}

/// A one-line order of `amount_minor` EUR, occurring now.
fn order(member: &str, order_id: &str, amount_minor: i64) -> Value {
    json!({
        "type": "purchase", "member": member, "order_id": order_id,
        "lines": [{"sku": "chinos", "category": "trousers", "quantity": 1, "unit_price_minor": amount_minor}]
    })
}

fn balance(available: i64, pending_review: i64) -> Value {
    json!({"available": available, "pending": 0, "pending_review": pending_review, "held": 0})
}

async fn shown_balance(app: &TestApp, member: &str) -> Value {
    let got = app.get(&format!("/v1/members/{member}")).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body["balance"].clone()
}

async fn too_many_purchases_are_held_until_an_admin_releases_them(db: TestDb) {
    let app = retail_member(db, "r-1").await;
    for minute in 1..=5 {
        app.clock.set(at(&format!("2026-11-02T12:0{minute}:00Z")));
        let bought = app.post("/v1/events", order("r-1", &format!("r-o{minute}"), 2000)).await;
        assert_eq!(bought.status, 201, "{:?}", bought.body);
        assert_eq!(bought.body["points_awarded"], 20);
        assert!(bought.body["explanation"].get("held_for_review").is_none(), "{:?}", bought.body);
    }
    assert_eq!(shown_balance(&app, "r-1").await, balance(200, 0));

    app.clock.set(at("2026-11-02T12:06:00Z"));
    let sixth = app.post("/v1/events", order("r-1", "r-o6", 2000)).await;
    assert_eq!(sixth.status, 201, "{:?}", sixth.body);
    assert_eq!(sixth.body["points_awarded"], 20);
    assert_eq!(sixth.body["balance"], balance(200, 20));
    let held = "earned too fast: 6 purchases and 220 points within 60 minutes; \
                held until an administrator releases them";
    assert_eq!(sixth.body["explanation"]["held_for_review"], held);
    assert!(sixth.body["explanation"]["summary"].as_str().unwrap().ends_with(held));
    assert_eq!(shown_balance(&app, "r-1").await, balance(200, 20));
    let ledger = app.get("/v1/members/r-1/ledger").await;
    assert_eq!(
        ledger.body["entries"][0]["postings"],
        json!([{"account": "program:issued", "amount": -20}, {"account": "member:pending_review", "amount": 20}])
    );

    // An hour after the first of them, purchases earn as usual again; the held points wait.
    app.clock.set(at("2026-11-02T13:07:00Z"));
    let calm = app.post("/v1/events", order("r-1", "r-o7", 2000)).await;
    assert_eq!(calm.body["balance"], balance(220, 20), "{:?}", calm.body);

    let released =
        app.post("/v1/members/r-1/review/release", json!({"reason": "receipts checked with the shop"})).await;
    assert_eq!(released.status, 201, "{:?}", released.body);
    assert_eq!(
        released.body,
        json!({
            "member": "r-1", "decision": "released", "points": 20, "reason": "receipts checked with the shop",
            "occurred_at": "2026-11-02T13:07:00Z", "balance": balance(240, 0)
        })
    );
    assert_eq!(shown_balance(&app, "r-1").await, balance(240, 0));
    let ledger = app.get("/v1/members/r-1/ledger").await;
    assert_eq!(ledger.body["entries"][0]["kind"], "review_release");
    assert_eq!(
        ledger.body["entries"][0]["postings"],
        json!([{"account": "member:pending_review", "amount": -20}, {"account": "member:available", "amount": 20}])
    );

    // Released points are spendable like any others.
    let adjusted = app.post("/v1/members/r-1/adjustments", json!({"points": -240, "reason": "test"})).await;
    assert_eq!((adjusted.status, adjusted.body["balance"]["available"].as_i64()), (201, Some(0)));
    app.assert_consistent().await;
}

async fn too_many_points_are_held_until_an_admin_voids_them(db: TestDb) {
    let app = retail_member(db, "v-1").await;
    app.clock.set(at("2026-11-02T12:30:00Z"));
    // 2500 points for 2500.00 EUR and 500 for passing 200.00 EUR in 30 days: 3100 points
    // with the welcome bonus within the hour, over the 3000 allowed.
    let big = app.post("/v1/events", order("v-1", "v-o1", 250_000)).await;
    assert_eq!(big.status, 201, "{:?}", big.body);
    assert_eq!(big.body["points_awarded"], 3000);
    assert_eq!(big.body["balance"], balance(100, 3000));
    assert_eq!(big.body["explanation"]["awards"][0]["rule"], "big-spender");
    assert_eq!(
        big.body["explanation"]["held_for_review"],
        "earned too fast: 1 purchase and 3100 points within 60 minutes; held until an administrator releases them"
    );
    assert_eq!(shown_balance(&app, "v-1").await, balance(100, 3000));

    // Held points cannot be spent.
    let redeem = app.post("/v1/members/v-1/redemptions", json!({"reward": "voucher-10"})).await;
    assert_eq!((redeem.status, redeem.code()), (422, "insufficient_points"), "{:?}", redeem.body);

    let voided = app.post("/v1/members/v-1/review/void", json!({"reason": "stolen card"})).await;
    assert_eq!(voided.status, 201, "{:?}", voided.body);
    assert_eq!(voided.body["decision"], "voided");
    assert_eq!(voided.body["points"], 3000);
    assert_eq!(voided.body["balance"], balance(100, 0));
    assert_eq!(shown_balance(&app, "v-1").await, balance(100, 0));
    let ledger = app.get("/v1/members/v-1/ledger").await;
    assert_eq!(ledger.body["entries"][0]["kind"], "review_void");
    assert_eq!(
        ledger.body["entries"][0]["postings"],
        json!([{"account": "member:pending_review", "amount": -3000}, {"account": "program:issued", "amount": 3000}])
    );

    let again = app.post("/v1/members/v-1/review/release", json!({"reason": "changed my mind"})).await;
    assert_eq!((again.status, again.code()), (422, "nothing_in_review"));
    assert_eq!(again.body["error"]["message"], "v-1 has no points held for review");
    assert_eq!(shown_balance(&app, "v-1").await, balance(100, 0));
    app.assert_consistent().await;
}

async fn only_admins_decide_and_only_on_held_points(db: TestDb) {
    let app = retail_member(db, "v-1").await;
    app.post("/v1/members", json!({"external_id": "calm"})).await;
    let big = app.post("/v1/events", order("v-1", "v-o1", 300_000)).await;
    assert_eq!(big.body["balance"], balance(100, 3500), "{:?}", big.body);

    let pos = app.add_key(Role::Pos).await;
    let read = app.add_key(Role::Read).await;
    for key in [&pos, &read] {
        for decision in ["release", "void"] {
            let path = format!("/v1/members/v-1/review/{decision}");
            let got = app.send_as(key, Method::POST, &path, Some(json!({"reason": "till says so"}))).await;
            assert_eq!((got.status, got.code()), (403, "forbidden"), "{decision}: {:?}", got.body);
        }
    }
    let refused =
        app.send_as(&pos, Method::POST, "/v1/members/v-1/review/release", Some(json!({"reason": "x"}))).await;
    assert_eq!(refused.body["error"]["message"], "this needs an admin key; yours is a pos key");
    // A pos key still sees the held points.
    let shown = app.send_as(&pos, Method::GET, "/v1/members/v-1", None).await;
    assert_eq!(shown.body["balance"], balance(100, 3500));

    for decision in ["release", "void"] {
        let path = format!("/v1/members/calm/review/{decision}");
        let nothing = app.post(&path, json!({"reason": "routine check"})).await;
        assert_eq!((nothing.status, nothing.code()), (422, "nothing_in_review"), "{:?}", nothing.body);
        let ghost = app.post(&format!("/v1/members/ghost/review/{decision}"), json!({"reason": "x"})).await;
        assert_eq!((ghost.status, ghost.code()), (404, "member_not_found"));
        for body in [json!({}), json!({"reason": ""}), json!({"reason": "x", "points": 5})] {
            let bad = app.post(&format!("/v1/members/v-1/review/{decision}"), body.clone()).await;
            assert_eq!((bad.status, bad.code()), (422, "invalid_request"), "{body}: {:?}", bad.body);
        }
    }
    assert_eq!(shown_balance(&app, "v-1").await, balance(100, 3500));
    assert_eq!(entry_count(&app, "v-1").await, 2);
    app.assert_consistent().await;
}

/// A referred friend's first order is held: the referral it would pay is part of what is
/// held, so the referrer is not paid on it while it is held, nor after it is voided.
async fn a_held_first_order_holds_the_referrers_points_too(db: TestDb) {
    let app = retail_member(db, "a-1").await;
    let code = app.get("/v1/members/a-1").await.body["referral_code"].as_str().unwrap().to_owned();
    let friend = app.post("/v1/members", json!({"external_id": "b-1", "referred_by": code})).await;
    assert_eq!(friend.status, 201, "{:?}", friend.body);
    // 3000 + 500 (big spender) + 250 (referral) points, 3850 with the welcome bonus.
    let big = app.post("/v1/events", order("b-1", "b-o1", 300_000)).await;
    assert_eq!(big.body["balance"], balance(100, 3750), "{:?}", big.body);
    assert!(big.body["explanation"]["held_for_review"].is_string());
    // The referrer's 500 wait for review beside the referee's points, not spendable.
    assert_eq!(shown_balance(&app, "a-1").await, balance(100, 500), "the referrer was paid for a held order");

    let voided = app.post("/v1/members/b-1/review/void", json!({"reason": "stolen card"})).await;
    assert_eq!((voided.status, voided.body["points"].as_i64()), (201, Some(3750)), "{:?}", voided.body);
    let voided =
        app.post("/v1/members/a-1/review/void", json!({"reason": "referee's order was fraud"})).await;
    assert_eq!((voided.status, voided.body["points"].as_i64()), (201, Some(500)), "{:?}", voided.body);
    assert_eq!(
        shown_balance(&app, "a-1").await,
        balance(100, 0),
        "the referrer kept points of a voided order"
    );
    app.assert_consistent().await;
}
