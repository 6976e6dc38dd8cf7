//! How a dispatch round sends: a receiver that never answers holds up no other subscriber,
//! each delivery is signed as it is sent, a removed subscription's deliveries are
//! cancelled, and `POST /v1/webhooks/dispatch` sends only the caller's program's.

use super::*;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::post;
use loyalty_server::WebhookSettings;
use loyalty_server::webhooks::signature;
use loyalty_store::{Role, Store};
use loyalty_testkit::{TestDb, at, bistro_path, each_backend};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

each_backend!(a_receiver_that_never_answers_holds_up_no_other_subscriber);
each_backend!(each_delivery_is_signed_when_it_is_sent);
each_backend!(removing_a_webhook_cancels_its_pending_deliveries);
each_backend!(dispatch_sends_only_the_callers_programs_deliveries);

/// What a receiver saw: (path, timestamp header, signature header, body, when).
type Seen = Arc<Mutex<Vec<(String, String, String, String, Instant)>>>;

#[derive(Clone, Default)]
struct Receiver {
    seen: Seen,
    /// Told when a request comes to `/held`, which then waits to be let go.
    arrived: Option<mpsc::UnboundedSender<()>>,
    release: Arc<Mutex<Option<oneshot::Receiver<()>>>>,
}

fn note(r: &Receiver, path: &str, headers: &HeaderMap, body: &Bytes) {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body = String::from_utf8_lossy(body).into_owned();
    let seen =
        (path.to_owned(), header("loyalty-timestamp"), header("loyalty-signature"), body, Instant::now());
    r.seen.lock().unwrap().push(seen);
}

async fn fine(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    note(&r, "/fine", &headers, &body);
    StatusCode::OK
}

async fn other(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    note(&r, "/other", &headers, &body);
    StatusCode::OK
}

/// The first request is held until the test lets it go; later ones answer at once.
async fn held(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    note(&r, "/held", &headers, &body);
    let waiting = r.release.lock().unwrap().take();
    if let Some(waiting) = waiting {
        if let Some(arrived) = &r.arrived {
            arrived.send(()).unwrap();
        }
        let _ = waiting.await;
    }
    StatusCode::OK
}

async fn receiver(r: Receiver) -> String {
    let router = Router::new()
        .route("/fine", post(fine))
        .route("/other", post(other))
        .route("/held", post(held))
        .with_state(r);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

/// Accepts connections and never answers on them.
async fn silent() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut kept = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            kept.push(socket);
        }
    });
    base
}

async fn subscribe(app: &TestApp, url: &str) -> (i64, String) {
    let made = app.post("/v1/webhooks", json!({"url": url, "event_types": ["member_enrolled"]})).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    (made.body["id"].as_i64().unwrap(), made.body["secret"].as_str().unwrap().to_owned())
}

async fn enrol(app: &TestApp, who: &str) {
    assert_eq!(app.post("/v1/members", json!({"external_id": who})).await.status, 201);
}

async fn a_receiver_that_never_answers_holds_up_no_other_subscriber(db: TestDb) {
    let timeout = Duration::from_secs(3);
    let settings =
        WebhookSettings { allow_private: true, timeout: Some(timeout), ..WebhookSettings::default() };
    let app = TestApp::start_with_webhooks(db, settings).await;
    let r = Receiver::default();
    let base = receiver(r.clone()).await;
    // The silent one is subscribed first, so a round that went in order would wait on it.
    let (silent_id, _) = subscribe(&app, &format!("{}/hook", silent().await)).await;
    subscribe(&app, &format!("{base}/fine")).await;
    enrol(&app, "c-1").await;
    enrol(&app, "c-2").await;

    let started = Instant::now();
    let ran = app.post("/v1/webhooks/dispatch", json!({})).await;
    let took = started.elapsed();
    // Both of /fine's, at once; the silent one's first timed out and its second waits for
    // the retry rather than costing another timeout.
    assert_eq!(ran.body["report"], json!({"delivered": 2, "retrying": 1, "given_up": 0}), "{:?}", ran.body);
    let seen = r.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for (_, _, _, _, when) in &seen {
        let after = when.duration_since(started);
        assert!(
            after < Duration::from_millis(1500),
            "/fine got its delivery {after:?} after the round began"
        );
    }
    assert!(took >= timeout && took < timeout + Duration::from_secs(2), "the round took {took:?}");

    let log = app.get("/v1/webhooks/deliveries?state=pending").await.body;
    let mut silent_ones: Vec<(i64, Value)> = log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["subscription_id"] == silent_id)
        .map(|d| (d["attempts"].as_i64().unwrap(), d["last_error"].clone()))
        .collect();
    silent_ones.sort_by_key(|(attempts, _)| *attempts);
    assert_eq!(silent_ones.len(), 2);
    assert_eq!(silent_ones[0], (0, Value::Null));
    assert_eq!(silent_ones[1].0, 1);
    assert!(silent_ones[1].1.as_str().unwrap().starts_with("timed out"), "{:?}", silent_ones[1]);
}

async fn each_delivery_is_signed_when_it_is_sent(db: TestDb) {
    let app = TestApp::start(db).await;
    let (arrived_tx, mut arrived) = mpsc::unbounded_channel();
    let (release, released) = oneshot::channel();
    let r = Receiver {
        arrived: Some(arrived_tx),
        release: Arc::new(Mutex::new(Some(released))),
        ..Receiver::default()
    };
    let base = receiver(r.clone()).await;
    let (_, secret) = subscribe(&app, &format!("{base}/held")).await;
    app.clock.set(at("2026-11-02T12:00:00Z"));
    enrol(&app, "c-1").await;
    enrol(&app, "c-2").await;

    // The first delivery is held by its receiver while 90 seconds pass; the second is
    // signed when it goes, not when the round began.
    let (ran, ()) = tokio::join!(app.post("/v1/webhooks/dispatch", json!({})), async {
        arrived.recv().await.unwrap();
        app.clock.set(at("2026-11-02T12:01:30Z"));
        release.send(()).unwrap();
    });
    assert_eq!(ran.body["report"], json!({"delivered": 2, "retrying": 0, "given_up": 0}), "{:?}", ran.body);
    let seen = r.seen.lock().unwrap().clone();
    let stamps: Vec<&str> = seen.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(stamps, ["1793620800", "1793620890"]);
    for (_, stamp, sig, body, _) in &seen {
        assert_eq!(sig, &signature(&secret, stamp.parse().unwrap(), body));
    }
    let log = app.get("/v1/webhooks/deliveries").await.body;
    let delivered_at: Vec<&str> =
        log["deliveries"].as_array().unwrap().iter().map(|d| d["delivered_at"].as_str().unwrap()).collect();
    assert_eq!(delivered_at, ["2026-11-02T12:01:30Z", "2026-11-02T12:00:00Z"]);
}

async fn removing_a_webhook_cancels_its_pending_deliveries(db: TestDb) {
    let app = TestApp::start(db).await;
    let r = Receiver::default();
    let base = receiver(r.clone()).await;
    let (removed, _) = subscribe(&app, &format!("{base}/fine")).await;
    let (kept, _) = subscribe(&app, &format!("{base}/other")).await;
    enrol(&app, "c-1").await;
    let ran = app.post("/v1/webhooks/dispatch", json!({})).await;
    assert_eq!(ran.body["report"], json!({"delivered": 2, "retrying": 0, "given_up": 0}));
    enrol(&app, "c-2").await;
    enrol(&app, "c-3").await;

    let gone = app.send_as(&app.key, Method::DELETE, &format!("/v1/webhooks/{removed}"), None).await;
    assert_eq!(gone.status, 200, "{:?}", gone.body);
    let cancelled = app.get("/v1/webhooks/deliveries?state=cancelled").await.body;
    let ids: Vec<(i64, i64)> = cancelled["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["subscription_id"].as_i64().unwrap(), d["attempts"].as_i64().unwrap()))
        .collect();
    assert_eq!(ids, [(removed, 0), (removed, 0)], "{cancelled}");
    let pending = app.get("/v1/webhooks/deliveries?state=pending").await.body;
    assert!(pending["deliveries"].as_array().unwrap().iter().all(|d| d["subscription_id"] == kept));
    assert_eq!(pending["deliveries"].as_array().unwrap().len(), 2);
    let delivered = app.get("/v1/webhooks/deliveries?state=delivered").await.body;
    assert_eq!(delivered["deliveries"].as_array().unwrap().len(), 2, "what was delivered stays delivered");

    let ran = app.post("/v1/webhooks/dispatch", json!({})).await;
    assert_eq!(ran.body["report"], json!({"delivered": 2, "retrying": 0, "given_up": 0}));
    let paths: Vec<String> = r.seen.lock().unwrap().iter().map(|s| s.0.clone()).collect();
    assert_eq!(paths.iter().filter(|p| *p == "/fine").count(), 1, "{paths:?}");
    assert_eq!(paths.iter().filter(|p| *p == "/other").count(), 3, "{paths:?}");

    // A cancelled delivery is not sent again on demand either.
    let one = cancelled["deliveries"][0]["id"].as_i64().unwrap();
    let replay = app.post(&format!("/v1/webhooks/deliveries/{one}/replay"), json!({})).await;
    assert_eq!((replay.status, replay.code()), (404, "not_found"));
    let shown = app.get(&format!("/v1/webhooks/deliveries/{one}")).await.body;
    assert_eq!(shown["state"], "cancelled");
    let scraped = app.get("/metrics").await;
    let text = scraped.body.as_str().unwrap();
    assert!(text.lines().any(|l| l == "loyalty_webhook_deliveries{state=\"cancelled\"} 2"), "{text}");
}

async fn dispatch_sends_only_the_callers_programs_deliveries(db: TestDb) {
    let app = TestApp::start(db).await;
    let bistro = loyalty_server::program_file::load(&bistro_path()).unwrap();
    app.store.install_program(bistro.definition(), app.clock.now()).await.unwrap();
    let app = app.restart(None).await;
    let mut keys = Vec::new();
    for (i, program) in app.store.programs().await.unwrap().iter().enumerate() {
        let key = format!("lk_admin_key_for_program_{i}_tests");
        app.store
            .add_api_key(program.id, Role::Admin, "admin", &key_hash(&key), app.clock.now())
            .await
            .unwrap();
        keys.push(key);
    }
    assert_eq!(keys.len(), 2);
    let r = Receiver::default();
    let base = receiver(r.clone()).await;
    for (key, path) in keys.iter().zip(["/fine", "/other"]) {
        let body = json!({"url": format!("{base}{path}"), "event_types": ["member_enrolled"]});
        let made = app.send_as(key, Method::POST, "/v1/webhooks", Some(body)).await;
        assert_eq!(made.status, 201, "{:?}", made.body);
        let enrolled =
            app.send_as(key, Method::POST, "/v1/members", Some(json!({"external_id": "c-1"}))).await;
        assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
    }

    let ran = app.send_as(&keys[0], Method::POST, "/v1/webhooks/dispatch", Some(json!({}))).await;
    assert_eq!(ran.body["report"], json!({"delivered": 1, "retrying": 0, "given_up": 0}), "{:?}", ran.body);
    let paths = |r: &Receiver| r.seen.lock().unwrap().iter().map(|s| s.0.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&r), ["/fine"]);
    let other = app.send_as(&keys[1], Method::GET, "/v1/webhooks/deliveries?state=pending", None).await;
    assert_eq!(other.body["deliveries"].as_array().unwrap().len(), 1, "the other program's waits");

    let ran = app.send_as(&keys[1], Method::POST, "/v1/webhooks/dispatch", Some(json!({}))).await;
    assert_eq!(ran.body["report"], json!({"delivered": 1, "retrying": 0, "given_up": 0}));
    assert_eq!(paths(&r), ["/fine", "/other"]);
}

use loyalty_server::secrets::key_hash;
