//! Campaigns over the API, on the coffee program (New York time): created, changed and
//! ended without a restart, each change a new version of the program.

use super::*;
use axum::http::Method;
use loyalty_store::Role;
use loyalty_testkit::{TestDb, TestResponse, at, each_backend};

each_backend!(
    a_campaign_created_over_the_api_earns_until_it_is_ended,
    a_campaign_stops_at_its_budget_kept_across_versions,
    campaign_changes_that_cannot_be_made_are_refused,
    campaigns_created_at_once_are_all_kept,
);

/// `lattes` lattes (4.75 USD each, 47.5 base beans) for c-1001, at `occurred_at` or now.
fn lattes(order_id: &str, lattes: i64, occurred_at: Option<&str>) -> Value {
    let mut order = json!({
        "type": "purchase", "member": "c-1001", "order_id": order_id,
        "lines": [{"sku": "latte", "category": "coffee", "quantity": lattes, "unit_price_minor": 475}]
    });
    if let Some(t) = occurred_at {
        order["occurred_at"] = json!(t);
    }
    order
}

async fn buy(app: &TestApp, order: Value, points: i64, version: i64) -> TestResponse {
    let got = app.post("/v1/events", order).await;
    assert_eq!(got.status, 201, "{:?}", got.body);
    assert_eq!(
        (got.body["points_awarded"].as_i64(), got.body["explanation"]["program_version"].as_i64()),
        (Some(points), Some(version)),
        "{:?}",
        got.body
    );
    got
}

/// The campaign's award on the first line of a purchase, as `(points, reason)`.
fn campaign_award(bought: &TestResponse) -> (String, String) {
    let awards = bought.body["explanation"]["lines"][0]["awards"].as_array().unwrap();
    let award = awards.iter().find(|a| a["kind"] == "campaign").unwrap_or_else(|| panic!("{awards:?}"));
    (award["points"].as_str().unwrap().to_owned(), award["reason"].as_str().unwrap().to_owned())
}

async fn listed(app: &TestApp) -> Value {
    let got = app.get("/v1/campaigns").await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body
}

async fn version_count(app: &TestApp) -> usize {
    app.get("/v1/program/versions").await.body["versions"].as_array().unwrap().len()
}

async fn a_campaign_created_over_the_api_earns_until_it_is_ended(db: TestDb) {
    let app = with_member(db).await;
    assert_eq!(listed(&app).await, json!({"program_version": 1, "campaigns": []}));
    let created = app
        .post(
            "/v1/campaigns",
            json!({"id": "double-beans", "name": "Double beans week", "starts": "2026-11-02", "ends": "2026-11-09", "multiplier": 2, "budget": 1000}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body, json!({"program_version": 2, "effective_from": "2026-11-02T12:00:00Z"}));

    let first = buy(&app, lattes("o-1", 1, None), 95, 2).await;
    assert_eq!(
        campaign_award(&first),
        (
            "47.5".to_owned(),
            "Double beans week (×2) until 2026-11-09: 47.5 on top of 47.5 base beans".to_owned()
        )
    );
    assert_eq!(first.body["explanation"]["lines"][0]["awards"][1]["rule"], "double-beans");
    assert_eq!(
        listed(&app).await,
        json!({"program_version": 2, "campaigns": [{
            "id": "double-beans", "name": "Double beans week", "starts": "2026-11-02", "ends": "2026-11-09",
            "multiplier": "2", "budget": 1000, "status": "running", "budget_spent": 48
        }]})
    );

    app.clock.set(at("2026-11-02T14:00:00Z"));
    let changed = app.patch("/v1/campaigns/double-beans", json!({"multiplier": 3})).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body, json!({"program_version": 3, "effective_from": "2026-11-02T14:00:00Z"}));
    let tripled = buy(&app, lattes("o-2", 1, None), 142, 3).await;
    assert_eq!(campaign_award(&tripled).0, "95");
    // Bought before the change, recorded after it: the campaign as it was then.
    buy(&app, lattes("o-late", 1, Some("2026-11-02T13:00:00Z")), 95, 2).await;
    let now = listed(&app).await;
    assert_eq!(now["program_version"], 3);
    assert_eq!(now["campaigns"][0]["multiplier"], "3");
    assert_eq!(now["campaigns"][0]["name"], "Double beans week");
    assert_eq!(now["campaigns"][0]["budget_spent"], 48 + 95 + 48);

    // Ended at 10:00 in New York on the 3rd.
    app.clock.set(at("2026-11-03T15:00:00Z"));
    let ended = app.post("/v1/campaigns/double-beans/end", json!({})).await;
    assert_eq!(ended.status, 200, "{:?}", ended.body);
    assert_eq!(ended.body, json!({"program_version": 4, "effective_from": "2026-11-03T15:00:00Z"}));
    let now = listed(&app).await;
    assert_eq!(now["campaigns"][0]["status"], "ended");
    assert_eq!(now["campaigns"][0]["ends"], "2026-11-03T10:00:00");

    let after = buy(&app, lattes("o-3", 1, None), 47, 4).await;
    let awards = after.body["explanation"]["lines"][0]["awards"].as_array().unwrap();
    assert_eq!(awards.len(), 1, "{awards:?}");
    buy(&app, lattes("o-late-2", 1, Some("2026-11-03T14:59:00Z")), 142, 3).await;
    assert_eq!(available(&app, "c-1001").await, 95 + 142 + 95 + 47 + 142);

    let again = app.post("/v1/campaigns/double-beans/end", json!({})).await;
    assert_eq!((again.status, again.code()), (409, "campaign_already_ended"), "{:?}", again.body);
    assert_eq!(again.body["error"]["message"], "campaign double-beans ended at 2026-11-03T10:00:00");
    assert_eq!(version_count(&app).await, 4);
    app.assert_consistent().await;
}

async fn a_campaign_stops_at_its_budget_kept_across_versions(db: TestDb) {
    let app = with_member(db).await;
    let created = app
        .post("/v1/campaigns", json!({"id": "double", "starts": "2026-11-01T00:00", "ends": "2026-12-01T00:00", "multiplier": "2", "budget": 100}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    buy(&app, lattes("o-1", 1, None), 95, 2).await;
    let cut = buy(&app, lattes("o-2", 2, None), 95 + 52, 2).await;
    assert_eq!(
        campaign_award(&cut),
        (
            "52".to_owned(),
            "double (×2) until 2026-12-01T00:00: 52 of 95 beans, all that its budget of 100 beans had left"
                .to_owned()
        )
    );
    let refused = buy(&app, lattes("o-3", 1, None), 47, 2).await;
    assert_eq!(
        campaign_award(&refused),
        ("0".to_owned(), "double (×2): its budget of 100 beans is reached".to_owned())
    );
    assert_eq!(listed(&app).await["campaigns"][0]["budget_spent"], 100);

    // A bigger budget in a new version: only what is left of it can be spent.
    let raised = app.patch("/v1/campaigns/double", json!({"budget": 150})).await;
    assert_eq!((raised.status, raised.body["program_version"].as_i64()), (200, Some(3)));
    buy(&app, lattes("o-4", 1, None), 95, 3).await;
    let capped = buy(&app, lattes("o-5", 1, None), 47 + 2, 3).await;
    assert_eq!(campaign_award(&capped).0, "2");
    let now = listed(&app).await;
    assert_eq!(
        (now["campaigns"][0]["budget"].as_i64(), now["campaigns"][0]["budget_spent"].as_i64()),
        (Some(150), Some(150))
    );
    assert_eq!(available(&app, "c-1001").await, 95 + 147 + 47 + 95 + 49);
    app.assert_consistent().await;
}

async fn campaign_changes_that_cannot_be_made_are_refused(db: TestDb) {
    let app = with_member(db).await;
    let campaign = json!({"id": "double", "starts": "2026-11-01", "ends": "2026-12-01", "multiplier": 2});
    assert_eq!(app.post("/v1/campaigns", campaign.clone()).await.status, 201);
    let scheduled = json!({"id": "holidays", "starts": "2026-12-20", "ends": "2026-12-27", "points": 25});
    assert_eq!(app.post("/v1/campaigns", scheduled).await.status, 201);
    assert_eq!(listed(&app).await["campaigns"][1]["status"], "scheduled");
    assert_eq!(version_count(&app).await, 3);

    let twice = app.post("/v1/campaigns", campaign.clone()).await;
    assert_eq!((twice.status, twice.code()), (409, "campaign_already_exists"));
    assert_eq!(twice.body["error"]["message"], "the program already has a rule double");
    let mut named_like_a_rule = campaign.clone();
    named_like_a_rule["id"] = json!("base");
    let clash = app.post("/v1/campaigns", named_like_a_rule).await;
    assert_eq!((clash.status, clash.code()), (409, "campaign_already_exists"));

    for path in ["/v1/campaigns/ghost", "/v1/campaigns/base"] {
        let got = app.patch(path, json!({"multiplier": 3})).await;
        assert_eq!((got.status, got.code()), (404, "campaign_not_found"), "{path}");
        let got = app.post(&format!("{path}/end"), json!({})).await;
        assert_eq!((got.status, got.code()), (404, "campaign_not_found"), "{path}");
    }
    let ghost = app.patch("/v1/campaigns/ghost", json!({"multiplier": 3})).await;
    assert_eq!(ghost.body["error"]["message"], "no campaign ghost in this program");

    let invalid_program = [
        (
            json!({"id": "x", "starts": "2026-11-10", "ends": "2026-11-09", "multiplier": 2}),
            "earning[4].ends: must be after starts",
        ),
        (
            json!({"id": "x", "starts": "2026-11-01", "ends": "2026-12-01", "multiplier": "0.5"}),
            "earning[4].multiplier: must be between 1 and 1000, not 0.5",
        ),
        (
            json!({"id": "x", "starts": "2026-11-01", "ends": "2026-12-01"}),
            "earning[4].multiplier: a campaign needs a multiplier, points, or both",
        ),
        (
            json!({"id": "x", "starts": "next tuesday", "ends": "2026-12-01", "points": 5}),
            "earning[4].starts: `next tuesday` is not a wall-clock time like 2026-11-27T09:00",
        ),
        (
            json!({"id": "x", "starts": "2026-11-01", "ends": "2026-12-01", "points": 5, "days": ["someday"]}),
            "earning[4].days[0]: `someday` is not a day: use mon, tue, ... sun",
        ),
        (
            json!({"id": "X Y", "starts": "2026-11-01", "ends": "2026-12-01", "points": 5}),
            "earning[4].id: must be 1 to 64 characters of a-z, 0-9, - and _",
        ),
    ];
    for (body, message) in invalid_program {
        let got = app.post("/v1/campaigns", body.clone()).await;
        assert_eq!((got.status, got.code()), (422, "invalid_program"), "{body}: {:?}", got.body);
        assert_eq!(got.body["error"]["message"], message, "{body}");
    }
    let invalid_request = [
        (json!({"id": "x", "ends": "2026-12-01", "points": 5}), "missing field `starts`"),
        (
            json!({"id": "x", "starts": "2026-11-01", "ends": "2026-12-01", "points": 5, "colour": "red"}),
            "unknown field `colour`",
        ),
        (
            json!({"id": "x", "starts": "2026-11-01", "ends": "2026-12-01", "multiplier": 2.5}),
            "invalid type: floating point `2.5`",
        ),
    ];
    for (body, message) in invalid_request {
        let got = app.post("/v1/campaigns", body.clone()).await;
        assert_eq!((got.status, got.code()), (422, "invalid_request"), "{body}: {:?}", got.body);
        let text = got.body["error"]["message"].as_str().unwrap();
        assert!(text.contains(message), "{body}: {text}");
    }

    let patches = [
        (json!({"id": "triple"}), 422, "invalid_request", "id: a campaign's id cannot change"),
        (json!([1]), 422, "invalid_request", "the body must be a JSON object"),
        (
            json!({"multiplier": "0.5"}),
            422,
            "invalid_program",
            "earning[2].multiplier: must be between 1 and 1000, not 0.5",
        ),
        (json!({"ends": "2026-10-01"}), 422, "invalid_program", "earning[2].ends: must be after starts"),
        (json!({"colour": "red"}), 422, "invalid_request", "colour: unknown field `colour`"),
    ];
    for (body, status, code, message) in patches {
        let got = app.patch("/v1/campaigns/double", body.clone()).await;
        assert_eq!((got.status, got.code()), (status, code), "{body}: {:?}", got.body);
        let text = got.body["error"]["message"].as_str().unwrap();
        assert!(text.starts_with(message), "{body}: {text}");
    }

    let pos = app.add_key(Role::Pos).await;
    let forbidden = [
        app.send_as(
            &pos,
            Method::POST,
            "/v1/campaigns",
            Some(json!({"id": "y", "starts": "2026-11-01", "ends": "2026-12-01", "points": 5})),
        )
        .await,
        app.send_as(&pos, Method::PATCH, "/v1/campaigns/double", Some(json!({"multiplier": 3}))).await,
        app.send_as(&pos, Method::POST, "/v1/campaigns/double/end", None).await,
    ];
    for got in forbidden {
        assert_eq!((got.status, got.code()), (403, "forbidden"), "{:?}", got.body);
    }
    let read = app.add_key(Role::Read).await;
    let seen = app.send_as(&read, Method::GET, "/v1/campaigns", None).await;
    assert_eq!((seen.status, seen.body["campaigns"].as_array().map(Vec::len)), (200, Some(2)));
    assert_eq!(version_count(&app).await, 3);

    // Ending a campaign that has not started withdraws it.
    let withdrawn = app.post("/v1/campaigns/holidays/end", json!({})).await;
    assert_eq!((withdrawn.status, withdrawn.body["program_version"].as_i64()), (200, Some(4)));
    let now = listed(&app).await;
    let ids: Vec<_> = now["campaigns"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect();
    assert_eq!(ids, vec![json!("double")]);
    let gone = app.post("/v1/campaigns/holidays/end", json!({})).await;
    assert_eq!((gone.status, gone.code()), (404, "campaign_not_found"));
}

async fn campaigns_created_at_once_are_all_kept(db: TestDb) {
    const CAMPAIGNS: usize = 8;
    let app = std::sync::Arc::new(with_member(db).await);
    let mut created = tokio::task::JoinSet::new();
    for i in 0..CAMPAIGNS {
        let app = app.clone();
        created.spawn(async move {
            let body = json!({"id": format!("promo-{i}"), "starts": "2026-11-01", "ends": "2026-12-01", "points": 1});
            app.post("/v1/campaigns", body).await
        });
    }
    for got in created.join_all().await {
        assert_eq!(got.status, 201, "{:?}", got.body);
    }
    let now = listed(&app).await;
    let mut ids: Vec<_> =
        now["campaigns"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    assert_eq!(ids, (0..CAMPAIGNS).map(|i| format!("promo-{i}")).collect::<Vec<_>>());
    assert_eq!(now["program_version"], 1 + CAMPAIGNS);
    assert_eq!(version_count(&app).await, 1 + CAMPAIGNS);
    // Each campaign gives its point.
    buy(&app, lattes("o-1", 1, None), 47 + CAMPAIGNS as i64, 1 + CAMPAIGNS as i64).await;
    app.assert_consistent().await;
}
