//! Member tokens: made by a till for one member, good on that member's own routes only,
//! for their lifetime only, until the member's tokens are revoked.

use super::*;
use axum::http::Method;
use loyalty_testkit::{TestDb, at, each_backend};

each_backend!(
    a_member_token_reads_and_redeems_for_its_member_only,
    a_member_token_ends_when_it_expires_or_is_revoked,
);

async fn token_for(app: &TestApp, member: &str, body: Option<Value>) -> TestResponse {
    let path = format!("/v1/members/{member}/tokens");
    app.send(Method::POST, &path, body.map(|b| b.to_string()), &[]).await
}

async fn token(app: &TestApp, member: &str) -> String {
    let made = token_for(app, member, None).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    made.body["token"].as_str().unwrap().to_owned()
}

async fn a_member_token_reads_and_redeems_for_its_member_only(db: TestDb) {
    let app = with_purchase(db).await;
    assert_eq!(app.post("/v1/members", json!({"external_id": "c-2"})).await.status, 201);
    let made = token_for(&app, "c-1001", None).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(
        (&made.body["member"], &made.body["expires_at"]),
        (&json!("c-1001"), &json!("2026-11-02T13:00:00Z"))
    );
    let token = made.body["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("v4.local."), "{token}");

    let me = app.send_as(&token, Method::GET, "/v1/members/c-1001", None).await;
    assert_eq!((me.status, &me.body["balance"]["available"]), (200, &json!(160)), "{:?}", me.body);
    for path in [
        "ledger",
        "history",
        "tiers",
        "achievements",
        "streaks",
        "offers",
        "rewards",
        "codes",
        "leaderboards",
    ] {
        let got = app.send_as(&token, Method::GET, &format!("/v1/members/c-1001/{path}"), None).await;
        assert_eq!(got.status, 200, "{path}: {:?}", got.body);
    }
    let redeemed = app
        .send_as(
            &token,
            Method::POST,
            "/v1/members/c-1001/redemptions",
            Some(json!({"reward": "pastry-voucher"})),
        )
        .await;
    assert_eq!(redeemed.status, 201, "{:?}", redeemed.body);
    assert_eq!(available(&app, "c-1001").await, 100);
    let shown = app
        .send_as(
            &token,
            Method::PATCH,
            "/v1/members/c-1001",
            Some(json!({"leaderboard_opt_in": true, "nickname": "Ada"})),
        )
        .await;
    assert_eq!(shown.status, 200, "{:?}", shown.body);
    let email = app
        .send_as(&token, Method::PATCH, "/v1/members/c-1001", Some(json!({"email": "a@example.com"})))
        .await;
    assert_eq!((email.status, email.code()), (403, "forbidden"));

    // Another member is not found, whatever the route; other routes are not the token's.
    for (method, path) in [
        (Method::GET, "/v1/members/c-2"),
        (Method::GET, "/v1/members/c-2/ledger"),
        (Method::POST, "/v1/members/c-2/redemptions"),
        (Method::GET, "/v1/members/nobody"),
    ] {
        let got = app.send_as(&token, method, path, Some(json!({"reward": "pastry-voucher"}))).await;
        assert_eq!((got.status, got.code()), (404, "member_not_found"), "{path}");
    }
    for (method, path) in [
        (Method::GET, "/v1/program"),
        (Method::GET, "/v1/members"),
        (Method::POST, "/v1/events"),
        (Method::POST, "/v1/members/c-1001/adjustments"),
        (Method::POST, "/v1/members/c-1001/tokens"),
        (Method::GET, "/v1/keys"),
        (Method::GET, "/v1/reports/liability"),
    ] {
        let got = app.send_as(&token, method, path, Some(json!({"points": 1000}))).await;
        assert_eq!((got.status, got.code()), (403, "forbidden"), "{path}");
    }
    assert_eq!(available(&app, "c-1001").await, 100);

    // A token changed by one character is no token.
    let mut forged = token.clone().into_bytes();
    let last = forged.len() - 30;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let got = app.send_as(&forged, Method::GET, "/v1/members/c-1001", None).await;
    assert_eq!((got.status, got.code()), (401, "unauthorized"));
    let got = app.send_as("v4.local.nonsense", Method::GET, "/v1/members/c-1001", None).await;
    assert_eq!((got.status, got.code()), (401, "unauthorized"));
}

async fn a_member_token_ends_when_it_expires_or_is_revoked(db: TestDb) {
    let app = with_member(db).await;
    let made = token_for(&app, "c-1001", Some(json!({"ttl_seconds": 600}))).await;
    assert_eq!(made.body["expires_at"], "2026-11-02T12:10:00Z");
    let short = made.body["token"].as_str().unwrap().to_owned();
    for ttl in [59, 86_401] {
        let refused = token_for(&app, "c-1001", Some(json!({"ttl_seconds": ttl}))).await;
        assert_eq!((refused.status, refused.code()), (422, "invalid_request"), "{ttl}");
    }
    let missing = token_for(&app, "nobody", None).await;
    assert_eq!((missing.status, missing.code()), (404, "member_not_found"));
    let reader = app.add_key(loyalty_store::Role::Read).await;
    let by_reader = app.send_as(&reader, Method::POST, "/v1/members/c-1001/tokens", None).await;
    assert_eq!((by_reader.status, by_reader.code()), (403, "forbidden"));

    let hour = token(&app, "c-1001").await;
    app.clock.set(at("2026-11-02T12:10:00Z"));
    let expired = app.send_as(&short, Method::GET, "/v1/members/c-1001", None).await;
    assert_eq!((expired.status, expired.code()), (401, "unauthorized"));
    assert_eq!(app.send_as(&hour, Method::GET, "/v1/members/c-1001", None).await.status, 200);

    let revoked = app.send(Method::DELETE, "/v1/members/c-1001/tokens", None, &[]).await;
    assert_eq!(revoked.status, 200, "{:?}", revoked.body);
    assert_eq!(revoked.body, json!({"member": "c-1001", "revoked_at": "2026-11-02T12:10:00Z"}));
    let ended = app.send_as(&hour, Method::GET, "/v1/members/c-1001", None).await;
    assert_eq!((ended.status, ended.code()), (401, "unauthorized"));
    // A token made after the revocation works; a day on, under the program's next
    // secret, so does a new one, and the last day's token still until it expires.
    let after = token(&app, "c-1001").await;
    assert_eq!(app.send_as(&after, Method::GET, "/v1/members/c-1001", None).await.status, 200);
    let long = token_for(&app, "c-1001", Some(json!({"ttl_seconds": 86_400}))).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.clock.set(at("2026-11-03T12:05:00Z"));
    let next = token(&app, "c-1001").await;
    assert_ne!(next.rsplit('.').next(), after.rsplit('.').next(), "a day on, a new secret signs");
    assert_eq!(app.send_as(&next, Method::GET, "/v1/members/c-1001", None).await.status, 200);
    assert_eq!(app.send_as(&long, Method::GET, "/v1/members/c-1001", None).await.status, 200);
    app.clock.set(at("2026-11-03T12:10:00Z"));
    assert_eq!(app.send_as(&long, Method::GET, "/v1/members/c-1001", None).await.status, 401);
}
