//! Program versions, on the coffee program: a change over the API or by reloading the file
//! is a new version in force from then on, and every event is judged by the version in
//! force when it occurred, even after a restart.

use super::*;
use axum::http::Method;
use loyalty_server::Settings;
use loyalty_store::Role;
use loyalty_testkit::{TestDb, TestResponse, at, coffee_path, each_backend};

each_backend!(
    a_change_is_a_new_version_and_events_earn_by_the_version_of_their_time,
    bad_changes_and_no_changes_make_no_version,
    a_restarted_server_still_judges_by_versions,
);

/// One latte (4.75 USD) bought at `occurred_at`, or now.
fn latte(order_id: &str, occurred_at: Option<&str>) -> Value {
    let mut order = json!({
        "type": "purchase", "member": "c-1001", "order_id": order_id,
        "lines": [{"sku": "latte", "category": "coffee", "quantity": 1, "unit_price_minor": 475}]
    });
    if let Some(t) = occurred_at {
        order["occurred_at"] = json!(t);
    }
    order
}

/// The current definition with the base rate at `rate` beans per dollar.
async fn with_rate(app: &TestApp, rate: &str) -> Value {
    let mut definition = app.get("/v1/program").await.body["definition"].clone();
    assert_eq!(definition["earning"][0]["id"], "base");
    definition["earning"][0]["points_per_unit"] = json!(rate);
    definition
}

async fn version_numbers(app: &TestApp) -> Vec<i64> {
    let got = app.get("/v1/program/versions").await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body["versions"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect()
}

/// Buys `order` and checks its points and the version that judged it.
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

async fn a_change_is_a_new_version_and_events_earn_by_the_version_of_their_time(db: TestDb) {
    let app = with_member(db).await;
    let first = app.get("/v1/program").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["code"], "coffee");
    assert_eq!(first.body["version"], 1);
    assert_eq!(first.body["effective_from"], "1970-01-01T00:00:00Z");
    assert_eq!(first.body["definition"]["earning"][0]["points_per_unit"], "10");
    assert_eq!(first.body["definition"]["name"], "Bean Counter Coffee");

    let changed = app.put("/v1/program", with_rate(&app, "20").await).await;
    assert_eq!(changed.status, 201, "{:?}", changed.body);
    assert_eq!(changed.body["version"], 2);
    assert_eq!(changed.body["effective_from"], "2026-11-02T12:00:00Z");
    assert_eq!(changed.body["definition"]["earning"][0]["points_per_unit"], "20");
    let now = app.get("/v1/program").await;
    assert_eq!(
        (now.body["version"].as_i64(), now.body["effective_from"].as_str()),
        (Some(2), Some("2026-11-02T12:00:00Z"))
    );

    let versions = app.get("/v1/program/versions").await;
    let listed = versions.body["versions"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0], first.body);
    assert_eq!(listed[1], changed.body);

    // Now and later: 20 beans a dollar.
    app.clock.set(at("2026-11-02T13:00:00Z"));
    let after = buy(&app, latte("o-after", None), 95, 2).await;
    assert_eq!(
        after.body["explanation"]["lines"][0]["awards"][0]["reason"],
        "20 beans per 1.00 USD on 4.75 USD"
    );
    buy(&app, latte("o-at-change", Some("2026-11-02T12:00:00Z")), 95, 2).await;
    // Late arrivals from before the change: 10 beans a dollar, whenever they arrive.
    let late = buy(&app, latte("o-late", Some("2026-11-02T11:59:59Z")), 47, 1).await;
    assert_eq!(
        late.body["explanation"]["lines"][0]["awards"][0]["reason"],
        "10 beans per 1.00 USD on 4.75 USD"
    );
    buy(&app, latte("o-last-week", Some("2026-10-26T10:00:00Z")), 47, 1).await;
    assert_eq!(available(&app, "c-1001").await, 95 + 95 + 47 + 47);

    // A return is measured against what its order earned, whichever version that was.
    let returned = app
        .post("/v1/events", json!({"type": "return", "member": "c-1001", "order_id": "o-last-week", "lines": [{"sku": "latte", "quantity": 1}]}))
        .await;
    assert_eq!((returned.status, returned.body["points_reversed"].as_i64()), (201, Some(47)));

    // A third version, from a later time, leaves the second in force between the two.
    app.clock.set(at("2026-11-05T12:00:00Z"));
    let third = app.put("/v1/program", with_rate(&app, "5").await).await;
    assert_eq!((third.status, third.body["version"].as_i64()), (201, Some(3)));
    assert_eq!(version_numbers(&app).await, vec![1, 2, 3]);
    buy(&app, latte("o-v3", None), 23, 3).await;
    buy(&app, latte("o-v2-late", Some("2026-11-04T08:00:00Z")), 95, 2).await;
    buy(&app, latte("o-v1-late", Some("2026-11-01T08:00:00Z")), 47, 1).await;
    app.assert_consistent().await;
}

async fn bad_changes_and_no_changes_make_no_version(db: TestDb) {
    let app = with_member(db).await;
    let changed = app.put("/v1/program", with_rate(&app, "20").await).await;
    assert_eq!(changed.status, 201, "{:?}", changed.body);

    let zero = app.put("/v1/program", with_rate(&app, "0").await).await;
    assert_eq!((zero.status, zero.code()), (422, "invalid_program"), "{:?}", zero.body);
    assert_eq!(zero.body["error"]["message"], "earning[0].points_per_unit: must be above 0, not 0");

    let mut two_problems = with_rate(&app, "20").await;
    two_problems["time_zone"] = json!("Mars/Olympus");
    two_problems["rewards"][0]["points_cost"] = json!(0);
    let got = app.put("/v1/program", two_problems).await;
    assert_eq!((got.status, got.code()), (422, "invalid_program"), "{:?}", got.body);
    let message = got.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("time_zone: `Mars/Olympus` is not an IANA time zone"), "{message}");
    assert!(message.contains("rewards[0].points_cost: must be between 1 and"), "{message}");

    let mut other_program = with_rate(&app, "20").await;
    other_program["id"] = json!("tea");
    let got = app.put("/v1/program", other_program).await;
    assert_eq!((got.status, got.code()), (422, "invalid_program"));
    assert_eq!(got.body["error"]["message"], "id: this program is `coffee`; it cannot become `tea`");

    let mut unknown = with_rate(&app, "20").await;
    unknown["earning"][0]["bonus"] = json!(1);
    let got = app.put("/v1/program", unknown).await;
    assert_eq!((got.status, got.code()), (422, "invalid_request"), "{:?}", got.body);
    let got = app.put("/v1/program", json!({"id": "coffee"})).await;
    assert_eq!((got.status, got.code()), (422, "invalid_request"), "{:?}", got.body);
    let got = app.send(Method::PUT, "/v1/program", Some("{".to_owned()), &[]).await;
    assert_eq!((got.status, got.code()), (400, "malformed_json"));
    assert_eq!(version_numbers(&app).await, vec![1, 2]);

    // The same definition again is no change.
    app.clock.set(at("2026-11-03T12:00:00Z"));
    let same = app.put("/v1/program", with_rate(&app, "20").await).await;
    assert_eq!(same.status, 200, "{:?}", same.body);
    assert_eq!(same.body, changed.body);
    assert_eq!(same.body["effective_from"], "2026-11-02T12:00:00Z");
    assert_eq!(version_numbers(&app).await, vec![1, 2]);

    let pos = app.add_key(Role::Pos).await;
    let body = with_rate(&app, "30").await;
    let got = app.send_as(&pos, Method::PUT, "/v1/program", Some(body.clone())).await;
    assert_eq!((got.status, got.code()), (403, "forbidden"));
    assert_eq!(got.body["error"]["message"], "this needs an admin key; yours is a pos key");
    let read = app.add_key(Role::Read).await;
    let got = app.send_as(&read, Method::PUT, "/v1/program", Some(body)).await;
    assert_eq!((got.status, got.code()), (403, "forbidden"));
    // Any key may read the program and its versions.
    let got = app.send_as(&read, Method::GET, "/v1/program/versions", None).await;
    assert_eq!((got.status, got.body["versions"].as_array().map(Vec::len)), (200, Some(2)));
    assert_eq!(version_numbers(&app).await, vec![1, 2]);

    buy(&app, latte("o-1", None), 95, 2).await;
    app.assert_consistent().await;
}

async fn a_restarted_server_still_judges_by_versions(db: TestDb) {
    let app = with_member(db).await;
    let changed = app.put("/v1/program", with_rate(&app, "20").await).await;
    assert_eq!(changed.status, 201, "{:?}", changed.body);

    // Restarted without a program file, it serves what the database holds.
    app.clock.set(at("2026-11-03T12:00:00Z"));
    let app = app.restart(None).await;
    let now = app.get("/v1/program").await;
    assert_eq!((now.status, now.body["version"].as_i64()), (200, Some(2)));
    assert_eq!(version_numbers(&app).await, vec![1, 2]);
    buy(&app, latte("o-1", None), 95, 2).await;
    buy(&app, latte("o-2", Some("2026-11-02T11:00:00Z")), 47, 1).await;

    // Restarted with a changed file over the API's version 2 (and told to override it),
    // the file is the next version, from the restart on.
    let file =
        std::env::temp_dir().join(format!("loyalty-versions-{}-{}.toml", std::process::id(), db_tag(&app)));
    let text = std::fs::read_to_string(coffee_path()).unwrap();
    assert!(text.contains("points_per_unit = 10 "));
    std::fs::write(&file, text.replace("points_per_unit = 10 ", "points_per_unit = 30 ")).unwrap();
    app.clock.set(at("2026-11-04T12:00:00Z"));
    let overriding =
        Settings { program_files: vec![file.clone()], program_overrides_api: true, ..Settings::default() };
    let app = app.restart_with(overriding).await;
    let now = app.get("/v1/program").await;
    assert_eq!(now.body["version"], 3);
    assert_eq!(now.body["effective_from"], "2026-11-04T12:00:00Z");
    assert_eq!(now.body["definition"]["earning"][0]["points_per_unit"], "30");
    buy(&app, latte("o-3", None), 142, 3).await;
    buy(&app, latte("o-4", Some("2026-11-03T18:00:00Z")), 95, 2).await;
    buy(&app, latte("o-5", Some("2026-11-01T18:00:00Z")), 47, 1).await;

    // The same file again is no change.
    app.clock.set(at("2026-11-05T12:00:00Z"));
    let app = app.restart(Some(&file)).await;
    assert_eq!(version_numbers(&app).await, vec![1, 2, 3]);
    assert_eq!(app.get("/v1/program").await.body["effective_from"], "2026-11-04T12:00:00Z");
    assert_eq!(available(&app, "c-1001").await, 95 + 47 + 142 + 95 + 47);
    std::fs::remove_file(&file).unwrap();
    app.assert_consistent().await;
}

/// Tells apart the files of tests running at once in one process.
fn db_tag(app: &TestApp) -> &'static str {
    if app.db.is_postgres() { "postgres" } else { "sqlite" }
}
