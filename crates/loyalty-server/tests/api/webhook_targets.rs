//! Webhook targets on a server run without `--allow-private-webhooks`: URLs that are not
//! https, carry credentials or resolve to internal addresses are refused when subscribed
//! and again before each send, and credentials are never listed. Only names are resolved;
//! nothing is sent to any address but 127.0.0.1.

use super::*;
use loyalty_server::WebhookSettings;
use loyalty_store::Store;
use loyalty_testkit::{TestDb, each_backend};
use std::time::Duration;

each_backend!(unsafe_webhook_urls_are_refused_when_subscribed);
each_backend!(an_internal_target_is_refused_at_send_before_connecting);

async fn strict(db: TestDb) -> TestApp {
    TestApp::start_with_webhooks(db, WebhookSettings::default()).await
}

async fn unsafe_webhook_urls_are_refused_when_subscribed(db: TestDb) {
    let app = strict(db).await;
    let internal = "a loopback, private, link-local or unspecified address";
    for (url, message) in [
        ("http://example.com/hook", "url: the URL must use https, not `http`".to_owned()),
        (
            "https://169.254.169.254/latest/meta-data",
            format!("url: the host `169.254.169.254` resolves to 169.254.169.254, {internal}"),
        ),
        ("https://10.0.0.1/hook", format!("url: the host `10.0.0.1` resolves to 10.0.0.1, {internal}")),
        ("https://[::1]/hook", format!("url: the host `[::1]` resolves to ::1, {internal}")),
        (
            "https://user:pw@example.com/hook",
            "url: the URL must not carry a user name or password".to_owned(),
        ),
    ] {
        let refused = app.post("/v1/webhooks", json!({"url": url, "event_types": ["points_earned"]})).await;
        assert_eq!(
            (refused.status, refused.code()),
            (422, "webhook_url_refused"),
            "{url}: {:?}",
            refused.body
        );
        assert_eq!(refused.body["error"]["message"], message, "{url}");
    }
    // A name is refused for what it resolves to: localhost is loopback (v4 or v6).
    let refused = app
        .post("/v1/webhooks", json!({"url": "https://localhost:8443/h", "event_types": ["points_earned"]}))
        .await;
    assert_eq!((refused.status, refused.code()), (422, "webhook_url_refused"));
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("url: the host `localhost` resolves to "), "{message}");
    assert!(message.ends_with(internal), "{message}");
    // A malformed URL is still an ordinary invalid request, and is not echoed.
    let bad =
        app.post("/v1/webhooks", json!({"url": "ftp://u:secret@x", "event_types": ["points_earned"]})).await;
    assert_eq!((bad.status, bad.code()), (422, "invalid_request"));
    assert!(!bad.body.to_string().contains("secret@"), "{:?}", bad.body);
    assert_eq!(app.get("/v1/webhooks").await.body["webhooks"], json!([]), "nothing refused is stored");

    // A public https address (a documentation one, TEST-NET-1) is taken; nothing is sent
    // to it, as no event follows.
    let made = app
        .post("/v1/webhooks", json!({"url": "https://192.0.2.10/hook", "event_types": ["points_earned"]}))
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    // One stored before credentials were refused is listed without them.
    let program = app.store.programs().await.unwrap()[0].id;
    let types = ["points_earned".to_owned()];
    let now = app.clock.now();
    app.store
        .add_webhook(program, "https://user:pw@192.0.2.10/old", "s3cret-s3cret-s3", &types, now)
        .await
        .unwrap();
    let listed = app.get("/v1/webhooks").await.body;
    let urls: Vec<&str> =
        listed["webhooks"].as_array().unwrap().iter().map(|w| w["url"].as_str().unwrap()).collect();
    assert_eq!(urls, ["https://192.0.2.10/hook", "https://192.0.2.10/old"]);
    assert!(!listed.to_string().contains("pw"), "{listed}");
}

async fn an_internal_target_is_refused_at_send_before_connecting(db: TestDb) {
    let app = strict(db).await;
    // Stands where a receiver would; it must see no connection at all.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Stored as they might have been before the rule, or when a name resolved elsewhere.
    let program = app.store.programs().await.unwrap()[0].id;
    let types = ["member_enrolled".to_owned()];
    let now = app.clock.now();
    for url in [format!("https://localhost:{port}/hook"), format!("http://127.0.0.1:{port}/hook")] {
        app.store.add_webhook(program, &url, "s3cret-s3cret-s3", &types, now).await.unwrap();
    }
    assert_eq!(app.post("/v1/members", json!({"external_id": "c-1001"})).await.status, 201);

    let ran = app.post("/v1/webhooks/dispatch", json!({})).await;
    assert_eq!(ran.body["report"], json!({"delivered": 0, "retrying": 0, "given_up": 2}), "{:?}", ran.body);
    let failed = app.get("/v1/webhooks/deliveries?state=failed").await.body;
    let errors: Vec<&str> =
        failed["deliveries"].as_array().unwrap().iter().map(|d| d["last_error"].as_str().unwrap()).collect();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0], "refused: the URL must use https, not `http`");
    assert!(errors[1].starts_with("refused: the host `localhost` resolves to "), "{}", errors[1]);
    let attempts = app.get(&format!("/v1/webhooks/deliveries/{}", failed["deliveries"][1]["id"])).await.body;
    assert_eq!(attempts["attempt_log"][0]["status"], Value::Null);
    let connected = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
    assert!(connected.is_err(), "the refused target was connected to");
}
