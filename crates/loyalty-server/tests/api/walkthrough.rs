//! The README's walkthrough, run with the very bodies the README sends, so the two cannot
//! drift apart: the test reads them out of README.md.

use super::*;
use loyalty_testkit::{TestDb, each_backend};

each_backend!(the_walkthrough_gives_exact_balances_and_a_balanced_ledger);

/// The JSON bodies (`-d '...'`) of the README's walkthrough, in order.
fn readme_bodies() -> Vec<Value> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let start = readme.find("## Walkthrough").unwrap();
    let end = start + readme[start..].find("## The HTTP API").unwrap();
    let walkthrough = &readme[start..end];
    walkthrough
        .split("-d '")
        .skip(1)
        .map(|rest| serde_json::from_str(&rest[..rest.find('\'').unwrap()]).unwrap())
        .collect()
}

async fn the_walkthrough_gives_exact_balances_and_a_balanced_ledger(db: TestDb) {
    let app = TestApp::start(db).await;
    let bodies = readme_bodies();
    assert_eq!(bodies.len(), 8, "{bodies:#?}");
    // Followed on any date: the purchase happens when it is posted.
    assert!(bodies.iter().all(|b| b.get("occurred_at").is_none()), "{bodies:#?}");
    let body = |i: usize| bodies[i].clone();

    let enrolled = app.post("/v1/members", body(0)).await;
    assert_eq!(enrolled.status, 201);
    assert_eq!(enrolled.body["external_id"], "c-1001");
    assert_eq!(enrolled.body["email"], "ada@example.com");
    assert_eq!(
        enrolled.body["balance"],
        json!({"available": 0, "pending": 0, "pending_review": 0, "held": 0})
    );

    let bought = app.post("/v1/events", body(1)).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    assert_eq!(bought.body["points_awarded"], 160);
    assert_eq!(bought.body["balance"]["available"], 160);
    let lines = &bought.body["explanation"]["lines"];
    assert_eq!(lines[0]["points"], "95");
    assert_eq!(lines[0]["awards"][0]["rule"], "base");
    assert_eq!(lines[0]["awards"][0]["reason"], "10 beans per 1.00 USD on 9.50 USD");
    assert_eq!(lines[1]["points"], "65");
    assert_eq!(lines[1]["awards"][1]["rule"], "pastry-double");
    assert_eq!(lines[1]["awards"][1]["points"], "32.5");
    assert_eq!(bought.body["explanation"]["subtotal"], "160");
    assert_eq!(bought.body["explanation"]["rounding"], "floor");

    let returned = app.post("/v1/events", body(2)).await;
    assert_eq!(returned.status, 201, "{:?}", returned.body);
    assert_eq!(returned.body["points_reversed"], 65);
    assert_eq!(returned.body["balance"]["available"], 95);
    assert_eq!(available(&app, "c-1001").await, 95);

    let redeemed = app.post_keyed("/v1/members/c-1001/redemptions", "redeem-1", body(3)).await;
    assert_eq!(redeemed.status, 201, "{:?}", redeemed.body);
    assert_eq!(redeemed.body["points_spent"], 90);
    assert_eq!(redeemed.body["balance"]["available"], 5);
    let code = redeemed.body["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 19);

    let refused = app.post("/v1/members/c-1001/redemptions", body(4)).await;
    assert_eq!((refused.status, refused.code()), (422, "insufficient_points"));
    assert_eq!(available(&app, "c-1001").await, 5);

    let again = app.post_keyed("/v1/members/c-1001/redemptions", "redeem-1", body(5)).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["code"], code.as_str());
    assert_eq!(again.body, redeemed.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(available(&app, "c-1001").await, 5);

    let ledger = app.get("/v1/members/c-1001/ledger").await;
    assert_eq!(ledger.status, 200);
    let entries = ledger.body["entries"].as_array().unwrap();
    let kinds: Vec<_> = entries.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["redemption", "return", "purchase"]);
    for entry in entries {
        let postings = entry["postings"].as_array().unwrap();
        assert!(postings.len() >= 2);
        assert_eq!(postings.iter().map(|p| p["amount"].as_i64().unwrap()).sum::<i64>(), 0, "{entry}");
    }
    assert_eq!(
        entries[2]["postings"],
        json!([{"account": "program:issued", "amount": -160}, {"account": "member:available", "amount": 160}])
    );
    assert_eq!(ledger.body["next_cursor"], Value::Null);

    // The README's checkout: the correction, then 1.00 of a latte paid with 20 beans.
    let corrected = app.post("/v1/members/c-1001/adjustments", body(6)).await;
    assert_eq!(corrected.body["balance"]["available"], 25);
    let held = app.post("/v1/members/c-1001/holds", body(7)).await;
    assert_eq!(held.status, 201, "{:?}", held.body);
    assert_eq!(
        (&held.body["points"], &held.body["balance"]["available"], &held.body["balance"]["held"]),
        (&json!(20), &json!(5), &json!(20))
    );
    let hold_id = held.body["hold_id"].as_str().unwrap();
    assert!(hold_id.starts_with("H-"), "{hold_id}");
    let captured = app.post(&format!("/v1/holds/{hold_id}/capture"), json!({})).await;
    assert_eq!(captured.status, 201, "{:?}", captured.body);
    assert_eq!(
        (&captured.body["state"], &captured.body["balance"]["available"], &captured.body["balance"]["held"]),
        (&json!("captured"), &json!(5), &json!(0))
    );
    app.assert_consistent().await;
}
