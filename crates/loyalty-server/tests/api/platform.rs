//! Programs managed live with the platform key: made from JSON or TOML with a first admin
//! key, listed, changed, archived; the platform key and a program's keys each refused on
//! the other's routes.

use super::*;
use axum::http::Method;
use loyalty_testkit::{TestDb, at, coffee_path, each_backend};

each_backend!(
    a_program_made_over_the_platform_api_is_served_at_once_with_its_admin_key,
    a_program_is_changed_from_toml_and_its_mistakes_are_located,
    an_archived_program_is_read_but_not_written,
    the_platform_key_and_program_keys_reach_only_their_own_routes,
);

/// The demo program's TOML under another code and name.
fn toml_of(code: &str) -> String {
    std::fs::read_to_string(coffee_path())
        .unwrap()
        .replace("id = \"coffee\"", &format!("id = \"{code}\""))
        .replace("name = \"Bean Counter Coffee\"", &format!("name = \"{code} shop\""))
}

async fn as_platform(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> TestResponse {
    app.send_as(&app.platform_key.clone(), method, path, body).await
}

/// Sends a TOML body with `key`.
async fn toml(app: &TestApp, key: &str, method: Method, path: &str, text: &str) -> TestResponse {
    let bearer = format!("Bearer {key}");
    app.send(
        method,
        path,
        Some(text.to_owned()),
        &[("authorization", &bearer), ("content-type", "application/toml")],
    )
    .await
}

async fn a_program_made_over_the_platform_api_is_served_at_once_with_its_admin_key(db: TestDb) {
    let app = TestApp::start(db).await;
    let definition = app.get("/v1/program").await.body["definition"].clone();
    let mut tea = definition.clone();
    tea["id"] = json!("tea");
    tea["name"] = json!("Tea House");
    let made = as_platform(&app, Method::POST, "/v1/admin/programs", Some(tea.clone())).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!((&made.body["program"]["code"], &made.body["program"]["version"]), (&json!("tea"), &json!(1)));
    let key = made.body["admin_key"]["secret"].as_str().unwrap().to_owned();
    assert_eq!(made.body["admin_key"]["role"], "admin");
    assert_eq!(made.body["admin_key"]["prefix"], json!(&key[..11]));

    // The new program's key serves it, with no restart, and sees nothing of coffee's.
    let program = app.send_as(&key, Method::GET, "/v1/program", None).await;
    assert_eq!((program.status, &program.body["code"]), (200, &json!("tea")));
    let enrolled = app.send_as(&key, Method::POST, "/v1/members", Some(json!({"external_id": "t-1"}))).await;
    assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
    assert_eq!(app.get("/v1/members/t-1").await.code(), "member_not_found");
    let keys = app.send_as(&key, Method::GET, "/v1/keys", None).await;
    assert_eq!(keys.body["keys"].as_array().unwrap().len(), 1, "{:?}", keys.body);

    let again = as_platform(&app, Method::POST, "/v1/admin/programs", Some(tea)).await;
    assert_eq!((again.status, again.code()), (409, "program_already_exists"));

    let listed = as_platform(&app, Method::GET, "/v1/admin/programs", None).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    let codes: Vec<(&str, &str, i64)> = listed.body["programs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["code"].as_str().unwrap(), p["origin"].as_str().unwrap(), p["version"].as_i64().unwrap()))
        .collect();
    assert_eq!(codes, [("coffee", "file", 1), ("tea", "api", 1)]);
    let shown = as_platform(&app, Method::GET, "/v1/admin/programs/tea", None).await;
    assert_eq!(
        (&shown.body["definition"]["name"], &shown.body["archived_at"]),
        (&json!("Tea House"), &Value::Null)
    );
    let missing = as_platform(&app, Method::GET, "/v1/admin/programs/none", None).await;
    assert_eq!((missing.status, missing.code()), (404, "program_not_found"));

    // TOML is taken as a program file is.
    let made = toml(&app, &app.platform_key, Method::POST, "/v1/admin/programs", &toml_of("mate")).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(made.body["program"]["definition"]["name"], "mate shop");
}

async fn a_program_is_changed_from_toml_and_its_mistakes_are_located(db: TestDb) {
    let app = TestApp::start(db).await;
    let changed = toml_of("coffee").replace("name = \"coffee shop\"", "name = \"Bean Counter Roasters\"");
    let put = toml(&app, &app.platform_key, Method::PUT, "/v1/admin/programs/coffee", &changed).await;
    assert_eq!(put.status, 201, "{:?}", put.body);
    assert_eq!(
        (&put.body["version"], &put.body["definition"]["name"]),
        (&json!(2), &json!("Bean Counter Roasters"))
    );
    let same = toml(&app, &app.platform_key, Method::PUT, "/v1/admin/programs/coffee", &changed).await;
    assert_eq!((same.status, &same.body["version"]), (200, &json!(2)));
    // The program's own key sees the change at once, and may send TOML to /v1/program too.
    assert_eq!(app.get("/v1/program").await.body["definition"]["name"], "Bean Counter Roasters");
    let by_admin = changed.replace("Bean Counter Roasters", "Bean Counter");
    let put = toml(&app, &app.key, Method::PUT, "/v1/program", &by_admin).await;
    assert_eq!((put.status, &put.body["version"]), (201, &json!(3)));

    let broken = changed.replace("multiplier = 2", "multiplier = \"5000\"");
    let refused = toml(&app, &app.platform_key, Method::PUT, "/v1/admin/programs/coffee", &broken).await;
    assert_eq!((refused.status, refused.code()), (422, "invalid_program"));
    assert_eq!(
        refused.body["error"]["message"],
        "line 22, column 14: earning[1].multiplier: must be between 0 and 1000, not 5000"
    );
    let renamed = toml_of("tea");
    let other = toml(&app, &app.platform_key, Method::PUT, "/v1/admin/programs/coffee", &renamed).await;
    assert_eq!((other.status, other.code()), (422, "invalid_program"));
    let text = app.send_as(&app.platform_key.clone(), Method::PUT, "/v1/admin/programs/coffee", None).await;
    assert_eq!(text.status, 415, "{:?}", text.body);
    let unreadable = toml(&app, &app.key, Method::PUT, "/v1/program", "id = ").await;
    assert_eq!((unreadable.status, unreadable.code()), (422, "invalid_program"));
    assert_eq!(app.get("/v1/program").await.body["version"], 3);
}

async fn an_archived_program_is_read_but_not_written(db: TestDb) {
    let app = with_purchase(db).await;
    let archived = as_platform(&app, Method::POST, "/v1/admin/programs/coffee/archive", None).await;
    assert_eq!(archived.status, 200, "{:?}", archived.body);
    assert_eq!(archived.body["archived_at"], "2026-11-02T12:00:00Z");
    assert_eq!(available(&app, "c-1001").await, 160);
    assert_eq!(app.get("/v1/reports/liability").await.status, 200);
    for (method, path, body) in [
        (Method::POST, "/v1/members", json!({"external_id": "c-2"})),
        (Method::POST, "/v1/events", order_o1()),
        (Method::PUT, "/v1/program", app.get("/v1/program").await.body["definition"].clone()),
    ] {
        let got = app.send_as(&app.key.clone(), method, path, Some(body)).await;
        assert_eq!((got.status, got.code()), (409, "program_archived"), "{path}");
    }
    let changed =
        toml(&app, &app.platform_key, Method::PUT, "/v1/admin/programs/coffee", &toml_of("coffee")).await;
    assert_eq!((changed.status, changed.code()), (409, "program_archived"));
    // Archiving twice keeps the first instant.
    app.clock.set(at("2026-11-03T12:00:00Z"));
    let again = as_platform(&app, Method::POST, "/v1/admin/programs/coffee/archive", None).await;
    assert_eq!(again.body["archived_at"], "2026-11-02T12:00:00Z");
    let listed = as_platform(&app, Method::GET, "/v1/admin/programs", None).await;
    assert_eq!(listed.body["programs"][0]["archived_at"], "2026-11-02T12:00:00Z");
}

async fn the_platform_key_and_program_keys_reach_only_their_own_routes(db: TestDb) {
    let app = with_member(db).await;
    let got = app.get("/v1/admin/programs").await;
    assert_eq!((got.status, got.code()), (403, "forbidden"));
    let made = app.post("/v1/admin/programs", json!({})).await;
    assert_eq!((made.status, made.code()), (403, "forbidden"));
    for path in ["/v1/members/c-1001", "/v1/program", "/v1/keys", "/v1/reports/liability"] {
        let got = as_platform(&app, Method::GET, path, None).await;
        assert_eq!((got.status, got.code()), (403, "forbidden"), "{path}");
        assert!(got.body.get("member").is_none() && got.body.get("definition").is_none());
    }
    let nobody = app.send_as("lk_not_a_key_at_all", Method::GET, "/v1/admin/programs", None).await;
    assert_eq!((nobody.status, nobody.code()), (401, "unauthorized"));
}
