//! Refusals read in the program's words: its name for points, singular for one, and money
//! with its currency; the codes stay as they are.

use super::*;
use loyalty_testkit::{TestApp, TestDb, at, each_backend, retail_path};

each_backend!(refusals_name_the_programs_points_and_money);

async fn refusals_name_the_programs_points_and_money(db: TestDb) {
    // The coffee program calls its points beans.
    let app = with_member(db).await;
    let one = app.post("/v1/members/c-1001/adjustments", json!({"points": 1, "reason": "a bean"})).await;
    assert_eq!(one.status, 201, "{:?}", one.body);
    let short = app.post("/v1/members/c-1001/redemptions", json!({"reward": "free-drink"})).await;
    assert_eq!((short.status, short.code()), (422, "insufficient_points"));
    assert_eq!(short.body["error"]["message"], "90 beans are needed but only 1 bean is available");
    let held = app.post("/v1/members/c-1001/holds", json!({"order_id": "o-1", "points": 2})).await;
    assert_eq!(held.body["error"]["message"], "2 beans are needed but only 1 bean is available");

    // Explanations count the same way: a 0.10 muffin earns one bean.
    let dime = json!({"type": "purchase", "member": "c-1001", "order_id": "o-dime",
        "lines": [{"sku": "muffin", "quantity": 1, "unit_price_minor": 10}]});
    let bought = app.post("/v1/events", dime).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    let summary = bought.body["explanation"]["summary"].as_str().unwrap();
    assert_eq!(summary, "the lines earn 1 bean in all; rounded once per order (floor): 1 bean", "{summary}");
}

each_backend!(a_gift_card_draw_beyond_its_balance_names_the_amounts_in_the_currency);

async fn a_gift_card_draw_beyond_its_balance_names_the_amounts_in_the_currency(db: TestDb) {
    let app = TestApp::start_with(db, &retail_path()).await;
    app.clock.set(at("2026-11-20T10:00:00Z"));
    assert_eq!(app.post("/v1/members", json!({"external_id": "ada"})).await.status, 201);
    let given = app.post("/v1/members/ada/adjustments", json!({"points": 2000, "reason": "test"})).await;
    assert_eq!(given.status, 201, "{:?}", given.body);
    let card = app.post("/v1/members/ada/redemptions", json!({"reward": "gift-card-20"})).await;
    assert_eq!(card.status, 201, "{:?}", card.body);
    let code = card.body["code"].as_str().unwrap();
    let draws = format!("/v1/gift-cards/{code}/draws");
    let drawn = app.post(&draws, json!({"order_id": "o-1", "amount_minor": 750})).await;
    assert_eq!(drawn.status, 201, "{:?}", drawn.body);
    let beyond = app.post(&draws, json!({"order_id": "o-2", "amount_minor": 1251})).await;
    assert_eq!((beyond.status, beyond.code()), (409, "gift_card_insufficient_balance"));
    assert_eq!(
        beyond.body["error"]["message"],
        format!("gift card {code} has 12.50 EUR left, less than the 12.51 EUR asked for")
    );
}
