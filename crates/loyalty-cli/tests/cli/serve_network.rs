//! `loyalty serve` on the network: webhooks reach an HTTPS receiver whose CA is named by
//! `SSL_CERT_FILE`, or reach nobody with `--webhook-delivery off`, and the process raises
//! its open-file limit and caps its connections.

use super::*;
use loyalty_testkit::{CountingListener, HttpsReceiver, coffee_path};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_reach_an_https_receiver_trusted_through_ssl_cert_file() {
    let (https, seen) = HttpsReceiver::counting().await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("hooks.db").display());
    let coffee = coffee_path().display().to_string();
    let ca = https.ca_file.display().to_string();
    let server = Server::start(
        &database,
        &["--program", &coffee, "--allow-private-webhooks", "--jobs-every", "0"],
        &[("SSL_CERT_FILE", &ca)],
        dir.path(),
    );
    assert!(server.banner.iter().any(|l| l.contains("--allow-private-webhooks")), "{:#?}", server.banner);
    let client = Client::new();
    let post = |path: &str, body: Value| {
        client.post(format!("{}{path}", server.base)).bearer_auth(&server.key).json(&body).send()
    };
    let made = post(
        "/v1/webhooks",
        json!({"url": format!("{}/hook", https.base), "event_types": ["member_enrolled"]}),
    )
    .await
    .unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);
    assert_eq!(
        post("/v1/members", json!({"external_id": "c-1001"})).await.unwrap().status(),
        StatusCode::CREATED
    );

    // The server's dispatcher sends it within a second or two, and records it delivered
    // once the receiver has answered: wait for the record, not only for the receiver.
    let started = Instant::now();
    let log = loop {
        let log = server.get_json(&client, "/v1/webhooks/deliveries").await;
        if log["deliveries"][0]["state"] == "delivered" || started.elapsed() > Duration::from_secs(10) {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    assert_eq!(log["deliveries"][0]["state"], "delivered", "{log}");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_webhook_delivery_off_serve_logs_deliveries_and_connects_to_nobody() {
    // A receiver on loopback, which the server may target (--allow-private-webhooks).
    let listener = CountingListener::start().await;
    let hook = format!("{}/hook", listener.base);
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("off.db").display());
    let coffee = coffee_path().display().to_string();
    let server = Server::start(
        &database,
        &["--program", &coffee, "--allow-private-webhooks", "--webhook-delivery", "off", "--jobs-every", "0"],
        &[],
        dir.path(),
    );
    assert!(server.banner.iter().any(|l| l.contains("--webhook-delivery off")), "{:#?}", server.banner);
    let client = Client::new();
    let post = |path: &str, body: Value| {
        client.post(format!("{}{path}", server.base)).bearer_auth(&server.key).json(&body).send()
    };
    let made = post("/v1/webhooks", json!({"url": hook, "event_types": ["member_enrolled"]})).await.unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);
    assert_eq!(
        post("/v1/members", json!({"external_id": "c-1001"})).await.unwrap().status(),
        StatusCode::CREATED
    );

    // The dispatcher runs every second: it logs the delivery, once, and sends nothing.
    let log_file = dir.path().join("server.log");
    let logged = "webhook delivery queued, not sent";
    let started = Instant::now();
    while !std::fs::read_to_string(&log_file).unwrap_or_default().contains(logged) {
        assert!(started.elapsed() < Duration::from_secs(10), "no line `{logged}` in the log");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let log = server.get_json(&client, "/v1/webhooks/deliveries").await;
    let delivery = &log["deliveries"][0];
    assert_eq!((&delivery["state"], &delivery["attempts"]), (&json!("pending"), &json!(0)), "{log}");
    assert_eq!(listener.accepted(), 0, "the server connected with delivery off");
    server.stop();
    let text = std::fs::read_to_string(&log_file).unwrap();
    assert_eq!(text.matches(logged).count(), 1, "{text}");
    assert!(text.contains("INFO"), "{text}");
}

#[tokio::test]
async fn serve_raises_its_open_file_limit_and_caps_its_connections() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("limits.db").display());
    let coffee = coffee_path().display().to_string();
    let server =
        Server::start(&database, &["--program", &coffee, "--max-connections", "50"], &[], dir.path());
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.pid())).unwrap();
    let files: Vec<&str> =
        limits.lines().find(|l| l.starts_with("Max open files")).unwrap().split_whitespace().collect();
    // "Max open files <soft> <hard> files": raised as far as the system allows.
    assert_eq!(files[3], files[4], "{limits}");
    assert!(
        server
            .banner
            .iter()
            .any(|l| l.contains("connections at most 50 at once; idle ones close after 10 s")),
        "{:#?}",
        server.banner
    );
    // Serving (and so listening for SIGTERM) before it is asked to stop.
    let health = Client::new().get(format!("{}/health", server.base)).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    server.stop();
}
