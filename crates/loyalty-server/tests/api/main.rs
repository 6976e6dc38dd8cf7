//! The HTTP API driven through the real router, on each backend.

#![allow(clippy::unwrap_used)]

mod achievements;
mod activities;
mod audit;
mod auth;
mod birthdays;
mod campaigns;
mod concurrency;
mod connections;
mod docs;
mod erasure;
mod error_bodies;
mod errors;
mod fuzz_findings;
mod fuzz_regressions;
mod idempotency;
mod keys;
mod leaderboards;
mod ledger;
mod member_search;
mod member_tokens;
mod messages;
mod metrics;
mod notifications;
mod openapi;
mod order_bonuses;
mod order_spend;
mod platform;
mod program_files;
mod rate_limits;
mod referrals;
mod reports;
mod request_limits;
mod retail;
mod review;
mod segment_targeting;
mod segments;
mod spending;
mod spending_concurrency;
mod standing;
mod surveys;
mod tenancy;
mod time;
mod versions;
mod walk;
mod walkthrough;
mod webhook_delivery_off;
mod webhook_dispatch;
mod webhook_targets;
mod webhook_tls;
mod webhooks;

use loyalty_testkit::{TestApp, TestResponse};
use serde_json::{Value, json};

/// The walkthrough's order: 2 lattes (4.75) and a pumpkin loaf (3.25).
pub fn order_o1() -> Value {
    json!({
        "type": "purchase", "member": "c-1001", "order_id": "o-1", "occurred_at": "2026-11-02T09:15:00Z",
        "lines": [
            {"sku": "latte", "category": "coffee", "quantity": 2, "unit_price_minor": 475},
            {"sku": "pumpkin-loaf", "category": "pastry", "quantity": 1, "unit_price_minor": 325}
        ]
    })
}

/// An app with c-1001 enrolled.
pub async fn with_member(db: loyalty_testkit::TestDb) -> TestApp {
    let app = TestApp::start(db).await;
    let enrolled = app.post("/v1/members", json!({"external_id": "c-1001"})).await;
    assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
    app
}

/// An app with c-1001 enrolled and order o-1 bought (160 beans).
pub async fn with_purchase(db: loyalty_testkit::TestDb) -> TestApp {
    let app = with_member(db).await;
    let bought = app.post("/v1/events", order_o1()).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    app
}

pub async fn available(app: &TestApp, member: &str) -> i64 {
    let got = app.get(&format!("/v1/members/{member}")).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body["balance"]["available"].as_i64().unwrap()
}

pub async fn entry_count(app: &TestApp, member: &str) -> usize {
    let got = app.get(&format!("/v1/members/{member}/ledger?limit=500")).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body["entries"].as_array().unwrap().len()
}
