//! One member walked through 30 months of a program with every time rule at once: purchases
//! pending 14 days, points expiring 24 months after they were earned, spend tiers over the
//! calendar year in Paris with 30 days of grace, closure after 12 months without activity
//! and reinstatement within 12 months. The test clock moves, the jobs run on demand, and
//! verify and replay agree with the stored state after every step.

use super::*;
use loyalty_testkit::{TestDb, at, each_backend};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

each_backend!(a_member_walks_thirty_months_of_pending_tiers_expiry_closure_and_reinstatement);

const PROGRAM: &str = r#"
id = "walk"
name = "Walk Rewards"
currency = "EUR"
time_zone = "Europe/Paris"
points_name = "points"

[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[[earning]]
id = "tiers"
kind = "tier_multiplier"
multipliers = { silver = "1.25", gold = "1.5" }

[[rewards]]
code = "dessert"
name = "A dessert"
points_cost = 50

[returns]
pending_days = 14

[expiry]
policy = "months_after_earning"
months = 24
notice_days = 30

[tiers]
metric = "spend"
window = "calendar_year"
grace_days = 30

[[tiers.levels]]
code = "silver"
name = "Silver"
threshold = 30000

[[tiers.levels]]
code = "gold"
name = "Gold"
threshold = 100000

[lifecycle]
inactivity_months = 12
reinstatement_months = 12
"#;

static PROGRAM_FILES: AtomicU32 = AtomicU32::new(0);

/// The program file, removed when dropped.
struct ProgramFile(PathBuf);

impl ProgramFile {
    fn write() -> ProgramFile {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let name = format!(
            "loyalty-walk-{}-{}-{nanos}.toml",
            std::process::id(),
            PROGRAM_FILES.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, PROGRAM).unwrap();
        ProgramFile(path)
    }
}

impl Drop for ProgramFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const MEMBER: &str = "/v1/members/walker";

fn purchase(order_id: &str, amount_minor: i64) -> Value {
    json!({
        "type": "purchase", "member": "walker", "order_id": order_id,
        "lines": [{"sku": "goods", "category": "shop", "quantity": 1, "unit_price_minor": amount_minor}]
    })
}

/// Sets the test clock, then runs the due jobs and gives their report.
async fn jobs_at(app: &TestApp, now: &str) -> Value {
    app.clock.set(at(now));
    let ran = app.post("/v1/jobs/run", json!({})).await;
    assert_eq!(ran.status, 200, "{:?}", ran.body);
    assert_eq!(ran.body["now"], now);
    ran.body["report"].clone()
}

/// A job report with the given counts and nothing skipped or refused.
fn report(released: i64, expired: i64, notices: i64, tier_reviews: i64, closed_inactive: i64) -> Value {
    json!({
        "expired": expired, "released": released, "notices": notices, "birthdays": 0,
        "tier_reviews": tier_reviews, "closed_inactive": closed_inactive, "holds_expired": 0, "codes_expired": 0, "skipped": 0, "refused": 0
    })
}

async fn member(app: &TestApp) -> Value {
    let got = app.get(MEMBER).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body
}

fn balance(available: i64, pending: i64) -> Value {
    json!({"available": available, "pending": pending, "pending_review": 0, "held": 0})
}

/// The member's journal, newest first.
async fn ledger(app: &TestApp) -> Vec<Value> {
    let got = app.get(&format!("{MEMBER}/ledger?limit=500")).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body["entries"].as_array().unwrap().clone()
}

/// The sum of the member's journal postings to `account`.
fn posted(entries: &[Value], account: &str) -> i64 {
    entries
        .iter()
        .flat_map(|e| e["postings"].as_array().unwrap())
        .filter(|p| p["account"] == account)
        .map(|p| p["amount"].as_i64().unwrap())
        .sum()
}

/// The (from, to) of each turn of the member's tier, oldest first.
async fn tier_turns(app: &TestApp) -> Vec<(Value, Value)> {
    let got = app.get(&format!("{MEMBER}/tiers")).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            assert_eq!(h["topic"], "tier", "{h:?}");
            (h["from"].clone(), h["to"].clone())
        })
        .collect()
}

fn turn(from: Option<&str>, to: Option<&str>) -> (Value, Value) {
    (json!(from), json!(to))
}

async fn a_member_walks_thirty_months_of_pending_tiers_expiry_closure_and_reinstatement(db: TestDb) {
    let file = ProgramFile::write();
    let app = TestApp::start_with(db, &file.0).await;

    // 1. Enrolled at noon in Paris on 5 January 2026; 120.00 EUR earns 120 points, pending
    // 14 days.
    app.clock.set(at("2026-01-05T11:00:00Z"));
    let enrolled = app.post("/v1/members", json!({"external_id": "walker"})).await;
    assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
    let bought = app.post("/v1/events", purchase("o-1", 12000)).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    assert_eq!(bought.body["points_awarded"], 120);
    assert_eq!(bought.body["balance"], balance(0, 120));
    assert_eq!(bought.body["explanation"]["pending_until"], "2026-01-19T11:00:00Z");
    let shown = member(&app).await;
    assert_eq!(shown["balance"], balance(0, 120));
    assert_eq!(shown["tier"], Value::Null);
    assert_eq!(shown["tier_progress"]["next_tier"], "silver");
    app.assert_consistent().await;

    // 2. The dispute window has closed: released.
    assert_eq!(jobs_at(&app, "2026-01-20T12:00:00Z").await, report(1, 0, 0, 0, 0));
    assert_eq!(member(&app).await["balance"], balance(120, 0));
    app.assert_consistent().await;

    // 3. 200.00 EUR: 200 points at the rate of no tier, and the 32000 spent this year make the
    // member silver in the same decision.
    app.clock.set(at("2026-02-10T11:00:00Z"));
    let bought = app.post("/v1/events", purchase("o-2", 20000)).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    assert_eq!(bought.body["points_awarded"], 200);
    assert_eq!(bought.body["balance"], balance(120, 200));
    let shown = member(&app).await;
    assert_eq!(shown["tier"], "silver");
    // The page at the purchase's own instant counts the purchase, as the decision did.
    assert_eq!(
        shown["tier_progress"],
        json!({
            "tier": "silver", "earned_tier": "silver", "metric": "spend",
            "window_from": "2025-12-31T23:00:00Z", "value": 32000, "next_tier": "gold", "needed": 68000,
            "next_evaluation": "2026-12-31T23:00:00Z"
        })
    );
    assert_eq!(tier_turns(&app).await, vec![turn(None, Some("silver"))]);
    app.assert_consistent().await;

    // 4. Released.
    assert_eq!(jobs_at(&app, "2026-03-01T12:00:00Z").await, report(1, 0, 0, 0, 0));
    assert_eq!(member(&app).await["balance"], balance(320, 0));
    app.assert_consistent().await;

    // 5. A dessert for 50, spent from the oldest lot first.
    app.clock.set(at("2026-04-01T10:00:00Z"));
    let redeemed = app.post(&format!("{MEMBER}/redemptions"), json!({"reward": "dessert"})).await;
    assert_eq!(redeemed.status, 201, "{:?}", redeemed.body);
    assert_eq!(redeemed.body["balance"]["available"], 270);
    assert_eq!(
        member(&app).await["expiring_soon"],
        json!([
            {"points": 70, "expires_at": "2028-01-05T11:00:00Z"},
            {"points": 200, "expires_at": "2028-02-10T11:00:00Z"}
        ])
    );
    app.assert_consistent().await;

    // 6. 700.00 EUR at silver's 1.25: 875 points, and 102000 spent makes the member gold.
    app.clock.set(at("2026-06-01T10:00:00Z"));
    let bought = app.post("/v1/events", purchase("o-3", 70000)).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    assert_eq!(bought.body["points_awarded"], 875);
    assert_eq!(bought.body["balance"], balance(270, 875));
    let shown = member(&app).await;
    assert_eq!(shown["tier"], "gold");
    assert_eq!(
        shown["tier_progress"],
        json!({
            "tier": "gold", "earned_tier": "gold", "metric": "spend", "window_from": "2025-12-31T23:00:00Z",
            "value": 102000, "next_evaluation": "2026-12-31T23:00:00Z"
        })
    );
    assert_eq!(tier_turns(&app).await, vec![turn(None, Some("silver")), turn(Some("silver"), Some("gold"))]);
    app.assert_consistent().await;

    // 7. Released (14 days in Paris summer time).
    assert_eq!(jobs_at(&app, "2026-06-16T12:00:00Z").await, report(1, 0, 0, 0, 0));
    assert_eq!(member(&app).await["balance"], balance(1145, 0));
    app.assert_consistent().await;

    // 8. The evaluation of 2026, once its 30 days of grace are over: 102000 keeps gold.
    assert_eq!(jobs_at(&app, "2027-01-31T12:00:00Z").await, report(0, 0, 0, 1, 0));
    let shown = member(&app).await;
    assert_eq!(shown["tier"], "gold");
    assert_eq!(shown["tier_progress"]["value"], 0);
    assert_eq!(shown["tier_progress"]["window_from"], "2026-12-31T23:00:00Z");
    assert_eq!(shown["tier_progress"]["next_evaluation"], "2027-12-31T23:00:00Z");
    assert_eq!(tier_turns(&app).await.len(), 2);
    app.assert_consistent().await;

    // 9. 100.00 EUR at gold's 1.5: 150 points, released after 14 days.
    app.clock.set(at("2027-03-01T11:00:00Z"));
    let bought = app.post("/v1/events", purchase("o-4", 10000)).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    assert_eq!(bought.body["points_awarded"], 150);
    assert_eq!(bought.body["explanation"]["pending_until"], "2027-03-15T11:00:00Z");
    app.assert_consistent().await;
    assert_eq!(jobs_at(&app, "2027-03-20T12:00:00Z").await, report(1, 0, 0, 0, 0));
    let shown = member(&app).await;
    assert_eq!(shown["balance"], balance(1295, 0));
    assert_eq!(shown["last_activity_at"], "2027-03-01T11:00:00Z");
    app.assert_consistent().await;

    // 10. The 70 points left of o-1 expire 24 months after they were earned; the tier
    // waits for its grace period.
    assert_eq!(jobs_at(&app, "2028-01-06T12:00:00Z").await, report(0, 1, 0, 0, 0));
    let shown = member(&app).await;
    assert_eq!(shown["balance"], balance(1225, 0));
    assert_eq!(shown["tier"], "gold");
    assert_eq!(shown["tier_progress"]["next_evaluation"], "2027-12-31T23:00:00Z");
    let entries = ledger(&app).await;
    assert_eq!(entries[0]["kind"], "expiry");
    assert_eq!(entries[0]["occurred_at"], "2028-01-05T11:00:00Z");
    assert_eq!(
        entries[0]["postings"],
        json!([{"account": "member:available", "amount": -70}, {"account": "program:expired", "amount": 70}])
    );
    assert_eq!(posted(&entries, "program:expired"), 70);
    app.assert_consistent().await;

    // 11. The evaluation of 2027: 10000 spent is short of silver, but a member moves down one
    // tier at a time. The warning of the 200 expiring on 10 February goes out too.
    assert_eq!(jobs_at(&app, "2028-01-31T12:00:00Z").await, report(0, 0, 1, 1, 0));
    let shown = member(&app).await;
    assert_eq!(shown["tier"], "silver");
    assert_eq!(shown["tier_progress"]["next_tier"], "gold");
    assert_eq!(shown["tier_progress"]["needed"], 100000);
    assert_eq!(shown["tier_progress"]["next_evaluation"], "2028-12-31T23:00:00Z");
    assert_eq!(
        tier_turns(&app).await,
        vec![
            turn(None, Some("silver")),
            turn(Some("silver"), Some("gold")),
            turn(Some("gold"), Some("silver"))
        ]
    );
    app.assert_consistent().await;

    // 12. The 200 of o-2 expire.
    assert_eq!(jobs_at(&app, "2028-02-11T12:00:00Z").await, report(0, 1, 0, 0, 0));
    let shown = member(&app).await;
    assert_eq!(shown["balance"], balance(1025, 0));
    assert_eq!(
        shown["expiring_soon"],
        json!([
            {"points": 875, "expires_at": "2028-06-01T10:00:00Z"},
            {"points": 150, "expires_at": "2029-03-01T11:00:00Z"}
        ])
    );
    let entries = ledger(&app).await;
    assert_eq!(
        (&entries[0]["kind"], &entries[0]["occurred_at"]),
        (&json!("expiry"), &json!("2028-02-10T11:00:00Z"))
    );
    assert_eq!(posted(&entries, "program:expired"), 270);
    app.assert_consistent().await;

    // 13. Twelve months without activity since o-4: closed, its 1025 points forfeited.
    assert_eq!(jobs_at(&app, "2028-03-02T12:00:00Z").await, report(0, 0, 0, 0, 1));
    let shown = member(&app).await;
    assert_eq!(shown["status"], "closed_inactive");
    assert_eq!(shown["balance"], balance(0, 0));
    assert_eq!(shown["tier"], Value::Null);
    assert_eq!(shown["closure"], json!({"closed_at": "2028-03-01T11:00:00Z", "forfeited": 1025}));
    assert_eq!(shown.get("expiring_soon"), None, "{shown:?}");
    let entries = ledger(&app).await;
    assert_eq!(entries[0]["kind"], "forfeit");
    assert_eq!(entries[0]["occurred_at"], "2028-03-01T11:00:00Z");
    assert_eq!(
        entries[0]["postings"],
        json!([
            {"account": "member:available", "amount": -1025},
            {"account": "program:expired", "amount": 1025}
        ])
    );
    assert_eq!(posted(&entries, "program:expired"), 1295);
    assert_eq!(posted(&entries, "member:available"), 0);
    let turns = tier_turns(&app).await;
    assert_eq!(turns.last(), Some(&turn(Some("silver"), None)));
    app.assert_consistent().await;
    let refused = app.post("/v1/events", purchase("o-5", 1000)).await;
    assert_eq!((refused.status, refused.code()), (409, "member_closed"), "{:?}", refused.body);
    app.assert_consistent().await;

    // 14. Reinstated within 12 months: exactly the 1025 points back, in lots that keep the
    // dates they had.
    app.clock.set(at("2028-05-01T10:00:00Z"));
    let reinstated = app.post(&format!("{MEMBER}/status"), json!({"action": "reinstate"})).await;
    assert!(matches!(reinstated.status, 200 | 201), "{:?}", reinstated.body);
    let shown = member(&app).await;
    assert_eq!(shown["status"], "active");
    assert_eq!(shown["balance"], balance(1025, 0));
    assert_eq!(shown.get("closure"), None, "{shown:?}");
    assert_eq!(
        shown["expiring_soon"],
        json!([
            {"points": 875, "expires_at": "2028-06-01T10:00:00Z"},
            {"points": 150, "expires_at": "2029-03-01T11:00:00Z"}
        ])
    );
    let entries = ledger(&app).await;
    assert_eq!(entries[0]["kind"], "reinstatement");
    assert_eq!(
        entries[0]["postings"],
        json!([
            {"account": "program:expired", "amount": -1025},
            {"account": "member:available", "amount": 1025}
        ])
    );
    assert_eq!(posted(&entries, "program:expired"), 270);
    let history = app.get(&format!("{MEMBER}/history?topic=status")).await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let statuses: Vec<(Value, Value)> = history.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from"].clone(), h["to"].clone()))
        .collect();
    assert_eq!(
        statuses,
        vec![turn(Some("active"), Some("closed_inactive")), turn(Some("closed_inactive"), Some("active"))]
    );
    app.assert_consistent().await;

    // 15. The restored 875 expire on the date they always had.
    assert_eq!(jobs_at(&app, "2028-06-02T12:00:00Z").await, report(0, 1, 0, 0, 0));
    let shown = member(&app).await;
    assert_eq!(shown["balance"], balance(150, 0));
    assert_eq!(shown["expiring_soon"], json!([{"points": 150, "expires_at": "2029-03-01T11:00:00Z"}]));
    let entries = ledger(&app).await;
    assert_eq!(entries[0]["kind"], "expiry");
    assert_eq!(entries[0]["occurred_at"], "2028-06-01T10:00:00Z");
    assert_eq!(posted(&entries, "program:expired"), 1145);
    assert_eq!(posted(&entries, "member:available"), 150);
    app.assert_consistent().await;
}
