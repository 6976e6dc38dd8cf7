//! A member's standing through the API, on the retail program (gold also sold at 9.99 a
//! month): billing's news of a paid tier, an administrator's suspension, and the history
//! that keeps both.

use super::*;
use axum::http::Method;
use loyalty_store::Role;
use loyalty_testkit::{TestDb, each_backend, retail_path};

each_backend!(a_paid_tier_and_a_suspension_are_shown_with_their_history);

async fn history_to(app: &TestApp, path: &str) -> Vec<String> {
    let got = app.get(path).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap_or("none").to_owned())
        .collect()
}

async fn a_paid_tier_and_a_suspension_are_shown_with_their_history(db: TestDb) {
    let app = TestApp::start_with(db, &retail_path()).await;
    for who in ["r-1", "r-2"] {
        assert_eq!(app.post("/v1/members", json!({"external_id": who})).await.status, 201);
    }

    let started = app.post("/v1/members/r-1/subscription", json!({"tier": "gold"})).await;
    assert_eq!(started.status, 201, "{:?}", started.body);
    assert_eq!(
        (
            &started.body["subscription"]["tier"],
            &started.body["subscription"]["status"],
            &started.body["subscription"]["price_minor"]
        ),
        (&json!("gold"), &json!("active"), &json!(999))
    );
    let page = app.get("/v1/members/r-1").await.body;
    assert_eq!((&page["tier"], &page["tier_progress"]["earned_tier"]), (&json!("gold"), &Value::Null));
    assert_eq!(page["tier_progress"]["perks"], json!(["Free delivery", "Private sales a day early"]));
    assert_eq!(
        (&page["tier_progress"]["next_tier"], &page["tier_progress"]["needed"]),
        (&json!("silver"), &json!(50000))
    );

    let refusals = [
        (app.post("/v1/members/r-1/subscription", json!({"tier": "gold"})).await, 409, "already_subscribed"),
        (app.post("/v1/members/r-2/subscription", json!({"tier": "silver"})).await, 422, "tier_not_for_sale"),
        (app.post("/v1/members/r-2/subscription", json!({"tier": "platinum"})).await, 404, "tier_not_found"),
        (app.post("/v1/members/r-2/subscription/renewal", json!({})).await, 422, "not_subscribed"),
        (app.post("/v1/members/r-1/subscription/refund", json!({})).await, 404, "not_found"),
    ];
    for (got, status, code) in refusals {
        assert_eq!((got.status, got.code()), (status, code), "{:?}", got.body);
    }
    for news in ["payment-failure", "renewal", "cancellation"] {
        let got = app.post(&format!("/v1/members/r-1/subscription/{news}"), json!({})).await;
        assert_eq!(got.status, 201, "{news}: {:?}", got.body);
    }
    let shown = app.get("/v1/members/r-1/subscription").await.body;
    assert_eq!(shown["subscription"]["status"], "cancelled");
    assert_eq!(
        history_to(&app, "/v1/members/r-1/subscription").await,
        ["gold active", "gold past_due", "gold active", "gold cancelled"]
    );

    // Suspension is an administrator's: a till may not, and a suspended member may not redeem.
    let pos = app.add_key(Role::Pos).await;
    let forbidden =
        app.send_as(&pos, Method::POST, "/v1/members/r-2/status", Some(json!({"action": "suspend"}))).await;
    assert_eq!((forbidden.status, forbidden.code()), (403, "forbidden"));
    let suspended =
        app.post("/v1/members/r-2/status", json!({"action": "suspend", "reason": "chargebacks"})).await;
    assert_eq!(
        (suspended.status, &suspended.body["status"]),
        (201, &json!("suspended")),
        "{:?}",
        suspended.body
    );
    let again = app.post("/v1/members/r-2/status", json!({"action": "suspend"})).await;
    assert_eq!((again.status, again.code()), (409, "status_unchanged"));
    let redeemed = app.post("/v1/members/r-2/redemptions", json!({"reward": "tote-bag"})).await;
    assert_eq!((redeemed.status, redeemed.code()), (409, "member_suspended"));
    assert_eq!(app.post("/v1/members/r-2/status", json!({"action": "resume"})).await.status, 201);
    let bad = app.post("/v1/members/r-2/status", json!({"action": "ban"})).await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    let reinstate = app.post("/v1/members/r-2/status", json!({"action": "reinstate"})).await;
    assert_eq!((reinstate.status, reinstate.code()), (409, "member_not_closed"));
    assert_eq!(history_to(&app, "/v1/members/r-2/history?topic=status").await, ["suspended", "active"]);
    let all = app.get("/v1/members/r-2/history").await.body;
    assert_eq!(all["history"][0]["reason"], "chargebacks");
    let unknown = app.get("/v1/members/r-2/history?topic=mood").await;
    assert_eq!((unknown.status, unknown.code()), (422, "invalid_request"));
    assert_eq!(app.get("/v1/members/nobody/tiers").await.code(), "member_not_found");
    app.assert_consistent().await;
}
