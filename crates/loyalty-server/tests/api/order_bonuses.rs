//! Bonuses an order earns as a whole are re-judged when it is returned, on the retail
//! program: big-spender (500 points for 200.00 within 30 days) and the denim punch card
//! (a tote bag every fifth denim order).

use super::*;
use loyalty_testkit::{TestDb, at, each_backend, retail_path};

each_backend!(
    a_full_return_takes_back_the_threshold_bonus_and_the_stamp,
    a_return_that_keeps_the_threshold_keeps_the_bonus,
    returning_the_order_that_completed_a_punch_card_cancels_its_unused_reward
);

/// Ada joins on 20 November 2026 at 10:00 UTC: 100 welcome points.
async fn ada(db: TestDb) -> TestApp {
    let app = TestApp::start_with(db, &retail_path()).await;
    app.clock.set(at("2026-11-20T10:00:00Z"));
    assert_eq!(app.post("/v1/members", json!({"external_id": "ada"})).await.status, 201);
    app
}

fn line(sku: &str, category: &str, unit_price_minor: i64) -> Value {
    json!({"sku": sku, "category": category, "quantity": 1, "unit_price_minor": unit_price_minor})
}

async fn buy(app: &TestApp, order_id: &str, occurred_at: &str, lines: Value) -> Value {
    let order = json!({"type": "purchase", "member": "ada", "order_id": order_id, "occurred_at": occurred_at, "lines": lines});
    let bought = app.post("/v1/events", order).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    bought.body
}

async fn give_back(app: &TestApp, order_id: &str, skus: &[&str]) -> Value {
    let lines: Vec<Value> = skus.iter().map(|sku| json!({"sku": sku, "quantity": 1})).collect();
    let back = json!({"type": "return", "member": "ada", "order_id": order_id, "lines": lines});
    let returned = app.post("/v1/events", back).await;
    assert_eq!(returned.status, 201, "{:?}", returned.body);
    returned.body
}

async fn punches(app: &TestApp) -> Value {
    app.get("/v1/members/ada").await.body["punch_cards"][0]["punches"].clone()
}

async fn a_full_return_takes_back_the_threshold_bonus_and_the_stamp(db: TestDb) {
    let app = ada(db).await;
    // 210.00 of denim: 210 points, big-spender's 500, and a stamp.
    let bought = buy(&app, "o-1", "2026-11-20T09:00:00Z", json!([line("jeans-lux", "denim", 21000)])).await;
    assert_eq!(bought["points_awarded"], 710);
    assert_eq!(punches(&app).await, 1);

    let returned = give_back(&app, "o-1", &["jeans-lux"]).await;
    assert_eq!(returned["points_reversed"], 710);
    assert_eq!(
        returned["explanation"]["bonuses_reversed"],
        json!([{"rule": "big-spender", "points": 500}, {"rule": "denim-card", "points": 0}])
    );
    let summary = returned["explanation"]["summary"].as_str().unwrap();
    assert!(
        summary.contains(
            "so 210 points are taken back; what the order keeps no longer earns the big-spender bonus, so its 500 \
             points are taken back too; what the order keeps no longer counts for denim-card, so that is undone"
        ),
        "{summary}"
    );
    assert_eq!(available(&app, "ada").await, 100);
    assert_eq!(punches(&app).await, 0);

    // The bonus was taken back, so the window may earn it again.
    let again = buy(&app, "o-2", "2026-11-20T09:30:00Z", json!([line("coat", "outerwear", 20000)])).await;
    assert_eq!(again["points_awarded"], 700);
    app.assert_consistent().await;
}

async fn a_return_that_keeps_the_threshold_keeps_the_bonus(db: TestDb) {
    let app = ada(db).await;
    let lines = json!([line("coat", "outerwear", 21000), line("scarf-red", "accessories", 1000)]);
    assert_eq!(buy(&app, "o-1", "2026-11-20T09:00:00Z", lines).await["points_awarded"], 720);
    // 210.00 kept: still over 200.00.
    let returned = give_back(&app, "o-1", &["scarf-red"]).await;
    assert_eq!(returned["points_reversed"], 10);
    assert!(returned["explanation"].get("bonuses_reversed").is_none(), "{returned:?}");
    // Nothing kept: the bonus goes with the coat.
    let returned = give_back(&app, "o-1", &["coat"]).await;
    assert_eq!(returned["points_reversed"], 710);
    assert_eq!(available(&app, "ada").await, 100);
    app.assert_consistent().await;
}

async fn returning_the_order_that_completed_a_punch_card_cancels_its_unused_reward(db: TestDb) {
    let app = ada(db).await;
    // Five denim orders two hours apart (under the velocity limit): the fifth issues a tote bag.
    for (n, hour) in ["00", "02", "04", "06", "08"].iter().enumerate() {
        let at = format!("2026-11-19T{hour}:00:00Z");
        buy(&app, &format!("d-{n}"), &at, json!([line("jeans-501", "denim", 2000)])).await;
    }
    assert_eq!(punches(&app).await, 0);
    let codes = app.get("/v1/members/ada/codes").await.body["codes"].clone();
    assert_eq!(
        (codes[0]["reward"].as_str(), codes[0]["state"].as_str()),
        (Some("tote-bag"), Some("issued")),
        "{codes:?}"
    );

    let returned = give_back(&app, "d-4", &["jeans-501"]).await;
    assert_eq!(returned["points_reversed"], 20);
    assert_eq!(returned["explanation"]["bonuses_reversed"], json!([{"rule": "denim-card", "points": 0}]));
    let codes = app.get("/v1/members/ada/codes").await.body["codes"].clone();
    assert_eq!(codes[0]["state"], "cancelled", "{codes:?}");
    assert_eq!(punches(&app).await, 4);
    // The next denim order completes the card again.
    buy(&app, "d-5", "2026-11-19T10:00:00Z", json!([line("jeans-501", "denim", 2000)])).await;
    assert_eq!(punches(&app).await, 0);
    let codes = app.get("/v1/members/ada/codes").await.body["codes"].as_array().unwrap().len();
    assert_eq!(codes, 2);
    app.assert_consistent().await;
}
