//! `[notifications]` on the retail example: a member coming within 80% of the next tier's
//! spend, and an available balance reaching 1,000 or 2,500 points, are told to webhook
//! subscribers once, with the numbers that made them.

use super::*;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use loyalty_testkit::{TestDb, at, each_backend, retail_path};
use std::sync::{Arc, Mutex};

each_backend!(
    nearing_a_tier_and_passing_a_balance_milestone_are_told_once,
    one_change_past_several_milestones_tells_the_highest
);

type Bodies = Arc<Mutex<Vec<Value>>>;

async fn keep(State(bodies): State<Bodies>, body: Bytes) -> StatusCode {
    bodies.lock().unwrap().push(serde_json::from_slice(&body).unwrap());
    StatusCode::OK
}

/// Retail with ada enrolled (100 welcome points) and a subscriber to the milestones.
async fn retail_listened_to(db: TestDb) -> (TestApp, Bodies) {
    let app = TestApp::start_with(db, &retail_path()).await;
    app.clock.set(at("2026-11-20T10:00:00Z"));
    let joined = app.post("/v1/members", json!({"external_id": "ada", "name": "Ada Lovelace"})).await;
    assert_eq!(joined.status, 201, "{:?}", joined.body);
    let bodies = Bodies::default();
    let router = Router::new().route("/hook", post(keep)).with_state(bodies.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let hook = app
        .post("/v1/webhooks", json!({"url": url, "event_types": ["tier_progress", "balance_milestone"]}))
        .await;
    assert_eq!(hook.status, 201, "{:?}", hook.body);
    (app, bodies)
}

/// A purchase by ada of one pair of shoes at `amount_minor`, posted when it happens.
async fn buys(app: &TestApp, order: &str, when: &str, amount_minor: i64) -> Value {
    app.clock.set(at(when));
    let line = json!({"sku": "shoe-1", "category": "shoes", "quantity": 1, "unit_price_minor": amount_minor});
    let body =
        json!({"type": "purchase", "member": "ada", "order_id": order, "occurred_at": when, "lines": [line]});
    let got = app.post("/v1/events", body).await;
    assert_eq!(got.status, 201, "{:?}", got.body);
    got.body
}

/// What the subscriber received since last asked, as (event type, the milestone's own
/// fields), tier progress first.
async fn told(app: &TestApp, bodies: &Bodies) -> Vec<(String, Value)> {
    let ran = app.post("/v1/webhooks/dispatch", json!({})).await;
    assert_eq!(ran.status, 200, "{:?}", ran.body);
    let mut got: Vec<(String, Value)> = std::mem::take(&mut *bodies.lock().unwrap())
        .into_iter()
        .map(|delivered| {
            let b = &delivered["data"];
            assert_eq!((b["program"].as_str(), b["member"].as_str()), (Some("retail"), Some("ada")));
            match b.get("milestone") {
                Some(_) => ("balance_milestone".to_owned(), json!({"milestone": b["milestone"], "balance": b["balance"]})),
                None => (
                    "tier_progress".to_owned(),
                    json!({"tier": b["tier"], "value": b["value"], "threshold": b["threshold"], "share": b["share"]}),
                ),
            }
        })
        .collect();
    got.sort_by(|a, b| b.0.cmp(&a.0));
    got
}

async fn nearing_a_tier_and_passing_a_balance_milestone_are_told_once(db: TestDb) {
    let (app, bodies) = retail_listened_to(db).await;
    // 300.00 spent of silver's 500.00 (under 80%); 100 + 300 + 500 (the 200.00 bonus) = 900.
    let first = buys(&app, "o-1", "2026-11-21T10:00:00Z", 30000).await;
    assert_eq!(first["balance"]["available"], 900);
    assert_eq!(told(&app, &bodies).await, []);

    // 420.00 is 84% of 500.00, and 900 + 120 passes 1,000.
    let second = buys(&app, "o-2", "2026-11-23T10:00:00Z", 12000).await;
    assert_eq!(second["balance"]["available"], 1020);
    assert_eq!(
        told(&app, &bodies).await,
        [
            (
                "tier_progress".to_owned(),
                json!({"tier": "silver", "value": 42000, "threshold": 50000, "share": "0.8"})
            ),
            ("balance_milestone".to_owned(), json!({"milestone": 1000, "balance": 1020})),
        ]
    );

    // Already past both: nothing more is told.
    let third = buys(&app, "o-3", "2026-11-24T10:00:00Z", 1500).await;
    assert_eq!(third["balance"]["available"], 1035);
    assert_eq!(told(&app, &bodies).await, []);
    let log = app.get("/v1/webhooks/deliveries?state=delivered").await.body;
    let mut logged: Vec<&str> =
        log["deliveries"].as_array().unwrap().iter().map(|d| d["event_type"].as_str().unwrap()).collect();
    logged.sort();
    assert_eq!(logged, ["balance_milestone", "tier_progress"]);
    app.assert_consistent().await;
}

async fn one_change_past_several_milestones_tells_the_highest(db: TestDb) {
    let (app, bodies) = retail_listened_to(db).await;
    // 100 + 2,000 + 500 = 2,600 passes 1,000 and 2,500 at once; 2,000.00 takes ada straight
    // to gold, so no tier is left to near.
    let big = buys(&app, "o-1", "2026-11-21T10:00:00Z", 200_000).await;
    assert_eq!(big["balance"]["available"], 2600);
    assert_eq!(
        told(&app, &bodies).await,
        [("balance_milestone".to_owned(), json!({"milestone": 2500, "balance": 2600}))]
    );
    app.assert_consistent().await;
}
