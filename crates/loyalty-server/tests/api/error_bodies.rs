//! Every error is the API's JSON error body, whatever part of the request was wrong: the
//! query, the path, the content type or the size of the body.

use super::*;
use axum::http::Method;
use loyalty_testkit::{TestDb, TestResponse, each_backend};

each_backend!(query_path_and_body_rejections_answer_the_json_error_body);

fn assert_error(got: &TestResponse, status: u16, code: &str, what: &str) {
    assert_eq!((got.status, got.code()), (status, code), "{what}: {:?}", got.body);
    assert_eq!(got.header("content-type"), Some("application/json"), "{what}");
    let message = got.body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{what}: no message");
}

async fn query_path_and_body_rejections_answer_the_json_error_body(db: TestDb) {
    let app = with_member(db).await;
    for uri in [
        "/v1/members/c-1001/ledger?limit=5&limit=6",
        "/v1/members/c-1001/ledger?cursor=e1&cursor=e2",
        "/v1/members/c-1001/history?topic=tier&topic=status",
        "/v1/reports/liability?from=2026-11-01&from=2026-11-02",
        "/v1/reports/kpis?to=2026-11-01&to=2026-11-02",
        "/v1/reports/breakage?format=json&format=csv",
        "/v1/reports/donations?from=2026-11-01&from=2026-11-02",
        "/v1/webhooks/deliveries?limit=1&limit=2",
    ] {
        let got = app.get(uri).await;
        assert_error(&got, 400, "malformed_request", uri);
        assert!(
            got.body["error"]["message"].as_str().unwrap().starts_with("query: duplicate field"),
            "{uri}"
        );
    }
    // Paths whose percent-encoding decodes to something that is not UTF-8.
    for uri in [
        "/v1/members/%FF",
        "/v1/rewards/codes/%FF",
        "/v1/gift-cards/%FF",
        "/v1/holds/%FF",
        "/v1/rewards/%FF",
        "/v1/webhooks/deliveries/%FF",
        "/v1/members/%FF/subscription/renewal",
    ] {
        let method = if uri.ends_with("renewal") { Method::POST } else { Method::GET };
        let got = app.send(method, uri, None, &[]).await;
        assert_error(&got, 400, "malformed_request", uri);
    }
    let plain =
        app.send(Method::POST, "/v1/events", Some("{}".to_owned()), &[("content-type", "text/plain")]).await;
    assert_error(&plain, 415, "unsupported_media_type", "text/plain");
    let big = format!("{{\"reason\": \"{}\"}}", "x".repeat(1024 * 1024));
    for uri in ["/v1/events", "/v1/members/c-1001/erasure", "/v1/program"] {
        let method = if uri == "/v1/program" { Method::PUT } else { Method::POST };
        let got = app.send(method, uri, Some(big.clone()), &[]).await;
        assert_error(&got, 413, "payload_too_large", uri);
    }
    assert_eq!(entry_count(&app, "c-1001").await, 0);
}
