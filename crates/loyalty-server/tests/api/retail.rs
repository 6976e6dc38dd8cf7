//! The retail example program (`examples/programs/retail.toml`) end to end: a member joins,
//! completes their profile, shops the night Black Friday starts in Paris, and spends their
//! points.

use super::*;
use loyalty_testkit::{TestDb, at, each_backend, retail_path};

each_backend!(
    a_black_friday_shopper_earns_and_spends_exactly,
    black_friday_s_budget_counts_only_points_given
);

fn line(sku: &str, category: &str, quantity: i64, unit_price_minor: i64) -> Value {
    json!({"sku": sku, "category": category, "quantity": quantity, "unit_price_minor": unit_price_minor})
}

fn order(order_id: &str, occurred_at: &str, lines: Value) -> Value {
    json!({"type": "purchase", "member": "ada", "order_id": order_id, "occurred_at": occurred_at, "lines": lines})
}

/// Jeans, a gift card and two organic tees, at half past midnight on Black Friday in Paris
/// (still the 26th in UTC).
fn black_friday_order() -> Value {
    order(
        "bf-1",
        "2026-11-26T23:30:00Z",
        json!([
            line("jeans-501", "denim", 1, 8900),
            line("gift-card-25", "gift-card", 1, 2500),
            line("organic-tee", "eco", 2, 2500)
        ]),
    )
}

async fn retail_with_ada(db: TestDb) -> TestApp {
    let app = TestApp::start_with(db, &retail_path()).await;
    app.clock.set(at("2026-11-20T10:00:00Z"));
    let joined = app
        .post(
            "/v1/members",
            json!({"external_id": "ada", "email": "ada@example.com", "name": "Ada Lovelace"}),
        )
        .await;
    assert_eq!(joined.status, 201, "{:?}", joined.body);
    assert_eq!(
        joined.body["balance"],
        json!({"available": 100, "pending": 0, "pending_review": 0, "held": 0})
    );
    assert_eq!(
        joined.body["explanation"]["awards"],
        json!([{"rule": "welcome", "kind": "welcome_bonus", "points": "100", "reason": "welcome: 100 points for joining"}])
    );
    app
}

async fn a_black_friday_shopper_earns_and_spends_exactly(db: TestDb) {
    let app = retail_with_ada(db).await;
    let program = app.get("/v1/program").await;
    assert_eq!((program.body["code"].as_str(), program.body["version"].as_i64()), (Some("retail"), Some(1)));

    let profile = app
        .post("/v1/events", json!({"type": "activity", "kind": "profile_completed", "member": "ada"}))
        .await;
    assert_eq!(
        (profile.status, profile.body["points_awarded"].as_i64()),
        (201, Some(150)),
        "{:?}",
        profile.body
    );

    // A minute before midnight in Paris on Thursday: one point per euro, no more.
    app.clock.set(at("2026-11-27T09:00:00Z"));
    let thursday = app
        .post(
            "/v1/events",
            order("th-1", "2026-11-26T22:59:00Z", json!([line("merino-sweater", "knitwear", 1, 2500)])),
        )
        .await;
    assert_eq!(thursday.status, 201, "{:?}", thursday.body);
    assert_eq!(thursday.body["points_awarded"], 25);
    let awards = thursday.body["explanation"]["lines"][0]["awards"].as_array().unwrap();
    assert_eq!(awards.len(), 1, "{awards:?}");
    assert_eq!(awards[0]["reason"], "1 point per 1.00 EUR on 25.00 EUR");

    // Black Friday: triple points, nothing on the gift card, the eco bonus on the tees.
    let friday = app.post("/v1/events", black_friday_order()).await;
    assert_eq!(friday.status, 201, "{:?}", friday.body);
    assert_eq!(friday.body["points_awarded"], 267 + 160);
    assert_eq!(friday.body["balance"]["available"], 100 + 150 + 25 + 427);
    let explanation = &friday.body["explanation"];
    assert_eq!(explanation["program_version"], 1);
    let lines = explanation["lines"].as_array().unwrap();
    assert_eq!(
        lines[0]["awards"],
        json!([
            {"rule": "base", "kind": "base_rate", "points": "89", "reason": "1 point per 1.00 EUR on 89.00 EUR"},
            {
                "rule": "black-friday", "kind": "campaign", "points": "178",
                "reason": "Black Friday triple points (×3) until 2026-11-30T00:00: 178 on top of 89 base points"
            }
        ])
    );
    assert_eq!(lines[0]["points"], "267");
    assert_eq!(lines[1]["sku"], "gift-card-25");
    assert_eq!(lines[1]["points"], "0");
    assert_eq!(
        lines[1]["awards"],
        json!([
            {"rule": "base", "kind": "base_rate", "points": "25", "reason": "1 point per 1.00 EUR on 25.00 EUR"},
            {"rule": "no-gift-cards", "kind": "exclusion", "points": "-25", "reason": "category gift-card earns nothing"}
        ])
    );
    let tee: Vec<_> = lines[2]["awards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["rule"].clone(), a["points"].clone()))
        .collect();
    assert_eq!(
        tee,
        vec![
            (json!("base"), json!("50")),
            (json!("eco-bonus"), json!("10")),
            (json!("black-friday"), json!("100"))
        ]
    );
    assert_eq!(lines[2]["awards"][1]["reason"], "category eco: a bonus of 5 points per unit × 2");
    assert_eq!(
        explanation["awards"],
        json!([{"rule": "denim-card", "kind": "punch_card", "points": "0", "reason": "punch card: 1 of 5"}])
    );
    assert_eq!((explanation["subtotal"].as_str(), explanation["points"].as_i64()), (Some("427"), Some(427)));

    let ada = app.get("/v1/members/ada").await;
    assert_eq!(ada.body["balance"], json!({"available": 702, "pending": 0, "pending_review": 0, "held": 0}));
    assert_eq!(ada.body["punch_cards"], json!([{"rule": "denim-card", "punches": 1, "every": 5}]));

    // A basket under 10.00 EUR earns nothing, Black Friday or not. 25.00 + 164.00 + 9.00 EUR
    // in 30 days stays under the 200.00 EUR of the big-spender bonus.
    let socks = app
        .post("/v1/events", order("sa-1", "2026-11-27T08:00:00Z", json!([line("socks", "basics", 1, 900)])))
        .await;
    assert_eq!((socks.status, socks.body["points_awarded"].as_i64()), (201, Some(0)), "{:?}", socks.body);
    let socks_line: Vec<_> = socks.body["explanation"]["lines"][0]["awards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["points"].clone())
        .collect();
    assert_eq!(socks_line, vec![json!("9"), json!("-9")]);
    assert_eq!(
        socks.body["explanation"]["awards"][0]["reason"],
        "orders under 10.00 EUR earn nothing; this one is 9.00 EUR"
    );

    let tote = app.post_keyed("/v1/members/ada/redemptions", "ada-tote", json!({"reward": "tote-bag"})).await;
    assert_eq!(tote.status, 201, "{:?}", tote.body);
    assert_eq!(
        (tote.body["points_spent"].as_i64(), tote.body["balance"]["available"].as_i64()),
        (Some(600), Some(102))
    );
    let voucher = app.post("/v1/members/ada/redemptions", json!({"reward": "voucher-10"})).await;
    assert_eq!((voucher.status, voucher.code()), (422, "insufficient_points"));
    assert_eq!(voucher.body["error"]["message"], "1000 points are needed but only 102 points are available");

    let ledger = app.get("/v1/members/ada/ledger").await;
    let kinds: Vec<_> =
        ledger.body["entries"].as_array().unwrap().iter().map(|e| e["kind"].clone()).collect();
    assert_eq!(
        kinds,
        vec![json!("redemption"), json!("purchase"), json!("purchase"), json!("activity"), json!("bonus")]
    );
    assert_eq!(available(&app, "ada").await, 102);
    app.assert_consistent().await;
}

/// The gift card's line earns nothing, so Black Friday gives nothing on it and its budget
/// (and Ada's daily cap of 1000 Black Friday points) is charged only for the jeans and
/// the tees: 178 + 100.
async fn black_friday_s_budget_counts_only_points_given(db: TestDb) {
    let app = retail_with_ada(db).await;
    app.clock.set(at("2026-11-27T09:00:00Z"));
    let friday = app.post("/v1/events", black_friday_order()).await;
    assert_eq!(friday.body["points_awarded"], 427, "{:?}", friday.body);
    let campaigns = app.get("/v1/campaigns").await;
    let black_friday = campaigns.body["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "black-friday")
        .unwrap()
        .clone();
    assert_eq!(black_friday["status"], "running");
    assert_eq!(black_friday["budget_spent"], 178 + 100, "{black_friday}");
    app.assert_consistent().await;
}
