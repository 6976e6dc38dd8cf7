//! Points over time through the API, on the bistro program (purchases pending 14 days,
//! points expiring 12 months after they were earned, a warning 30 days ahead), with the
//! test clock set forward and the jobs run on demand.

use super::*;
use axum::http::Method;
use loyalty_server::{Clock, Settings, start};
use loyalty_store::Role;
use loyalty_testkit::{TestDb, bistro_path, each_backend};

each_backend!(
    a_meal_is_pending_then_available_then_warned_of_then_expired,
    the_test_clock_and_the_jobs_are_for_admins_and_the_clock_only_when_on,
);

fn meal(member: &str, order_id: &str, amount_minor: i64) -> Value {
    json!({
        "type": "purchase", "member": member, "order_id": order_id,
        "lines": [{"sku": "menu", "category": "food", "quantity": 1, "unit_price_minor": amount_minor}]
    })
}

async fn set_clock(app: &TestApp, to: &str) {
    let set = app.put("/v1/admin/clock", json!({"now": to})).await;
    assert_eq!((set.status, set.body["now"].as_str()), (200, Some(to)), "{:?}", set.body);
}

/// Runs the due jobs and gives their report.
async fn run_jobs(app: &TestApp) -> Value {
    let ran = app.post("/v1/jobs/run", json!({})).await;
    assert_eq!(ran.status, 200, "{:?}", ran.body);
    ran.body["report"].clone()
}

fn report(expired: i64, released: i64, notices: i64, skipped: i64) -> Value {
    json!({"expired": expired, "released": released, "notices": notices, "birthdays": 0, "tier_reviews": 0, "closed_inactive": 0, "holds_expired": 0, "codes_expired": 0, "skipped": skipped,
        "refused": 0})
}

async fn member(app: &TestApp) -> Value {
    let got = app.get("/v1/members/b-1").await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body
}

async fn a_meal_is_pending_then_available_then_warned_of_then_expired(db: TestDb) {
    let app = TestApp::start_with(db, &bistro_path()).await;
    assert_eq!(app.post("/v1/members", json!({"external_id": "b-1"})).await.status, 201);

    // 13:00 in Paris on 2 November 2026: 42 points, pending for 14 days.
    let bought = app.post("/v1/events", meal("b-1", "bill-1", 4250)).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    assert_eq!(bought.body["points_awarded"], 42);
    assert_eq!(
        bought.body["balance"],
        json!({"available": 0, "pending": 42, "pending_review": 0, "held": 0})
    );
    assert_eq!(bought.body["explanation"]["pending_until"], "2026-11-16T12:00:00Z");
    let refused = app.post("/v1/members/b-1/redemptions", json!({"reward": "dessert"})).await;
    assert_eq!((refused.status, refused.code()), (422, "insufficient_points"));

    // A review is not a purchase: its points are available at once.
    let reviewed =
        app.post("/v1/events", json!({"type": "activity", "member": "b-1", "kind": "review"})).await;
    assert_eq!(reviewed.status, 201, "{:?}", reviewed.body);
    let shown = member(&app).await;
    assert_eq!(shown["balance"], json!({"available": 20, "pending": 42, "pending_review": 0, "held": 0}));
    assert_eq!(shown["expiring_soon"], json!([{"points": 62, "expires_at": "2027-11-02T12:00:00Z"}]));
    assert_eq!(run_jobs(&app).await, report(0, 0, 0, 0));

    // The dispute window closes: the meal's points become available, once.
    set_clock(&app, "2026-11-16T12:00:00Z").await;
    assert_eq!(run_jobs(&app).await, report(0, 1, 0, 0));
    assert_eq!(run_jobs(&app).await, report(0, 0, 0, 0));
    assert_eq!(
        member(&app).await["balance"],
        json!({"available": 62, "pending": 0, "pending_review": 0, "held": 0})
    );
    let redeemed = app.post("/v1/members/b-1/redemptions", json!({"reward": "dessert"})).await;
    assert_eq!((redeemed.status, redeemed.body["balance"]["available"].as_i64()), (201, Some(12)));

    // 30 days before the points expire, a warning of the 12 left; once.
    set_clock(&app, "2027-10-03T12:00:00Z").await;
    assert_eq!(run_jobs(&app).await, report(0, 0, 1, 0));
    assert_eq!(run_jobs(&app).await, report(0, 0, 0, 1));
    assert_eq!(
        member(&app).await["expiring_soon"],
        json!([{"points": 12, "expires_at": "2027-11-02T12:00:00Z"}])
    );

    // A microsecond early nothing expires; at the date, exactly the 12 left do, once.
    set_clock(&app, "2027-11-02T11:59:59.999999Z").await;
    assert_eq!(run_jobs(&app).await, report(0, 0, 0, 1));
    set_clock(&app, "2027-11-02T12:00:00Z").await;
    assert_eq!(run_jobs(&app).await, report(1, 0, 0, 0));
    assert_eq!(run_jobs(&app).await, report(0, 0, 0, 0));
    let shown = member(&app).await;
    assert_eq!(shown["balance"], json!({"available": 0, "pending": 0, "pending_review": 0, "held": 0}));
    assert!(shown.get("expiring_soon").is_none(), "{shown:?}");

    let ledger = app.get("/v1/members/b-1/ledger").await;
    let kinds: Vec<&str> =
        ledger.body["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["expiry", "redemption", "pending_release", "activity", "purchase"]);
    let expiry = &ledger.body["entries"][0];
    assert_eq!(expiry["occurred_at"], "2027-11-02T12:00:00Z");
    assert_eq!(
        expiry["postings"],
        json!([{"account": "member:available", "amount": -12}, {"account": "program:expired", "amount": 12}])
    );
    app.assert_consistent().await;
}

async fn the_test_clock_and_the_jobs_are_for_admins_and_the_clock_only_when_on(db: TestDb) {
    let app = TestApp::start_with(db, &bistro_path()).await;
    let pos = app.add_key(Role::Pos).await;
    let body = Some(json!({"now": "2030-01-01T00:00:00Z"}));
    let forbidden = app.send_as(&pos, Method::PUT, "/v1/admin/clock", body).await;
    assert_eq!((forbidden.status, forbidden.code()), (403, "forbidden"));
    let forbidden = app.send_as(&pos, Method::POST, "/v1/jobs/run", Some(json!({}))).await;
    assert_eq!((forbidden.status, forbidden.code()), (403, "forbidden"));
    let shown = app.get("/v1/admin/clock").await;
    assert_eq!(shown.body, json!({"now": "2026-11-02T12:00:00Z", "settable": true}));
    let bad = app.put("/v1/admin/clock", json!({"now": "tomorrow"})).await;
    assert_eq!((bad.status, bad.code()), (422, "invalid_request"), "{:?}", bad.body);

    // On the system clock, as `loyalty serve` runs unless told otherwise, it cannot be set.
    let settings = Settings {
        program_files: vec![bistro_path()],
        admin_key: Some("k".repeat(32)),
        ..Default::default()
    };
    let started = start(app.store.clone(), &settings, Clock::system()).await.unwrap();
    let system = TestApp { router: loyalty_server::app(started.state), key: "k".repeat(32), ..app };
    let refused = system.put("/v1/admin/clock", json!({"now": "2030-01-01T00:00:00Z"})).await;
    assert_eq!((refused.status, refused.code()), (409, "test_clock_off"));
    assert_eq!(system.get("/v1/admin/clock").await.body["settable"], false);
}
