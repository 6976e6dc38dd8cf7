//! `loyalty serve --webhook-delivery off`: deliveries are queued with their events and
//! logged, and nothing connects anywhere. A loopback listener subscribed on a server that
//! allows private targets receives no connection from the API's dispatch nor from the
//! dispatcher's rounds, while its delivery stays pending and unattempted; the same queue
//! dispatched by a sender with delivery on does connect, so the listener would have seen
//! an attempt.

use super::*;
use loyalty_server::WebhookSettings;
use loyalty_server::webhooks::{DeliveryMode, Sender, dispatch_due};
use loyalty_testkit::{CountingListener, TestDb, at, each_backend};
use std::time::Duration;

each_backend!(with_delivery_off_nothing_connects_and_deliveries_stay_pending);
each_backend!(with_delivery_off_a_subscription_names_no_host_to_resolve);

fn off(allow_private: bool) -> WebhookSettings {
    WebhookSettings { allow_private, delivery: DeliveryMode::Off, ..WebhookSettings::default() }
}

async fn with_delivery_off_nothing_connects_and_deliveries_stay_pending(db: TestDb) {
    let app = TestApp::start_with_webhooks(db, off(true)).await;
    let listener = CountingListener::start().await;
    let base = &listener.base;
    let made = app
        .post("/v1/webhooks", json!({"url": format!("{base}/hook"), "event_types": ["member_enrolled"]}))
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(app.post("/v1/members", json!({"external_id": "c-1"})).await.status, 201);
    let queued = app.get("/v1/webhooks/deliveries").await.body["deliveries"][0].clone();
    assert_eq!((&queued["state"], &queued["attempts"]), (&json!("pending"), &json!(0)), "{queued}");

    // The API's dispatch sends nothing and says so.
    let ran = app.post("/v1/webhooks/dispatch", json!({})).await;
    assert_eq!(ran.status, 200, "{:?}", ran.body);
    assert_eq!(ran.body["report"], json!({"delivered": 0, "retrying": 0, "given_up": 0}));
    // The dispatcher's rounds, as `loyalty serve` runs them every second, over every
    // program, the clock moved on past any retry.
    let sender = Sender::new(&off(true)).unwrap();
    for hour in ["13", "14", "15"] {
        app.clock.set(at(&format!("2026-11-02T{hour}:00:00Z")));
        let report = dispatch_due(&app.store, &sender, &app.clock, None).await.unwrap();
        assert_eq!(report, Default::default());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(listener.accepted(), 0, "a connection was opened with delivery off");
    let after = app.get("/v1/webhooks/deliveries").await.body["deliveries"][0].clone();
    assert_eq!(after, queued, "the queue changed with delivery off");
    let detail = app.get(&format!("/v1/webhooks/deliveries/{}", queued["id"])).await.body;
    assert_eq!(detail["attempt_log"], json!([]));

    // The same queue with delivery on is sent: the listener would have seen a connection.
    let on = WebhookSettings { allow_private: true, timeout: Some(Duration::from_millis(300)), ..off(true) };
    let sender = Sender::new(&WebhookSettings { delivery: DeliveryMode::On, ..on }).unwrap();
    let report = dispatch_due(&app.store, &sender, &app.clock, None).await.unwrap();
    assert_eq!(report.retrying, 1, "{report:?}");
    assert_eq!(listener.accepted(), 1);
}

/// With nothing to send, a subscription's host name is not looked up (a later send with
/// delivery on checks it before connecting); an address written in the URL is still
/// refused when it is internal.
async fn with_delivery_off_a_subscription_names_no_host_to_resolve(db: TestDb) {
    let app = TestApp::start_with_webhooks(db, off(false)).await;
    let unresolvable = app
        .post(
            "/v1/webhooks",
            json!({"url": "https://receiver.invalid/hook", "event_types": ["member_enrolled"]}),
        )
        .await;
    assert_eq!(unresolvable.status, 201, "{:?}", unresolvable.body);
    let internal = app
        .post("/v1/webhooks", json!({"url": "https://127.0.0.1/hook", "event_types": ["member_enrolled"]}))
        .await;
    assert_eq!((internal.status, internal.code()), (422, "webhook_url_refused"), "{:?}", internal.body);
    let plain = app
        .post(
            "/v1/webhooks",
            json!({"url": "http://receiver.invalid/hook", "event_types": ["member_enrolled"]}),
        )
        .await;
    assert_eq!((plain.status, plain.code()), (422, "webhook_url_refused"), "{:?}", plain.body);
}
