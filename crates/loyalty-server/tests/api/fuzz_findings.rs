//! What `scripts/schemathesis` found, kept fixed: a request the API document allows is
//! not refused for its shape, and one it forbids is not taken.

use super::*;
use loyalty_testkit::TestDb;

/// `20.0` is an integer to JSON Schema, so an `integer` field takes it; `20.5` is not.
#[tokio::test]
async fn a_whole_number_written_with_a_fraction_is_an_integer() {
    let app = TestApp::start(TestDb::sqlite()).await;
    assert_eq!(app.post("/v1/members", json!({"external_id": "c-1001"})).await.status, 201);
    let got =
        app.post("/v1/members/c-1001/adjustments", json!({"points": 20.0, "reason": "spilt latte"})).await;
    assert_eq!(got.status, 201, "{:?}", got.body);
    assert_eq!(got.body["balance"]["available"], 20, "{:?}", got.body);
    let got =
        app.post("/v1/members/c-1001/adjustments", json!({"points": 20.5, "reason": "spilt latte"})).await;
    assert_eq!((got.status, got.code()), (422, "invalid_request"), "{:?}", got.body);
}

/// The document says what the server checks: texts and codes have their pattern and
/// lengths, query values their enums and cursors their shape, and a body that may be left
/// out is not required.
#[test]
fn the_document_states_what_the_server_checks() {
    let doc = loyalty_server::openapi::document();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["ExternalId"]["pattern"], r"^[A-Za-z0-9._:@+=~|-]+$");
    assert_eq!(
        (&schemas["ExternalId"]["minLength"], &schemas["ExternalId"]["maxLength"]),
        (&json!(1), &json!(128))
    );
    assert_eq!(schemas["IdempotencyKey"]["pattern"], r"^[!-~]+$");
    assert_eq!(schemas["TierCode"]["pattern"], r"^[a-z0-9_-]+$");
    assert_eq!(schemas["Reason"]["maxLength"], 500);
    let rotate = &doc["paths"]["/v1/keys/{id}/rotate"]["post"]["requestBody"];
    assert_ne!(rotate["required"], true, "{rotate}");
    assert_eq!(rotate["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/RotateRequest");
    let search = doc["paths"]["/v1/members"]["get"]["parameters"].as_array().unwrap();
    let param = |name: &str| search.iter().find(|p| p["name"] == name).unwrap()["schema"].clone();
    assert_eq!(
        param("status")["enum"],
        json!(["active", "suspended", "closed_by_request", "closed_inactive"])
    );
    assert_eq!(param("cursor")["pattern"], r"^m0*([1-9a-f][0-9a-f]{0,14}|[1-7][0-9a-f]{15})$");
}

/// A text of only white space, or with a control character, is refused as the pattern
/// says; so is a cursor in upper case or with a sign, which the server never writes.
#[tokio::test]
async fn what_the_patterns_forbid_is_refused() {
    let app = TestApp::start(TestDb::sqlite()).await;
    assert_eq!(app.post("/v1/members", json!({"external_id": "c-1001"})).await.status, 201);
    for reason in ["   ", "tab\there"] {
        let got = app.post("/v1/members/c-1001/adjustments", json!({"points": 5, "reason": reason})).await;
        assert_eq!((got.status, got.code()), (422, "invalid_request"), "{reason:?}: {:?}", got.body);
    }
    for cursor in ["eA", "e+5", "E5"] {
        let got = app.get(&format!("/v1/members/c-1001/ledger?cursor={}", cursor.replace('+', "%2B"))).await;
        assert_eq!((got.status, got.code()), (400, "invalid_cursor"), "{cursor}: {:?}", got.body);
    }
    assert_eq!(app.get("/v1/members/c-1001/ledger?cursor=e5").await.status, 200);
}

/// A key's name and a nickname are measured as sent, as the document's `maxLength`
/// measures them, and kept trimmed: spaces around a name of the longest length do not
/// slip it past the limit.
#[tokio::test]
async fn names_are_measured_as_sent_and_kept_trimmed() {
    let app = TestApp::start(TestDb::sqlite()).await;
    let padded = format!("    {}", "*".repeat(64));
    let got = app.post("/v1/keys", json!({"name": padded, "role": "pos"})).await;
    assert_eq!((got.status, got.code()), (422, "invalid_request"), "{:?}", got.body);
    let got = app.post("/v1/keys", json!({"name": format!(" {} ", "*".repeat(62)), "role": "pos"})).await;
    assert_eq!(
        (got.status, got.body["name"].as_str()),
        (201, Some("*".repeat(62).as_str())),
        "{:?}",
        got.body
    );

    assert_eq!(app.post("/v1/members", json!({"external_id": "c-1001"})).await.status, 201);
    let got = app.patch("/v1/members/c-1001", json!({"nickname": format!("  {}", "x".repeat(32))})).await;
    assert_eq!((got.status, got.code()), (422, "invalid_request"), "{:?}", got.body);
}

/// A body is an object: an array is not read as a struct's fields in order.
#[tokio::test]
async fn a_body_that_is_an_array_is_refused() {
    let app = TestApp::start(TestDb::sqlite()).await;
    for (uri, body) in [("/v1/jobs/run", json!([])), ("/v1/members", json!(["c-1001"]))] {
        let got = app.post(uri, body).await;
        assert_eq!((got.status, got.code()), (422, "invalid_request"), "{uri}: {:?}", got.body);
        assert_eq!(got.body["error"]["message"], "the body must be a JSON object", "{uri}");
    }
    assert_eq!(app.get("/v1/members/c-1001").await.status, 404);
}

/// A change to a reward names only fields a reward has, even to remove one.
#[tokio::test]
async fn a_reward_change_naming_no_field_of_a_reward_is_refused() {
    let app = TestApp::start(TestDb::sqlite()).await;
    for body in [json!({"": null}), json!({"colour": null})] {
        let got = app.patch("/v1/rewards/free-drink", body.clone()).await;
        assert_eq!((got.status, got.code()), (422, "invalid_request"), "{body}: {:?}", got.body);
    }
    let got = app.patch("/v1/rewards/free-drink", json!({"stock": null})).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
}
