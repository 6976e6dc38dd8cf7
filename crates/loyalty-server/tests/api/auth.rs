use super::*;
use axum::http::Method;
use loyalty_server::secrets::key_hash;
use loyalty_store::{Role, Store};
use loyalty_testkit::{TestDb, at, each_backend};

each_backend!(
    requests_without_a_valid_key_are_401,
    roles_limit_what_a_key_may_do,
    a_key_without_the_role_is_refused_before_its_body_is_read,
);

async fn requests_without_a_valid_key_are_401(db: TestDb) {
    let app = with_member(db).await;
    for auth in ["", "Bearer lk_not_a_real_key", "Basic dXNlcjpwYXNz", "Bearer", "bearer   "] {
        let got = app.send(Method::GET, "/v1/members/c-1001", None, &[("authorization", auth)]).await;
        assert_eq!((got.status, got.code()), (401, "unauthorized"), "{auth:?}");
        assert_eq!(got.header("www-authenticate"), Some("Bearer"));
    }
    let lower = format!("bearer {}", app.key);
    let got = app.send(Method::GET, "/v1/members/c-1001", None, &[("authorization", &lower)]).await;
    assert_eq!(got.status, 200);
    let post = app
        .send(
            Method::POST,
            "/v1/members",
            Some(json!({"external_id": "c-9"}).to_string()),
            &[("authorization", "")],
        )
        .await;
    assert_eq!((post.status, post.code()), (401, "unauthorized"));
    assert_eq!(app.get("/v1/members/c-9").await.code(), "member_not_found");
}

async fn roles_limit_what_a_key_may_do(db: TestDb) {
    let app = with_purchase(db).await;
    let program = app.store.programs().await.unwrap()[0].id;
    let now = at("2026-11-02T12:00:00Z");
    app.store
        .add_api_key(program, Role::Pos, "till 1", &key_hash("lk_pos_key_for_tests"), now)
        .await
        .unwrap();
    app.store
        .add_api_key(program, Role::Read, "reports", &key_hash("lk_read_key_for_tests"), now)
        .await
        .unwrap();
    let as_key = |key: &'static str| [("authorization", format!("Bearer {key}"))];
    let send = |method: Method, path: &'static str, body: Option<Value>, key: &'static str| {
        let headers = as_key(key);
        let app = &app;
        async move {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.send(method, path, body.map(|b| b.to_string()), &headers).await
        }
    };

    let pos_redeems = send(
        Method::POST,
        "/v1/members/c-1001/redemptions",
        Some(json!({"reward": "free-drink"})),
        "lk_pos_key_for_tests",
    )
    .await;
    assert_eq!(pos_redeems.status, 201);
    let pos_adjusts = send(
        Method::POST,
        "/v1/members/c-1001/adjustments",
        Some(json!({"points": 5, "reason": "x"})),
        "lk_pos_key_for_tests",
    )
    .await;
    assert_eq!((pos_adjusts.status, pos_adjusts.code()), (403, "forbidden"));
    assert_eq!(pos_adjusts.body["error"]["message"], "this needs an admin key; yours is a pos key");

    let read_gets = send(Method::GET, "/v1/members/c-1001", None, "lk_read_key_for_tests").await;
    assert_eq!((read_gets.status, read_gets.body["balance"]["available"].as_i64()), (200, Some(70)));
    let read_posts =
        send(Method::POST, "/v1/members", Some(json!({"external_id": "c-3"})), "lk_read_key_for_tests").await;
    assert_eq!((read_posts.status, read_posts.code()), (403, "forbidden"));

    let admin_adjusts = app
        .post("/v1/members/c-1001/adjustments", json!({"points": -20, "reason": "goodwill reversal"}))
        .await;
    assert_eq!((admin_adjusts.status, admin_adjusts.body["balance"]["available"].as_i64()), (201, Some(50)));
}

/// Every route the API document says needs an `admin` key, asked with a `pos` key, and
/// every route that needs a `pos` key, asked with a `read` key, answers 403 whatever the
/// body: malformed JSON, a body of the wrong type, or no body at all.
async fn a_key_without_the_role_is_refused_before_its_body_is_read(db: TestDb) {
    let app = with_member(db).await;
    let pos = app.add_key(Role::Pos).await;
    let read = app.add_key(Role::Read).await;
    let document = loyalty_server::openapi::document();
    let mut asked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let key = match operation["description"].as_str().unwrap() {
                "An `admin` key." => &pos,
                "An `admin` or `pos` key." => &read,
                _ => continue,
            };
            let uri = path.replace("{external_id}", "c-1001").replace("{news}", "renewal");
            let uri: String = uri
                .split('/')
                .map(|s| if s.starts_with('{') { "probe" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let bearer = format!("Bearer {key}");
            for (body, content_type) in [
                (Some("{\"broken"), "application/json"),
                (Some("[1, 2, 3]"), "application/json"),
                (Some("not json"), "text/plain"),
                (None, "application/json"),
            ] {
                let headers = [("authorization", bearer.as_str()), ("content-type", content_type)];
                let got = app.send(method.clone(), &uri, body.map(str::to_owned), &headers).await;
                assert_eq!(
                    (got.status, got.code()),
                    (403, "forbidden"),
                    "{method} {uri} {body:?}: {:?}",
                    got.body
                );
                asked += 1;
            }
        }
    }
    assert!(asked > 100, "only {asked} requests: the document lists too few routes");
    // Nothing was stored: the member has no entry and no second member exists.
    assert_eq!(entry_count(&app, "c-1001").await, 0);
}
