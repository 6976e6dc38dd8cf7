//! Campaigns and achievements for some segments, and achievements that give a catalogue
//! reward: the ten members of `segments` scored by the analytics job, a win-back campaign
//! and a comeback achievement for `at_risk` members only, the code the achievement issues
//! voided by a return, and replay judging each event by the segment it recorded after the
//! segments are computed again.

use super::segments::{analytics, seeded};
use super::*;
use loyalty_store::Store;
use loyalty_testkit::{TestDb, at, each_backend};

each_backend!(
    a_campaign_for_at_risk_members_pays_them_and_not_a_champion,
    an_achievement_reward_issues_a_code_that_a_return_voids,
    events_replay_by_the_segment_they_recorded_after_segments_change,
);

const PROGRAM: &str = r#"
id = "corner"
name = "Corner shop"
currency = "EUR"
time_zone = "UTC"

[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[[earning]]
id = "win-back"
kind = "campaign"
name = "Win-back"
starts = "2026-06-29"
ends = "2026-08-01"
segments = ["at_risk"]
points = 100

[[rewards]]
code = "coffee"
name = "Free coffee"
kind = "free_item"
category = "coffee"
points_cost = 120

[[achievements]]
code = "comeback"
name = "Welcome back"
criteria = [{ measure = "purchases", threshold = 1, period = "30d" }]
segments = ["at_risk"]
reward = "coffee"
"#;

/// A 10.00 order by `member` an hour after the job ran.
fn order(member: &str, order_id: &str) -> Value {
    json!({"type": "purchase", "member": member, "order_id": order_id, "occurred_at": "2026-06-30T01:00:00Z",
           "lines": [{"sku": "coffee-1", "category": "coffee", "quantity": 1, "unit_price_minor": 1000}]})
}

async fn bought(app: &TestApp, body: Value) -> Value {
    let got = app.post("/v1/events", body).await;
    assert_eq!(got.status, 201, "{:?}", got.body);
    got.body
}

async fn segment_of(app: &TestApp, member: &str) -> Value {
    let got = app.get(&format!("/v1/members/{member}")).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body["segment"].clone()
}

/// The seeded program after one analytics run: m09 is at_risk, m01 a champion.
async fn scored(db: TestDb) -> (TestApp, tempfile::TempDir) {
    let (app, dir) = seeded(db, PROGRAM).await;
    analytics(&app).await;
    assert_eq!(segment_of(&app, "m09").await, "at_risk");
    assert_eq!(segment_of(&app, "m01").await, "champions");
    app.clock.set(at("2026-06-30T02:00:00Z"));
    (app, dir)
}

async fn a_campaign_for_at_risk_members_pays_them_and_not_a_champion(db: TestDb) {
    let (app, _dir) = scored(db).await;
    let at_risk = bought(&app, order("m09", "w-1")).await;
    assert_eq!(at_risk["points_awarded"], 10 + 100, "{at_risk}");
    let champion = bought(&app, order("m01", "w-2")).await;
    assert_eq!(champion["points_awarded"], 10, "{champion}");
    // Nor does the champion take part in the comeback achievement, or see it.
    assert!(champion.get("engagement").is_none(), "{champion}");
    let listed = app.get("/v1/members/m01/achievements").await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(listed.body["achievements"], json!([]));
    // A member with no segment (no purchase in the window) is no one's target either.
    let unscored = bought(&app, order("m11", "w-3")).await;
    assert_eq!(unscored["points_awarded"], 10, "{unscored}");
    app.assert_consistent().await;
}

async fn an_achievement_reward_issues_a_code_that_a_return_voids(db: TestDb) {
    let (app, _dir) = scored(db).await;
    let done = bought(&app, order("m09", "w-1")).await;
    let engagement = done["engagement"].as_array().unwrap();
    assert_eq!(engagement.len(), 1, "{done}");
    let reward = &engagement[0]["reward"];
    let code = reward["code"].as_str().unwrap().to_owned();
    assert!(code.ends_with("-A1") && code.len() == "7KQ2-M9XD-4TRB-0WNC-A1".len(), "{code}");
    assert_eq!(
        engagement[0],
        json!({"kind": "achievement_completed", "code": "comeback", "name": "Welcome back", "points": 0, "count": 1,
               "reward": {"code": code, "reward": "coffee", "kind": "free_item", "state": "issued", "points": 0,
                          "issued_at": "2026-06-30T01:00:00Z", "achievement": "comeback"}})
    );

    let codes = app.get("/v1/members/m09/codes").await;
    assert_eq!(codes.status, 200, "{:?}", codes.body);
    assert_eq!(codes.body["codes"], json!([reward]));
    let listed = app.get("/v1/members/m09/achievements").await;
    let comeback = &listed.body["achievements"][0];
    assert_eq!(
        (&comeback["code"], &comeback["status"], &comeback["reward"]),
        (&json!("comeback"), &json!("completed"), &json!("coffee"))
    );
    assert_eq!(
        comeback["codes"],
        json!([{"code": code, "state": "issued", "issued_at": "2026-06-30T01:00:00Z"}])
    );

    let returned = bought(
        &app,
        json!({"type": "return", "member": "m09", "order_id": "w-1", "occurred_at": "2026-06-30T02:00:00Z",
               "lines": [{"sku": "coffee-1", "quantity": 1}]}),
    )
    .await;
    let mut voided = reward.clone();
    voided["state"] = json!("cancelled");
    assert_eq!(
        returned["engagement"],
        json!([{"kind": "achievement_revoked", "code": "comeback", "name": "Welcome back", "points": 0, "count": 0,
                "reward": voided}])
    );
    let codes = app.get("/v1/members/m09/codes").await;
    assert_eq!(codes.body["codes"][0]["state"], "cancelled");
    let listed = app.get("/v1/members/m09/achievements").await;
    assert_eq!(listed.body["achievements"][0]["codes"][0]["state"], "cancelled");
    // The voided code is refused at the till.
    let used = app.post(&format!("/v1/rewards/codes/{code}/use"), json!({"order_id": "w-9"})).await;
    assert_eq!(used.status, 409, "{:?}", used.body);
    app.assert_consistent().await;
}

async fn events_replay_by_the_segment_they_recorded_after_segments_change(db: TestDb) {
    let (app, _dir) = scored(db).await;
    let hook = app
        .post(
            "/v1/webhooks",
            json!({"url": "http://127.0.0.1:9/hook", "event_types": ["achievement_completed"]}),
        )
        .await;
    assert_eq!(hook.status, 201, "{:?}", hook.body);
    let paid = bought(&app, order("m09", "w-1")).await;
    assert_eq!(paid["points_awarded"], 110);
    let code = paid["engagement"][0]["reward"]["code"].clone();

    // m09 just bought: scored again, they are at risk no more, and the segment table no
    // longer says what the campaign and the achievement were judged by.
    app.clock.set(at("2026-06-30T03:00:00Z"));
    analytics(&app).await;
    assert_ne!(segment_of(&app, "m09").await, "at_risk");
    let again = bought(
        &app,
        json!({"type": "purchase", "member": "m09", "order_id": "w-2",
        "occurred_at": "2026-06-30T03:00:00Z",
        "lines": [{"sku": "coffee-1", "category": "coffee", "quantity": 1, "unit_price_minor": 1000}]}),
    )
    .await;
    assert_eq!(again["points_awarded"], 10, "{again}");

    // Verify and replay judge each event by the segment it recorded: in memory, and
    // through the store's own command path into a scratch store (as `loyalty replay`).
    app.assert_consistent().await;
    let scratch_dir = tempfile::tempdir().unwrap();
    let scratch_url = format!("sqlite://{}", scratch_dir.path().join("replay.db").display());
    let scratch =
        loyalty_store::SqlStore::connect_scratch(&loyalty_store::DatabaseUrl::parse(&scratch_url).unwrap())
            .await
            .unwrap();
    let replayed = loyalty_store::replay::into_store(&app.store, &scratch, |_| {}).await.unwrap();
    assert!(replayed.differences.is_empty(), "{:?}", replayed.differences);
    scratch.close().await;

    let log = app.get("/v1/webhooks/deliveries").await.body;
    let deliveries = log["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "{log}");
    assert_eq!(deliveries[0]["event_type"], "achievement_completed");
    // Its payload carries the event's outcome, and so the code.
    let now = at("2026-06-30T03:00:00Z");
    let until = loyalty_core::Timestamp::from_micros(now.as_micros() + 60_000_000);
    let due = app.store.due_deliveries(None, now, 10, until).await.unwrap();
    assert_eq!(due.len(), 1);
    let payload: Value = serde_json::from_str(&due[0].payload).unwrap();
    assert_eq!(payload["outcome"]["engagement"][0]["reward"]["code"], code, "{payload}");
}
