//! Leaderboards over the API, on the bakery program (New York time): exact ranks and
//! scores with ties, opting in and out, the previous period across a local boundary,
//! returns and achievements moving scores, and names that never show an e-mail.

use super::*;
use loyalty_testkit::{TestDb, at, bakery_path, each_backend};

each_backend!(
    a_board_ranks_opted_in_members_with_ties_sharing_a_rank,
    opting_out_takes_a_member_off_the_board_at_once,
    closing_or_opting_out_leaves_others_ranks_and_returning_restores_them,
    the_previous_period_is_the_one_before_the_local_boundary,
    a_return_lowers_spend_points_and_purchases,
    a_rolling_board_holds_a_day_for_thirty_days_and_a_late_return_only_its_windows,
    the_achievements_board_counts_a_completion_and_its_revocation,
    nicknames_are_checked_and_unknown_boards_or_periods_refused,
);

async fn bakery(db: TestDb) -> TestApp {
    let app = TestApp::start_with(db, &bakery_path()).await;
    app.clock.set(at("2026-11-20T17:00:00Z"));
    app
}

/// Enrols `id` with `name` (if any) and an e-mail made from the id.
async fn enrol(app: &TestApp, id: &str, name: Option<&str>) {
    let mut body = json!({"external_id": id, "email": format!("{id}@example.com")});
    if let Some(name) = name {
        body["name"] = json!(name);
    }
    let got = app.post("/v1/members", body).await;
    assert_eq!(got.status, 201, "{:?}", got.body);
}

async fn patch(app: &TestApp, id: &str, body: Value) -> Value {
    let got = app.patch(&format!("/v1/members/{id}"), body).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body
}

/// A purchase of one line of `amount_minor` in `category`.
async fn buy(app: &TestApp, member: &str, order: &str, when: &str, category: &str, amount_minor: i64) {
    let got = app
        .post(
            "/v1/events",
            json!({
                "type": "purchase", "member": member, "order_id": order, "occurred_at": when,
                "lines": [{"sku": format!("{category}-1"), "category": category, "quantity": 1,
                           "unit_price_minor": amount_minor}]
            }),
        )
        .await;
    assert_eq!(got.status, 201, "{:?}", got.body);
}

async fn give_back(app: &TestApp, member: &str, order: &str, when: &str, sku: &str) {
    let got = app
        .post(
            "/v1/events",
            json!({"type": "return", "member": member, "order_id": order, "occurred_at": when,
                   "lines": [{"sku": sku, "quantity": 1}]}),
        )
        .await;
    assert_eq!(got.status, 201, "{:?}", got.body);
}

async fn board(app: &TestApp, path: &str) -> Value {
    let got = app.get(path).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body
}

/// A board's entries as (rank, display name, score).
async fn entries(app: &TestApp, path: &str) -> Vec<(i64, String, i64)> {
    board(app, path).await["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["rank"].as_i64().unwrap(),
                e["display_name"].as_str().unwrap().to_owned(),
                e["score"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn e(rank: i64, name: &str, score: i64) -> (i64, String, i64) {
    (rank, name.to_owned(), score)
}

/// One member's standing on each board, by code.
async fn standing(app: &TestApp, id: &str) -> std::collections::BTreeMap<String, Value> {
    let got = app.get(&format!("/v1/members/{id}/leaderboards")).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body["leaderboards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["code"].as_str().unwrap().to_owned(), b.clone()))
        .collect()
}

/// Five members: four opted in (one without a name), one not; purchases in the week of
/// Monday 16 November 2026.
async fn five_members(app: &TestApp) {
    enrol(app, "m-ada", Some("Ada Lovelace")).await;
    enrol(app, "m-grace", Some("Grace Hopper")).await;
    enrol(app, "m-alan", Some("Alan Mathison Turing")).await;
    enrol(app, "m-anon", None).await;
    enrol(app, "m-shy", Some("Shy Person")).await;
    for id in ["m-ada", "m-grace", "m-alan", "m-anon"] {
        patch(app, id, json!({"leaderboard_opt_in": true})).await;
    }
    patch(app, "m-grace", json!({"nickname": "  Amazing Grace  "})).await;
    buy(app, "m-ada", "o-1", "2026-11-16T15:00:00Z", "bread", 1500).await;
    buy(app, "m-ada", "o-2", "2026-11-18T15:00:00Z", "bread", 1500).await;
    buy(app, "m-grace", "o-3", "2026-11-16T16:00:00Z", "cake", 2000).await;
    buy(app, "m-alan", "o-4", "2026-11-17T16:00:00Z", "cake", 2000).await;
    buy(app, "m-anon", "o-5", "2026-11-19T16:00:00Z", "bread", 1000).await;
    buy(app, "m-shy", "o-6", "2026-11-19T17:00:00Z", "cake", 5000).await;
}

async fn a_board_ranks_opted_in_members_with_ties_sharing_a_rank(db: TestDb) {
    let app = bakery(db).await;
    five_members(&app).await;

    let spenders = board(&app, "/v1/leaderboards/top-spenders").await;
    assert_eq!(spenders["code"], "top-spenders");
    assert_eq!(spenders["name"], "Top spenders this month");
    assert_eq!(spenders["measure"], "spend_minor");
    // November in New York: summer time ended on 1 November at 02:00.
    assert_eq!(
        spenders["period"],
        json!({"kind": "month", "key": "m2026-11", "starts_at": "2026-11-01T04:00:00Z",
               "ends_at": "2026-12-01T05:00:00Z"})
    );
    // The board's size is 3: the fourth (m-anon, 1000) is cut; m-shy never opted in.
    assert_eq!(
        entries(&app, "/v1/leaderboards/top-spenders").await,
        vec![e(1, "Ada L.", 3000), e(2, "Amazing Grace", 2000), e(2, "Alan T.", 2000)]
    );
    let weekly = board(&app, "/v1/leaderboards/weekly-regulars?period=current").await;
    assert_eq!(weekly["period"]["key"], "w2026-11-16");
    assert_eq!(weekly["period"]["starts_at"], "2026-11-16T05:00:00Z");
    let anon = weekly["entries"][3]["display_name"].as_str().unwrap().to_owned();
    assert!(anon.starts_with("Member #") && anon.len() == "Member #".len() + 6, "{anon}");
    assert_eq!(
        entries(&app, "/v1/leaderboards/weekly-regulars").await,
        vec![e(1, "Ada L.", 2), e(2, "Amazing Grace", 1), e(2, "Alan T.", 1), e(2, &anon, 1)]
    );
    // Points: one crumb per 1.00.
    assert_eq!(
        entries(&app, "/v1/leaderboards/crumbs-30d").await,
        vec![e(1, "Ada L.", 30), e(2, "Amazing Grace", 20), e(2, "Alan T.", 20), e(4, &anon, 10)]
    );

    // Names never show an e-mail or an external id.
    for code in ["top-spenders", "weekly-regulars", "crumbs-30d", "badge-hunters"] {
        let text = board(&app, &format!("/v1/leaderboards/{code}")).await.to_string();
        assert!(!text.contains('@') && !text.contains("m-"), "{text}");
    }

    let anon_standing = standing(&app, "m-anon").await;
    assert_eq!(anon_standing["top-spenders"]["score"], 1000);
    assert_eq!(anon_standing["top-spenders"]["rank"], 4);
    assert_eq!(anon_standing["top-spenders"]["opted_in"], true);
    assert_eq!(anon_standing["weekly-regulars"]["rank"], 2);
    assert_eq!(anon_standing["badge-hunters"]["score"], 0);
    assert_eq!(anon_standing["badge-hunters"]["rank"], Value::Null);
    let shy = standing(&app, "m-shy").await;
    assert_eq!(shy["top-spenders"]["score"], 5000);
    assert_eq!(shy["top-spenders"]["rank"], Value::Null);
    assert_eq!(shy["top-spenders"]["opted_in"], false);

    let grace = app.get("/v1/members/m-grace").await.body;
    assert_eq!(grace["leaderboard_opt_in"], true);
    assert_eq!(grace["nickname"], "Amazing Grace");
    assert_eq!(app.get("/v1/members/m-shy").await.body["leaderboard_opt_in"], false);
    app.assert_consistent().await;
}

async fn opting_out_takes_a_member_off_the_board_at_once(db: TestDb) {
    let app = bakery(db).await;
    five_members(&app).await;
    let out = patch(&app, "m-ada", json!({"leaderboard_opt_in": false})).await;
    assert_eq!(out["leaderboard_opt_in"], false);
    let anon = entries(&app, "/v1/leaderboards/weekly-regulars").await[2].1.clone();
    assert_eq!(
        entries(&app, "/v1/leaderboards/top-spenders").await,
        vec![e(1, "Amazing Grace", 2000), e(1, "Alan T.", 2000), e(3, &anon, 1000)]
    );
    let ada = standing(&app, "m-ada").await;
    assert_eq!(
        (ada["top-spenders"]["score"].clone(), ada["top-spenders"]["rank"].clone()),
        (json!(3000), Value::Null)
    );

    // Opting in again shows the score kept meanwhile; the history keeps both turns.
    patch(&app, "m-ada", json!({"leaderboard_opt_in": true})).await;
    assert_eq!(entries(&app, "/v1/leaderboards/top-spenders").await[0], e(1, "Ada L.", 3000));
    let history = app.get("/v1/members/m-ada/history").await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let turns: Vec<(&str, &str)> = history.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["topic"] == "leaderboard")
        .map(|h| (h["from"].as_str().unwrap(), h["to"].as_str().unwrap()))
        .collect();
    assert_eq!(turns.len(), 3, "{:?}", history.body);
    assert!(turns.contains(&("in", "out")) && turns.contains(&("out", "in")), "{turns:?}");
    app.assert_consistent().await;
}

/// The ranks on `top-spenders` of each member named, `null` for one not shown.
async fn ranks(app: &TestApp, ids: &[&str]) -> Vec<Value> {
    let mut ranks = Vec::new();
    for id in ids {
        ranks.push(standing(app, id).await["top-spenders"]["rank"].clone());
    }
    ranks
}

async fn status(app: &TestApp, id: &str, action: &str) {
    let got = app.post(&format!("/v1/members/{id}/status"), json!({"action": action})).await;
    assert_eq!(got.status, 201, "{:?}", got.body);
}

async fn closing_or_opting_out_leaves_others_ranks_and_returning_restores_them(db: TestDb) {
    let app = bakery(db).await;
    five_members(&app).await;
    let all = ["m-ada", "m-grace", "m-alan", "m-anon"];
    // Spend: Ada 3000, Grace 2000, Alan 2000, the anonymous member 1000.
    assert_eq!(ranks(&app, &all).await, [json!(1), json!(2), json!(2), json!(4)]);

    // A closed account counts in no one's rank, and its own is gone.
    status(&app, "m-ada", "close").await;
    assert_eq!(ranks(&app, &all).await, [Value::Null, json!(1), json!(1), json!(3)]);
    // A suspended member stays on the board (only closed accounts leave it), as before.
    status(&app, "m-grace", "suspend").await;
    assert_eq!(ranks(&app, &all).await, [Value::Null, json!(1), json!(1), json!(3)]);
    status(&app, "m-ada", "reinstate").await;
    assert_eq!(ranks(&app, &all).await, [json!(1), json!(2), json!(2), json!(4)]);

    // Opting out leaves the counts at once; opting in again restores them.
    patch(&app, "m-alan", json!({"leaderboard_opt_in": false})).await;
    assert_eq!(ranks(&app, &all).await, [json!(1), json!(2), Value::Null, json!(3)]);
    assert_eq!(
        entries(&app, "/v1/leaderboards/top-spenders").await,
        vec![e(1, "Ada L.", 3000), e(2, "Amazing Grace", 2000), e(3, &anon_name(&app).await, 1000)]
    );
    patch(&app, "m-alan", json!({"leaderboard_opt_in": true})).await;
    assert_eq!(ranks(&app, &all).await, [json!(1), json!(2), json!(2), json!(4)]);
    app.assert_consistent().await;
}

/// The anonymous member's display name, as the purchases board shows it.
async fn anon_name(app: &TestApp) -> String {
    let rows = entries(app, "/v1/leaderboards/weekly-regulars").await;
    rows.into_iter().find(|r| r.1.starts_with("Member #")).map(|r| r.1).unwrap_or_default()
}

async fn the_previous_period_is_the_one_before_the_local_boundary(db: TestDb) {
    let app = bakery(db).await;
    enrol(&app, "m-1", Some("Ada Lovelace")).await;
    patch(&app, "m-1", json!({"leaderboard_opt_in": true})).await;
    app.clock.set(at("2026-12-01T06:00:00Z"));
    // 23:30 on Sunday 29 November and on Monday 30 November in New York, already the
    // next day in UTC.
    buy(&app, "m-1", "o-1", "2026-11-30T04:30:00Z", "bread", 1000).await;
    buy(&app, "m-1", "o-2", "2026-12-01T04:30:00Z", "bread", 700).await;

    // 01:00 on Tuesday 1 December in New York.
    let now = board(&app, "/v1/leaderboards/top-spenders").await;
    assert_eq!(now["period"]["key"], "m2026-12");
    assert_eq!(now["entries"], json!([]));
    let before = board(&app, "/v1/leaderboards/top-spenders?period=previous").await;
    assert_eq!(before["period"]["key"], "m2026-11");
    assert_eq!(before["entries"], json!([{"rank": 1, "display_name": "Ada L.", "score": 1700}]));

    let week = board(&app, "/v1/leaderboards/weekly-regulars").await;
    assert_eq!(week["period"]["key"], "w2026-11-30");
    assert_eq!(week["entries"], json!([{"rank": 1, "display_name": "Ada L.", "score": 1}]));
    let last_week = board(&app, "/v1/leaderboards/weekly-regulars?period=previous").await;
    assert_eq!(last_week["period"]["key"], "w2026-11-23");
    assert_eq!(last_week["period"]["ends_at"], "2026-11-30T05:00:00Z");
    assert_eq!(last_week["entries"], json!([{"rank": 1, "display_name": "Ada L.", "score": 1}]));

    // The rolling 30 days end with the local day: 2 November to 1 December.
    let rolling = board(&app, "/v1/leaderboards/crumbs-30d").await;
    assert_eq!(rolling["period"]["key"], "30d2026-12-01");
    assert_eq!(rolling["entries"][0]["score"], 17);
    // 01:00 on 29 December: 30 November to 29 December holds the second order only.
    app.clock.set(at("2026-12-29T06:00:00Z"));
    let later = board(&app, "/v1/leaderboards/crumbs-30d").await;
    assert_eq!(later["period"]["key"], "30d2026-12-29");
    assert_eq!(later["period"]["starts_at"], "2026-11-30T05:00:00Z");
    assert_eq!(later["entries"], json!([{"rank": 1, "display_name": "Ada L.", "score": 7}]));
    let previous = board(&app, "/v1/leaderboards/crumbs-30d?period=previous").await;
    assert_eq!(previous["period"]["key"], "30d2026-11-29");
    assert_eq!(previous["entries"][0]["score"], 10);
    app.assert_consistent().await;
}

async fn a_return_lowers_spend_points_and_purchases(db: TestDb) {
    let app = bakery(db).await;
    enrol(&app, "m-1", Some("Ada Lovelace")).await;
    patch(&app, "m-1", json!({"leaderboard_opt_in": true})).await;
    let got = app
        .post(
            "/v1/events",
            json!({
                "type": "purchase", "member": "m-1", "order_id": "o-1", "occurred_at": "2026-11-16T15:00:00Z",
                "lines": [{"sku": "bread-1", "category": "bread", "quantity": 1, "unit_price_minor": 1000},
                          {"sku": "cake-1", "category": "cake", "quantity": 1, "unit_price_minor": 500}]
            }),
        )
        .await;
    assert_eq!(got.status, 201, "{:?}", got.body);
    assert_eq!(entries(&app, "/v1/leaderboards/top-spenders").await, vec![e(1, "Ada L.", 1500)]);
    assert_eq!(entries(&app, "/v1/leaderboards/crumbs-30d").await, vec![e(1, "Ada L.", 15)]);

    give_back(&app, "m-1", "o-1", "2026-11-17T15:00:00Z", "cake-1").await;
    assert_eq!(entries(&app, "/v1/leaderboards/top-spenders").await, vec![e(1, "Ada L.", 1000)]);
    assert_eq!(entries(&app, "/v1/leaderboards/crumbs-30d").await, vec![e(1, "Ada L.", 10)]);
    // A partial return keeps the purchase.
    assert_eq!(entries(&app, "/v1/leaderboards/weekly-regulars").await, vec![e(1, "Ada L.", 1)]);

    // Returning the rest takes the purchase back too: nothing is left on the boards.
    give_back(&app, "m-1", "o-1", "2026-11-18T15:00:00Z", "bread-1").await;
    assert_eq!(entries(&app, "/v1/leaderboards/top-spenders").await, vec![]);
    assert_eq!(entries(&app, "/v1/leaderboards/weekly-regulars").await, vec![]);
    let mine = standing(&app, "m-1").await;
    assert_eq!(mine["top-spenders"]["score"], 0);
    assert_eq!(mine["weekly-regulars"]["score"], 0);
    assert_eq!(mine["crumbs-30d"]["score"], 0);
    app.assert_consistent().await;
}

async fn a_rolling_board_holds_a_day_for_thirty_days_and_a_late_return_only_its_windows(db: TestDb) {
    let app = bakery(db).await;
    enrol(&app, "m-1", Some("Ada Lovelace")).await;
    enrol(&app, "m-2", Some("Grace Hopper")).await;
    for id in ["m-1", "m-2"] {
        patch(&app, id, json!({"leaderboard_opt_in": true})).await;
    }
    buy(&app, "m-1", "o-1", "2026-11-02T15:00:00Z", "bread", 1000).await;
    buy(&app, "m-2", "o-2", "2026-11-20T15:00:00Z", "bread", 1500).await;

    // Noon on 1 December in New York: 2 November to 1 December holds both orders.
    app.clock.set(at("2026-12-01T17:00:00Z"));
    let rolling = "/v1/leaderboards/crumbs-30d";
    assert_eq!(entries(&app, rolling).await, vec![e(1, "Grace H.", 15), e(2, "Ada L.", 10)]);
    let mine = standing(&app, "m-1").await;
    assert_eq!(
        (mine["crumbs-30d"]["score"].clone(), mine["crumbs-30d"]["rank"].clone()),
        (json!(10), json!(2))
    );

    // A day later 2 November has left the window, and Ada with it.
    app.clock.set(at("2026-12-02T17:00:00Z"));
    assert_eq!(entries(&app, rolling).await, vec![e(1, "Grace H.", 15)]);
    let mine = standing(&app, "m-1").await;
    assert_eq!(
        (mine["crumbs-30d"]["score"].clone(), mine["crumbs-30d"]["rank"].clone()),
        (json!(0), Value::Null)
    );

    // Returning the November 2 order takes its crumbs from the windows that held that day
    // (the previous one among them), not from today's, where Ada stays at zero.
    give_back(&app, "m-1", "o-1", "2026-12-02T17:00:00Z", "bread-1").await;
    assert_eq!(entries(&app, rolling).await, vec![e(1, "Grace H.", 15)]);
    assert_eq!(standing(&app, "m-1").await["crumbs-30d"]["score"], 0);
    assert_eq!(entries(&app, &format!("{rolling}?period=previous")).await, vec![]);

    // Returning Grace's order of 20 November lowers today's window at once.
    give_back(&app, "m-2", "o-2", "2026-12-02T17:00:00Z", "bread-1").await;
    assert_eq!(entries(&app, rolling).await, vec![]);
    assert_eq!(standing(&app, "m-2").await["crumbs-30d"]["score"], 0);
    app.assert_consistent().await;
}

async fn the_achievements_board_counts_a_completion_and_its_revocation(db: TestDb) {
    let app = bakery(db).await;
    app.clock.set(at("2026-11-30T12:00:00Z"));
    enrol(&app, "m-1", Some("Ada Lovelace")).await;
    patch(&app, "m-1", json!({"leaderboard_opt_in": true, "nickname": "Baker"})).await;
    // Three purchases days apart complete "regular" (and no streak milestone).
    buy(&app, "m-1", "o-1", "2026-11-02T12:00:00Z", "bread", 1000).await;
    buy(&app, "m-1", "o-2", "2026-11-05T12:00:00Z", "bread", 1000).await;
    assert_eq!(entries(&app, "/v1/leaderboards/badge-hunters").await, vec![]);
    buy(&app, "m-1", "o-3", "2026-11-08T12:00:00Z", "bread", 1000).await;
    assert_eq!(entries(&app, "/v1/leaderboards/badge-hunters").await, vec![e(1, "Baker", 1)]);
    // The achievement's 50 crumbs count as earned.
    assert_eq!(entries(&app, "/v1/leaderboards/crumbs-30d").await, vec![e(1, "Baker", 80)]);

    give_back(&app, "m-1", "o-2", "2026-11-09T12:00:00Z", "bread-1").await;
    assert_eq!(entries(&app, "/v1/leaderboards/badge-hunters").await, vec![]);
    assert_eq!(standing(&app, "m-1").await["badge-hunters"]["score"], 0);
    assert_eq!(entries(&app, "/v1/leaderboards/crumbs-30d").await, vec![e(1, "Baker", 20)]);
    app.assert_consistent().await;
}

async fn nicknames_are_checked_and_unknown_boards_or_periods_refused(db: TestDb) {
    let app = bakery(db).await;
    enrol(&app, "m-1", Some("Ada Lovelace")).await;
    for bad in ["   ", "a\u{7}b", "x".repeat(33).as_str()] {
        let got = app.patch("/v1/members/m-1", json!({"nickname": bad})).await;
        assert_eq!(got.status, 422, "{bad:?}: {:?}", got.body);
        assert_eq!(got.body["error"]["code"], "invalid_request");
        assert!(got.body["error"]["message"].as_str().unwrap().starts_with("nickname"), "{:?}", got.body);
    }
    let ok = patch(&app, "m-1", json!({"nickname": "x".repeat(32)})).await;
    assert_eq!(ok["nickname"], "x".repeat(32));

    let missing = app.get("/v1/leaderboards/nope").await;
    assert_eq!(missing.status, 404, "{:?}", missing.body);
    assert_eq!(missing.body["error"]["code"], "leaderboard_not_found");
    let bad = app.get("/v1/leaderboards/top-spenders?period=last").await;
    assert_eq!(bad.status, 400, "{:?}", bad.body);
    assert_eq!(bad.body["error"]["code"], "invalid_period");
    let nobody = app.get("/v1/members/m-404/leaderboards").await;
    assert_eq!(nobody.status, 404, "{:?}", nobody.body);
    assert_eq!(nobody.body["error"]["code"], "member_not_found");
}
