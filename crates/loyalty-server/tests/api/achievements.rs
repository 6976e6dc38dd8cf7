//! Achievements and streaks over the API, on the bakery program: progress, completion
//! with the event that completes it, a return taking it back, repeats each month, and a
//! daily streak with a freeze across the change of clocks.

use super::*;
use loyalty_testkit::{TestDb, at, bakery_path, each_backend};

each_backend!(
    the_purchase_that_completes_an_achievement_pays_for_it,
    a_return_that_undoes_an_achievement_takes_it_back,
    a_return_and_the_achievement_it_takes_back_may_draw_on_one_lot,
    a_monthly_achievement_is_earned_again_next_month,
    a_streak_survives_a_freeze_and_the_change_of_clocks_and_resets_after,
    completions_are_told_to_webhooks_and_counted,
    referrals_count_for_the_referrer_at_their_friends_first_orders,
);

async fn bakery(db: TestDb) -> TestApp {
    let app = TestApp::start_with(db, &bakery_path()).await;
    app.clock.set(at("2026-11-30T12:00:00Z"));
    let enrolled = app.post("/v1/members", json!({"external_id": "m-1", "name": "Ada Lovelace"})).await;
    assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
    app
}

/// A purchase by m-1 of `amount_minor` in `category`, at `when`.
fn buy(order: &str, when: &str, category: &str, amount_minor: i64) -> Value {
    json!({
        "type": "purchase", "member": "m-1", "order_id": order, "occurred_at": when,
        "lines": [{"sku": format!("{category}-1"), "category": category, "quantity": 1, "unit_price_minor": amount_minor}]
    })
}

async fn bought(app: &TestApp, body: Value) -> Value {
    let got = app.post("/v1/events", body).await;
    assert_eq!(got.status, 201, "{:?}", got.body);
    got.body
}

/// m-1's achievements by code.
async fn achievements(app: &TestApp) -> std::collections::BTreeMap<String, Value> {
    let got = app.get("/v1/members/m-1/achievements").await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body["achievements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["code"].as_str().unwrap().to_owned(), a.clone()))
        .collect()
}

async fn the_purchase_that_completes_an_achievement_pays_for_it(db: TestDb) {
    let app = bakery(db).await;
    bought(&app, buy("o-1", "2026-11-02T12:00:00Z", "bread", 1000)).await;
    let first = achievements(&app).await;
    // Advent is for vip members in December: not offered.
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        ["ambassador", "critic", "explorer", "on-a-roll", "regular"]
    );
    let regular = &first["regular"];
    assert_eq!(regular["status"], "in_progress");
    assert_eq!(
        regular["progress"],
        json!([{"measure": "purchases", "period": "30d", "current": 1, "threshold": 3}])
    );
    assert_eq!(regular["fraction"], "1/3");
    assert_eq!(regular["times_completed"], 0);
    assert!(regular.get("completed_at").is_none(), "{regular}");
    assert_eq!(regular["badge"], "🥐");
    assert_eq!(first["critic"]["status"], "not_started");
    assert_eq!(first["critic"]["fraction"], "0/2");
    assert_eq!(first["explorer"]["fraction"], "1001/2002");

    bought(&app, buy("o-2", "2026-11-03T12:00:00Z", "bread", 1000)).await;
    let third = bought(&app, buy("o-3", "2026-11-04T12:00:00Z", "bread", 1000)).await;
    assert_eq!(third["points_awarded"], 10);
    assert_eq!(
        third["engagement"],
        json!([
            {"kind": "streak_milestone", "code": "daily-bread", "name": "Daily bread", "points": 25, "count": 3},
            {"kind": "achievement_completed", "code": "regular", "name": "Regular", "points": 50, "count": 1},
            {"kind": "achievement_completed", "code": "on-a-roll", "name": "On a roll", "points": 0, "count": 1},
        ])
    );
    assert_eq!(third["balance"]["available"], 30 + 25 + 50);

    // A fourth purchase the same day completes nothing again.
    let fourth = bought(&app, buy("o-4", "2026-11-04T15:00:00Z", "bread", 500)).await;
    assert!(fourth.get("engagement").is_none(), "{fourth}");
    assert_eq!(available(&app, "m-1").await, 110);

    let after = achievements(&app).await;
    assert_eq!(after["regular"]["status"], "completed");
    assert_eq!(after["regular"]["times_completed"], 1);
    assert_eq!(after["regular"]["completed_at"], "2026-11-04T12:00:00Z");
    assert_eq!(after["regular"]["progress"][0]["current"], 4);

    let ledger = app.get("/v1/members/m-1/ledger").await.body;
    let kinds: Vec<&str> =
        ledger["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["purchase", "achievement", "streak", "purchase", "purchase", "purchase"]);
    assert_eq!(
        ledger["entries"][1]["postings"],
        json!([{"account": "program:issued", "amount": -50}, {"account": "member:available", "amount": 50}])
    );
    let history = app.get("/v1/members/m-1/history").await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let topics: Vec<&str> =
        history.body["history"].as_array().unwrap().iter().filter_map(|e| e["topic"].as_str()).collect();
    assert!(topics.contains(&"achievement") && topics.contains(&"streak"), "{:?}", history.body);
    app.assert_consistent().await;
}

async fn a_return_that_undoes_an_achievement_takes_it_back(db: TestDb) {
    let app = bakery(db).await;
    // Three purchases on days apart: no streak milestone, the achievement completes.
    bought(&app, buy("o-1", "2026-11-02T12:00:00Z", "bread", 1000)).await;
    bought(&app, buy("o-2", "2026-11-05T12:00:00Z", "bread", 1000)).await;
    let third = bought(&app, buy("o-3", "2026-11-08T12:00:00Z", "bread", 1000)).await;
    assert_eq!(third["engagement"][0]["code"], "regular");
    assert_eq!(third["balance"]["available"], 80);

    let returned = app
        .post(
            "/v1/events",
            json!({"type": "return", "member": "m-1", "order_id": "o-2", "occurred_at": "2026-11-09T12:00:00Z",
                   "lines": [{"sku": "bread-1", "quantity": 1}]}),
        )
        .await;
    assert_eq!(returned.status, 201, "{:?}", returned.body);
    assert_eq!(returned.body["points_reversed"], 10);
    assert_eq!(
        returned.body["engagement"],
        json!([{"kind": "achievement_revoked", "code": "regular", "name": "Regular", "points": 50, "count": 0}])
    );
    assert_eq!(returned.body["balance"]["available"], 80 - 10 - 50);
    let regular = &achievements(&app).await["regular"];
    assert_eq!(
        (regular["status"].as_str(), regular["times_completed"].as_i64()),
        (Some("in_progress"), Some(0))
    );
    assert_eq!(regular["fraction"], "2/3");

    // A partial return that leaves the criteria holding takes nothing back.
    let again = bought(&app, buy("o-5", "2026-11-10T12:00:00Z", "bread", 1000)).await;
    assert_eq!(again["engagement"][0]["kind"], "achievement_completed");
    app.assert_consistent().await;
}

/// The order's own points were spent, so its return and the achievement it undoes both
/// draw on the oldest lot with points left: one lot drawn twice in one decision.
async fn a_return_and_the_achievement_it_takes_back_may_draw_on_one_lot(db: TestDb) {
    let app = bakery(db).await;
    bought(&app, buy("o-1", "2026-11-02T12:00:00Z", "bread", 1000)).await;
    bought(&app, buy("o-2", "2026-11-05T12:00:00Z", "bread", 1000)).await;
    bought(&app, buy("o-3", "2026-11-08T12:00:00Z", "bread", 1000)).await;
    let given = app.post("/v1/members/m-1/adjustments", json!({"points": 1000, "reason": "goodwill"})).await;
    assert_eq!(given.status, 201, "{:?}", given.body);
    // 100 crumbs spend the three orders' 30, the achievement's 50 and 20 of the 1,000.
    let redeemed = app.post("/v1/members/m-1/redemptions", json!({"reward": "free-loaf"})).await;
    assert_eq!(redeemed.status, 201, "{:?}", redeemed.body);
    assert_eq!(redeemed.body["balance"]["available"], 980);

    let returned = app
        .post(
            "/v1/events",
            json!({"type": "return", "member": "m-1", "order_id": "o-3",
                   "lines": [{"sku": "bread-1", "quantity": 1}]}),
        )
        .await;
    assert_eq!(returned.status, 201, "{:?}", returned.body);
    assert_eq!(returned.body["engagement"][0]["kind"], "achievement_revoked");
    assert_eq!(returned.body["balance"]["available"], 980 - 10 - 50);
    app.assert_consistent().await;
}

async fn a_monthly_achievement_is_earned_again_next_month(db: TestDb) {
    let app = bakery(db).await;
    app.clock.set(at("2026-12-31T12:00:00Z"));
    bought(&app, buy("o-1", "2026-11-10T12:00:00Z", "bread", 1500)).await;
    let done = bought(&app, buy("o-2", "2026-11-20T12:00:00Z", "cake", 600)).await;
    assert_eq!(
        done["engagement"],
        json!([{"kind": "achievement_completed", "code": "explorer", "name": "Monthly explorer", "points": 30, "count": 1}])
    );
    // Same month: the counts go on, the achievement is not earned twice (the third
    // purchase in 30 days completes another).
    let more = bought(&app, buy("o-3", "2026-11-21T12:00:00Z", "pie", 2500)).await;
    assert_eq!(more["engagement"].as_array().unwrap().len(), 1, "{more}");
    assert_eq!(more["engagement"][0]["code"], "regular");
    // 1 December in New York starts at 05:00 UTC: 04:30 UTC is still November.
    let late = bought(&app, buy("o-4", "2026-12-01T04:30:00Z", "tart", 2500)).await;
    assert!(late.get("engagement").is_none(), "{late}");
    bought(&app, buy("o-5", "2026-12-01T05:30:00Z", "bread", 2500)).await;
    let december = bought(&app, buy("o-6", "2026-12-02T12:00:00Z", "cake", 100)).await;
    // Three local days in a row (30 November, 1 and 2 December) make a streak too.
    let codes: Vec<(&str, i64)> = december["engagement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["code"].as_str().unwrap(), e["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(codes, [("daily-bread", 3), ("explorer", 2), ("on-a-roll", 1)]);
    let explorer = &achievements(&app).await["explorer"];
    assert_eq!(explorer["times_completed"], 2);
    assert_eq!(explorer["status"], "completed");
    app.assert_consistent().await;
}

async fn a_streak_survives_a_freeze_and_the_change_of_clocks_and_resets_after(db: TestDb) {
    let app = bakery(db).await;
    // New York's clocks go forward on 8 March 2026, a day of 23 hours: 03:30 UTC on the
    // 9th is 23:30 on the 8th there, and 04:30 UTC is already 00:30 on the 9th.
    app.clock.set(at("2026-03-20T12:00:00Z"));
    let days = ["2026-03-07T17:00:00Z", "2026-03-09T03:30:00Z", "2026-03-09T04:30:00Z"];
    for (i, when) in days.iter().enumerate() {
        bought(&app, buy(&format!("o-{i}"), when, "bread", 100)).await;
    }
    app.clock.set(at("2026-03-09T16:00:00Z"));
    let streaks = app.get("/v1/members/m-1/streaks").await;
    assert_eq!(streaks.status, 200, "{:?}", streaks.body);
    assert_eq!(
        streaks.body["streaks"],
        json!([{"code": "daily-bread", "name": "Daily bread", "period": "day", "current": 3, "longest": 3,
                "freezes_left": 1, "next_due_by": "2026-03-11"}])
    );
    // 10 March missed: the month's freeze covers it.
    app.clock.set(at("2026-03-20T12:00:00Z"));
    bought(&app, buy("o-4", "2026-03-11T16:00:00Z", "bread", 100)).await;
    app.clock.set(at("2026-03-11T17:00:00Z"));
    let frozen = &app.get("/v1/members/m-1/streaks").await.body["streaks"][0];
    assert_eq!((frozen["current"].as_i64(), frozen["freezes_left"].as_i64()), (Some(4), Some(0)));
    assert_eq!(frozen["next_due_by"], "2026-03-12");
    // Two days missed with no freeze left: the run starts again.
    app.clock.set(at("2026-03-20T12:00:00Z"));
    bought(&app, buy("o-5", "2026-03-14T16:00:00Z", "bread", 100)).await;
    let reset = &app.get("/v1/members/m-1/streaks").await.body["streaks"][0];
    // By the 20th even the new run has lapsed.
    assert_eq!((reset["current"].as_i64(), reset["longest"].as_i64()), (Some(0), Some(4)));
    assert!(reset["next_due_by"].is_null(), "{reset}");
    app.clock.set(at("2026-03-14T18:00:00Z"));
    let today = &app.get("/v1/members/m-1/streaks").await.body["streaks"][0];
    assert_eq!(today["current"], 1);
    app.assert_consistent().await;
}

async fn completions_are_told_to_webhooks_and_counted(db: TestDb) {
    let app = bakery(db).await;
    let hook = app
        .post(
            "/v1/webhooks",
            json!({"url": "http://127.0.0.1:9/hook", "event_types": ["achievement_completed"]}),
        )
        .await;
    assert_eq!(hook.status, 201, "{:?}", hook.body);
    for kind in ["review", "review"] {
        let got = app.post("/v1/events", json!({"type": "activity", "kind": kind, "member": "m-1"})).await;
        assert_eq!(got.status, 201, "{:?}", got.body);
    }
    let log = app.get("/v1/webhooks/deliveries").await.body;
    let types: Vec<&str> =
        log["deliveries"].as_array().unwrap().iter().map(|d| d["event_type"].as_str().unwrap()).collect();
    assert_eq!(types, ["achievement_completed"]);
    let listed = app.get("/v1/achievements").await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    let critic = listed.body["achievements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "critic")
        .unwrap()
        .clone();
    assert_eq!(critic["members_completed"], 1);
    assert_eq!(critic["criteria"], json!([{"measure": "activity", "threshold": 2, "period": "lifetime"}]));
    let regular = listed.body["achievements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "regular")
        .unwrap()
        .clone();
    assert_eq!(regular["members_completed"], 0);
    assert_eq!(available(&app, "m-1").await, 5 + 5 + 10);
    let unknown = app.get("/v1/members/nobody/achievements").await;
    assert_eq!((unknown.status, unknown.code()), (404, "member_not_found"));
    app.assert_consistent().await;
}

async fn referrals_count_for_the_referrer_at_their_friends_first_orders(db: TestDb) {
    let app = bakery(db).await;
    let code = app.get("/v1/members/m-1").await.body["referral_code"].as_str().unwrap().to_owned();
    for friend in ["f-1", "f-2"] {
        let enrolled = app.post("/v1/members", json!({"external_id": friend, "referred_by": code})).await;
        assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
        let order = json!({
            "type": "purchase", "member": friend, "order_id": format!("o-{friend}"),
            "lines": [{"sku": "cake-1", "category": "cake", "quantity": 1, "unit_price_minor": 1200}]
        });
        assert_eq!(app.post("/v1/events", order).await.status, 201);
    }
    assert_eq!(available(&app, "m-1").await, 40);
    let ambassador = &achievements(&app).await["ambassador"];
    assert_eq!(ambassador["progress"][0]["current"], 2);
    assert_eq!(ambassador["status"], "in_progress");
    // The referrer's own next event completes it.
    let review = app.post("/v1/events", json!({"type": "activity", "kind": "review", "member": "m-1"})).await;
    assert_eq!(review.status, 201, "{:?}", review.body);
    assert_eq!(
        review.body["engagement"],
        json!([{"kind": "achievement_completed", "code": "ambassador", "name": "Ambassador", "points": 40, "count": 1}])
    );
    assert_eq!(review.body["balance"]["available"], 40 + 5 + 40);
    app.assert_consistent().await;
}
