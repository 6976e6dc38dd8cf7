//! Webhooks reach HTTPS receivers: trusted by a CA given as a PEM bundle (what
//! `SSL_CERT_FILE` names for `loyalty serve`), and refused without it.

use super::*;
use loyalty_server::WebhookSettings;
use loyalty_testkit::{HttpsReceiver, TestDb};
use std::sync::atomic::Ordering;

async fn subscribe_and_enrol(app: &TestApp, url: &str) {
    let made = app.post("/v1/webhooks", json!({"url": url, "event_types": ["member_enrolled"]})).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(app.post("/v1/members", json!({"external_id": "c-1001"})).await.status, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_reaches_an_https_receiver_whose_ca_is_given() {
    let (https, seen) = HttpsReceiver::counting().await;
    let settings = WebhookSettings {
        allow_private: true,
        ca_file: Some(https.ca_file.clone()),
        ..WebhookSettings::default()
    };
    let app = TestApp::start_with_webhooks(TestDb::sqlite(), settings).await;
    subscribe_and_enrol(&app, &format!("{}/hook", https.base)).await;
    let ran = app.post("/v1/webhooks/dispatch", json!({})).await;
    assert_eq!(ran.body["report"], json!({"delivered": 1, "retrying": 0, "given_up": 0}), "{:?}", ran.body);
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    let log = app.get("/v1/webhooks/deliveries").await.body;
    assert_eq!(
        (&log["deliveries"][0]["state"], &log["deliveries"][0]["last_status"]),
        (&json!("delivered"), &json!(204))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_receiver_of_an_unknown_ca_is_not_trusted() {
    let (https, seen) = HttpsReceiver::counting().await;
    let settings = WebhookSettings { allow_private: true, ..WebhookSettings::default() };
    let app = TestApp::start_with_webhooks(TestDb::sqlite(), settings).await;
    subscribe_and_enrol(&app, &format!("{}/hook", https.base)).await;
    let ran = app.post("/v1/webhooks/dispatch", json!({})).await;
    assert_eq!(ran.body["report"], json!({"delivered": 0, "retrying": 1, "given_up": 0}), "{:?}", ran.body);
    assert_eq!(seen.load(Ordering::SeqCst), 0);
    let log = app.get("/v1/webhooks/deliveries").await.body;
    let error = log["deliveries"][0]["last_error"].as_str().unwrap();
    assert!(error.contains("certificate"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_ca_bundle_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-pem.txt");
    std::fs::write(&file, "not a certificate").unwrap();
    let db = TestDb::sqlite();
    let store = db.connect().await;
    let settings = loyalty_server::Settings {
        program_files: vec![loyalty_testkit::coffee_path()],
        webhooks: WebhookSettings { ca_file: Some(file.clone()), ..WebhookSettings::default() },
        ..Default::default()
    };
    let failed = loyalty_server::start(store, &settings, loyalty_server::Clock::system()).await;
    let message = failed.map(|_| ()).unwrap_err().to_string();
    assert!(message.contains("not-pem.txt") && message.contains("SSL_CERT_FILE"), "{message}");
}
