//! What a body may hold: arrays and objects at most 32 levels deep (`400 json_too_deep`)
//! and strings, keys included, of at most 4,096 characters (`422 string_too_long`, naming
//! the field), on every route that reads a body: through the JSON extractor, the event
//! decoder and the erasure's own reader. Neither limit lets anything be stored.

use super::*;
use axum::http::Method;
use loyalty_testkit::{TestDb, TestResponse};

/// `levels` arrays one inside another.
fn nested(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

async fn post_raw(app: &TestApp, method: Method, uri: &str, body: String) -> TestResponse {
    app.send(method, uri, Some(body), &[]).await
}

#[tokio::test]
async fn a_body_nested_more_than_32_levels_is_refused_as_json_too_deep() {
    let app = TestApp::start(TestDb::sqlite()).await;
    // The object is one level: tags nested 31 deep make 32, read and then refused as a
    // field of the wrong shape; 32 deep make 33, refused before anything else is looked at.
    let at_limit = format!(r#"{{"external_id": "c-1", "tags": {}}}"#, nested(31));
    let got = post_raw(&app, Method::POST, "/v1/members", at_limit).await;
    assert_eq!((got.status, got.code()), (422, "invalid_request"), "{:?}", got.body);
    for (method, uri) in [
        (Method::POST, "/v1/members"),
        (Method::POST, "/v1/events"),
        (Method::POST, "/v1/members/c-1/erasure"),
        (Method::PUT, "/v1/program"),
    ] {
        let too_deep = format!(r#"{{"external_id": "c-1", "tags": {}}}"#, nested(32));
        let got = post_raw(&app, method, uri, too_deep).await;
        assert_eq!((got.status, got.code()), (400, "json_too_deep"), "{uri}: {:?}", got.body);
        assert_eq!(
            got.body["error"]["message"], "the body nests arrays and objects more than 32 levels deep",
            "{uri}"
        );
    }
    // Far past serde_json's own limit of 128 it is the same answer, not malformed_json.
    let got = post_raw(&app, Method::POST, "/v1/members", nested(100_000)).await;
    assert_eq!((got.status, got.code()), (400, "json_too_deep"), "{:?}", got.body);
    assert_eq!(app.get("/v1/members/c-1").await.status, 404);
}

#[tokio::test]
async fn a_string_over_4096_characters_is_refused_naming_its_field() {
    let app = TestApp::start(TestDb::sqlite()).await;
    let long = "x".repeat(4097);
    let got = app.post("/v1/members", json!({"external_id": "c-1", "name": long})).await;
    assert_eq!((got.status, got.code()), (422, "string_too_long"), "{:?}", got.body);
    assert_eq!(got.body["error"]["message"], "name: a string of 4097 characters; at most 4096 are taken");

    // Inside arrays, on the event decoder's path.
    let mut order = order_o1();
    order["lines"][1]["sku"] = json!(long);
    let got = app.post("/v1/events", order).await;
    assert_eq!((got.status, got.code()), (422, "string_too_long"), "{:?}", got.body);
    assert_eq!(
        got.body["error"]["message"],
        "lines[1].sku: a string of 4097 characters; at most 4096 are taken"
    );

    // A key, and a string that is the whole body.
    let got = app.post("/v1/members", json!({"external_id": "c-1", long.clone(): 1})).await;
    assert_eq!(
        got.body["error"]["message"], "a key of 4097 characters; at most 4096 are taken",
        "{:?}",
        got.body
    );
    let got = post_raw(&app, Method::POST, "/v1/members/c-1/erasure", format!("\"{long}\"")).await;
    assert_eq!((got.status, got.code()), (422, "string_too_long"), "{:?}", got.body);
    assert_eq!(got.body["error"]["message"], "a string of 4097 characters; at most 4096 are taken");

    // Characters are counted, not bytes: 4,096 two-byte letters are within the limit.
    let accented = "é".repeat(4096);
    let got = app.post("/v1/members", json!({"external_id": "c-1", "name": accented})).await;
    assert_ne!(got.code(), "string_too_long", "{:?}", got.body);
    assert_eq!(app.get("/v1/members/c-1").await.status == 200, got.status == 201);
}
