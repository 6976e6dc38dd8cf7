//! What an order counts as, on the retail program: points are earned on what the member
//! paid in money, not on a share paid with points, whenever that payment is captured; and
//! lines an exclusion takes out (gift cards) count towards no spend measure.

use super::*;
use loyalty_testkit::{TestDb, at, each_backend, retail_path};

each_backend!(
    a_share_paid_with_points_earns_nothing_and_counts_as_no_spend,
    a_payment_captured_after_the_purchase_takes_back_what_its_share_earned,
    a_program_may_let_the_points_payment_earn,
    excluded_lines_count_towards_no_spend_threshold_and_no_tier,
    two_purchases_in_the_same_second_both_count_towards_the_tier
);

/// Ada joins on 20 November 2026 (100 welcome points) and is given 1,900 more.
async fn ada(db: TestDb) -> TestApp {
    let app = TestApp::start_with(db, &retail_path()).await;
    app.clock.set(at("2026-11-20T10:00:00Z"));
    assert_eq!(app.post("/v1/members", json!({"external_id": "ada"})).await.status, 201);
    let given = app.post("/v1/members/ada/adjustments", json!({"points": 1900, "reason": "test"})).await;
    assert_eq!(given.status, 201, "{:?}", given.body);
    app
}

/// Jeans (30.00) and a scarf (10.00).
fn order_o7() -> Value {
    json!({"type": "purchase", "member": "ada", "order_id": "o-7", "lines": [
        {"sku": "jeans-501", "category": "denim", "quantity": 1, "unit_price_minor": 3000},
        {"sku": "scarf-red", "category": "accessories", "quantity": 1, "unit_price_minor": 1000}
    ]})
}

/// Pays 15.00 of o-7's 40.00 with 1,500 points and captures it.
async fn pay_15_with_points(app: &TestApp) -> Value {
    let held = app
        .post("/v1/members/ada/holds", json!({"order_id": "o-7", "amount_minor": 1500, "basket_minor": 4000}))
        .await;
    assert_eq!((held.status, &held.body["points"]), (201, &json!(1500)), "{:?}", held.body);
    let captured =
        app.post(&format!("/v1/holds/{}/capture", held.body["hold_id"].as_str().unwrap()), json!({})).await;
    assert_eq!(captured.status, 201, "{:?}", captured.body);
    captured.body
}

async fn spend_in_tier_window(app: &TestApp) -> i64 {
    app.get("/v1/members/ada").await.body["tier_progress"]["value"].as_i64().unwrap()
}

async fn a_share_paid_with_points_earns_nothing_and_counts_as_no_spend(db: TestDb) {
    let app = ada(db).await;
    pay_15_with_points(&app).await;
    assert_eq!(available(&app, "ada").await, 500);

    // 25.00 paid in money: the jeans earn on 18.75, the scarf on 6.25.
    let bought = app.post("/v1/events", order_o7()).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    assert_eq!(bought.body["points_awarded"], 25);
    let explained = &bought.body["explanation"];
    assert_eq!(explained["paid_with_points_minor"], 1500);
    assert_eq!(
        (&explained["lines"][0]["paid_with_points_minor"], &explained["lines"][0]["points"]),
        (&json!(1125), &json!("18.75"))
    );
    assert_eq!(explained["lines"][1]["paid_with_points_minor"], 375);
    assert_eq!(explained["lines"][0]["awards"][0]["reason"], "1 point per 1.00 EUR on 18.75 EUR");
    let summary = explained["summary"].as_str().unwrap();
    assert!(summary.contains("; 15.00 EUR of the order was paid with points and earns nothing"), "{summary}");
    assert_eq!(available(&app, "ada").await, 525);
    assert_eq!(spend_in_tier_window(&app).await, 2500);
    app.assert_consistent().await;
}

async fn a_payment_captured_after_the_purchase_takes_back_what_its_share_earned(db: TestDb) {
    let app = ada(db).await;
    let bought = app.post("/v1/events", order_o7()).await;
    assert_eq!((bought.status, &bought.body["points_awarded"]), (201, &json!(40)), "{:?}", bought.body);
    assert_eq!(spend_in_tier_window(&app).await, 4000);

    // The till captures the payment after posting the order: 40 - floor(25) = 15 back.
    let captured = pay_15_with_points(&app).await;
    assert_eq!(captured["balance"]["available"], 2040 - 1500 - 15);
    assert_eq!(spend_in_tier_window(&app).await, 2500);
    let ledger = app.get("/v1/members/ada/ledger?limit=2").await;
    let kinds: Vec<&str> =
        ledger.body["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["return", "redemption"], "{:?}", ledger.body);
    let history = app.get("/v1/members/ada/history?topic=hold").await;
    let reasons = history.body.to_string();
    assert!(
        reasons.contains("order o-7 was paid 15.00 EUR with points after it earned: the 15 points that share earned are taken back"),
        "{reasons}"
    );

    // Returning everything takes back the 25 left and gives the 1,500 points paid back.
    let back = json!({"type": "return", "member": "ada", "order_id": "o-7",
        "lines": [{"sku": "jeans-501", "quantity": 1}, {"sku": "scarf-red", "quantity": 1}]});
    let returned = app.post("/v1/events", back).await;
    assert_eq!(returned.status, 201, "{:?}", returned.body);
    assert_eq!(
        (&returned.body["points_reversed"], &returned.body["points_refunded"]),
        (&json!(25), &json!(1500))
    );
    assert_eq!(available(&app, "ada").await, 2000);
    assert_eq!(spend_in_tier_window(&app).await, 0);
    app.assert_consistent().await;
}

async fn a_program_may_let_the_points_payment_earn(db: TestDb) {
    let app = ada(db).await;
    let mut definition = app.get("/v1/program").await.body["definition"].clone();
    definition["redemption"]["earn_on_points_payment"] = json!(true);
    let put = app.put("/v1/program", definition).await;
    assert_eq!(put.status, 201, "{:?}", put.body);
    pay_15_with_points(&app).await;
    let bought = app.post("/v1/events", order_o7()).await;
    assert_eq!((bought.status, &bought.body["points_awarded"]), (201, &json!(40)), "{:?}", bought.body);
    assert!(bought.body["explanation"].get("paid_with_points_minor").is_none(), "{:?}", bought.body);
    assert_eq!(spend_in_tier_window(&app).await, 4000);
    app.assert_consistent().await;
}

async fn excluded_lines_count_towards_no_spend_threshold_and_no_tier(db: TestDb) {
    let app = ada(db).await;
    // 190.00 of jeans and a 25.00 gift card: 215.00 paid, but only 190.00 counts, short of
    // the 200.00 that big-spender's 500 points need.
    let first = json!({"type": "purchase", "member": "ada", "order_id": "o-1", "lines": [
        {"sku": "jeans-lux", "category": "denim", "quantity": 1, "unit_price_minor": 19000},
        {"sku": "gift-card-25", "category": "gift-card", "quantity": 1, "unit_price_minor": 2500}
    ]});
    let bought = app.post("/v1/events", first).await;
    assert_eq!((bought.status, &bought.body["points_awarded"]), (201, &json!(190)), "{:?}", bought.body);
    assert_eq!(spend_in_tier_window(&app).await, 19000);
    // 10.00 more reaches it.
    let second = json!({"type": "purchase", "member": "ada", "order_id": "o-2", "lines": [
        {"sku": "scarf-red", "category": "accessories", "quantity": 1, "unit_price_minor": 1000}
    ]});
    let bought = app.post("/v1/events", second).await;
    assert_eq!((bought.status, &bought.body["points_awarded"]), (201, &json!(510)), "{:?}", bought.body);
    assert_eq!(spend_in_tier_window(&app).await, 20000);
    app.assert_consistent().await;
}

async fn two_purchases_in_the_same_second_both_count_towards_the_tier(db: TestDb) {
    let app = ada(db).await;
    let coat = |order_id: &str, unit_price_minor: i64| {
        json!({"type": "purchase", "member": "ada", "order_id": order_id, "occurred_at": "2026-11-20T10:00:00Z",
            "lines": [{"sku": "coat", "category": "outerwear", "quantity": 1, "unit_price_minor": unit_price_minor}]})
    };
    assert_eq!(app.post("/v1/events", coat("o-1", 40000)).await.status, 201);
    // 400.00 then 100.00 stamped the same second: 500.00 reaches silver.
    let second = app.post("/v1/events", coat("o-2", 10000)).await;
    assert_eq!(second.status, 201, "{:?}", second.body);
    let member = app.get("/v1/members/ada").await.body;
    assert_eq!(
        (&member["tier"], &member["tier_progress"]["value"]),
        (&json!("silver"), &json!(50000)),
        "{member:?}"
    );
    app.assert_consistent().await;
}
