//! Webhooks against a real local receiver: a delivery is written with its event, signed,
//! retried after failures with the same event id, given up after a day, and sent again on
//! demand; a refused event sends nothing.

use super::*;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use loyalty_server::secrets::hmac_sha256_hex;
use loyalty_testkit::{TestDb, at, each_backend};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

each_backend!(deliveries_are_signed_retried_given_up_and_replayed);

/// What the receiver saw: (path, event id, timestamp, signature, body).
type Seen = Arc<Mutex<Vec<(String, String, String, String, String)>>>;

#[derive(Clone)]
struct Receiver {
    seen: Seen,
    /// How many times `/hook` saw each event id: it fails the first two of each.
    tries: Arc<Mutex<std::collections::HashMap<String, usize>>>,
    /// `/dead` fails until this is set.
    dead_ok: Arc<AtomicBool>,
}

async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    note(&r, "/hook", &headers, &body);
    let id = headers.get("loyalty-event-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let mut tries = r.tries.lock().unwrap();
    let seen = tries.entry(id).or_default();
    *seen += 1;
    if *seen <= 2 { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK }
}

async fn dead(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    note(&r, "/dead", &headers, &body);
    if r.dead_ok.load(Ordering::SeqCst) { StatusCode::NO_CONTENT } else { StatusCode::SERVICE_UNAVAILABLE }
}

fn note(r: &Receiver, path: &str, headers: &HeaderMap, body: &Bytes) {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    r.seen.lock().unwrap().push((
        path.to_owned(),
        header("loyalty-event-id"),
        header("loyalty-timestamp"),
        header("loyalty-signature"),
        String::from_utf8_lossy(body).into_owned(),
    ));
}

async fn receiver() -> (String, Receiver) {
    let r = Receiver { seen: Seen::default(), tries: Arc::default(), dead_ok: Arc::default() };
    let router = Router::new().route("/hook", post(hook)).route("/dead", post(dead)).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base, r)
}

async fn dispatch(app: &TestApp) -> Value {
    let ran = app.post("/v1/webhooks/dispatch", json!({})).await;
    assert_eq!(ran.status, 200, "{:?}", ran.body);
    ran.body["report"].clone()
}

fn report(delivered: u64, retrying: u64, given_up: u64) -> Value {
    json!({"delivered": delivered, "retrying": retrying, "given_up": given_up})
}

async fn deliveries_are_signed_retried_given_up_and_replayed(db: TestDb) {
    let (base, receiver) = receiver().await;
    let app = TestApp::start(db).await;
    app.clock.set(at("2026-11-02T12:00:00Z"));
    let secret = "a-shared-secret-of-some-length";
    let made = app
        .post(
            "/v1/webhooks",
            json!({"url": format!("{base}/hook"), "event_types": ["points_earned", "points_redeemed"], "secret": secret}),
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(made.body["secret"], secret);
    let dead_hook = app
        .post("/v1/webhooks", json!({"url": format!("{base}/dead"), "event_types": ["member_enrolled"]}))
        .await;
    assert!(dead_hook.body["secret"].as_str().unwrap().starts_with("whsec_"));
    for (body, message) in [
        (
            json!({"url": "ftp://x", "event_types": ["points_earned"]}),
            "url: must be an absolute http(s) URL with a host",
        ),
        (json!({"url": base, "event_types": ["points_lost"]}), "event_types: `points_lost` is not one of"),
        (json!({"url": base, "event_types": []}), "event_types: name at least one"),
    ] {
        let refused = app.post("/v1/webhooks", body).await;
        assert_eq!((refused.status, refused.code()), (422, "invalid_request"));
        assert!(
            refused.body["error"]["message"].as_str().unwrap().starts_with(message),
            "{:?}",
            refused.body
        );
    }
    let listed = app.get("/v1/webhooks").await.body;
    assert_eq!(listed["webhooks"].as_array().unwrap().len(), 2);
    assert!(listed["webhooks"][0].get("secret").is_none(), "a listed secret: {listed}");

    // An enrolment (for /dead), a purchase (for /hook), and a refused redemption (nothing).
    assert_eq!(app.post("/v1/members", json!({"external_id": "c-1001"})).await.status, 201);
    assert_eq!(app.post("/v1/events", order_o1()).await.status, 201);
    let refused = app.post("/v1/members/c-1001/redemptions", json!({"reward": "free-drink"})).await;
    assert_eq!(refused.status, 201, "{:?}", refused.body);
    let again = app.post("/v1/members/c-1001/redemptions", json!({"reward": "free-drink"})).await;
    assert_eq!(again.code(), "insufficient_points");
    let log = app.get("/v1/webhooks/deliveries").await.body;
    let types: Vec<&str> =
        log["deliveries"].as_array().unwrap().iter().map(|d| d["event_type"].as_str().unwrap()).collect();
    assert_eq!(types, ["points_redeemed", "points_earned", "member_enrolled"]);

    // /hook fails each event twice, /dead always: the first wait is 8 to 12 seconds, the
    // second 16 to 24.
    assert_eq!(dispatch(&app).await, report(0, 3, 0));
    assert_eq!(dispatch(&app).await, report(0, 0, 0), "nothing is due again at once");
    app.clock.set(at("2026-11-02T12:00:13Z"));
    assert_eq!(dispatch(&app).await, report(0, 3, 0));
    app.clock.set(at("2026-11-02T12:00:38Z"));
    assert_eq!(dispatch(&app).await, report(2, 1, 0));

    let seen = receiver.seen.lock().unwrap().clone();
    let earned: Vec<_> = seen.iter().filter(|s| s.0 == "/hook" && s.4.contains("points_earned")).collect();
    assert_eq!(earned.len(), 3, "three attempts at the purchase's delivery");
    assert!(earned.iter().all(|s| s.1 == earned[0].1), "one event id across retries");
    for (_, id, timestamp, sig, body) in &seen {
        assert_eq!(
            sig,
            &format!(
                "v1={}",
                hmac_sha256_hex(
                    secret_of(&seen, &made, &dead_hook, body).as_bytes(),
                    format!("{timestamp}.{body}").as_bytes()
                )
            )
        );
        let sent: Value = serde_json::from_str(body).unwrap();
        assert_eq!(&sent["id"], &json!(id));
    }
    let last = earned.last().unwrap();
    assert_eq!(last.2, "1793620838");
    let sent: Value = serde_json::from_str(&last.4).unwrap();
    assert_eq!(
        (&sent["type"], &sent["data"]["member"], &sent["data"]["outcome"]["points_awarded"]),
        (&json!("points_earned"), &json!("c-1001"), &json!(160))
    );
    let id: i64 = last.1.trim_start_matches("evt_").parse().unwrap();
    let shown = app.get(&format!("/v1/webhooks/deliveries/{id}")).await.body;
    assert_eq!((&shown["state"], &shown["attempts"]), (&json!("delivered"), &json!(3)));
    let statuses: Vec<i64> =
        shown["attempt_log"].as_array().unwrap().iter().map(|a| a["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [500, 500, 200]);

    // A day later /dead is given up; fixed and replayed, it is delivered.
    app.clock.set(at("2026-11-03T12:00:01Z"));
    assert_eq!(dispatch(&app).await, report(0, 0, 1));
    let failed = app.get("/v1/webhooks/deliveries?state=failed").await.body;
    let dead_id = failed["deliveries"][0]["id"].as_i64().unwrap();
    assert_eq!(failed["deliveries"][0]["event_type"], "member_enrolled");
    receiver.dead_ok.store(true, Ordering::SeqCst);
    assert_eq!(app.post(&format!("/v1/webhooks/deliveries/{dead_id}/replay"), json!({})).await.status, 200);
    assert_eq!(dispatch(&app).await, report(1, 0, 0));
    let replayed = app.get(&format!("/v1/webhooks/deliveries/{dead_id}")).await.body;
    assert_eq!(replayed["state"], "delivered");
    let missing = app.post("/v1/webhooks/deliveries/999999/replay", json!({})).await;
    assert_eq!((missing.status, missing.code()), (404, "not_found"));
    for path in
        ["/v1/webhooks/deliveries/abc", "/v1/webhooks/deliveries?limit=0", "/v1/webhooks/deliveries?before=x"]
    {
        let bad = app.get(path).await;
        assert_eq!((bad.status, bad.code()), (422, "invalid_request"), "{path}");
    }

    // A removed subscription gets nothing more.
    let hook_id = made.body["id"].as_i64().unwrap();
    assert_eq!(
        app.send_as(&app.key, axum::http::Method::DELETE, &format!("/v1/webhooks/{hook_id}"), None)
            .await
            .status,
        200
    );
    let order = json!({"type": "purchase", "member": "c-1001", "order_id": "o-2", "occurred_at": "2026-11-03T12:00:00Z",
        "lines": [{"sku": "latte", "category": "coffee", "quantity": 1, "unit_price_minor": 475}]});
    assert_eq!(app.post("/v1/events", order).await.status, 201);
    assert_eq!(dispatch(&app).await, report(0, 0, 0));

    let scraped = app.get("/metrics").await;
    let text = scraped.body.as_str().unwrap();
    for line in [
        "loyalty_webhook_deliveries{state=\"pending\"} 0",
        "loyalty_webhook_deliveries{state=\"delivered\"} 3",
        "loyalty_webhook_deliveries{state=\"failed\"} 0",
    ] {
        assert!(text.lines().any(|l| l == line), "no `{line}` in {text}");
    }
}

/// The secret of the subscription a body was sent to: /dead's was generated.
fn secret_of(
    _seen: &[(String, String, String, String, String)],
    hook: &loyalty_testkit::TestResponse,
    dead: &loyalty_testkit::TestResponse,
    body: &str,
) -> String {
    let of = |r: &loyalty_testkit::TestResponse| r.body["secret"].as_str().unwrap().to_owned();
    if body.contains("member_enrolled") { of(dead) } else { of(hook) }
}
