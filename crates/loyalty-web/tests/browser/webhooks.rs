//! Webhooks in the console: a URL subscribed (its signing secret shown once), its
//! deliveries in the log, one sent again, the subscription ended.

use crate::chrome::{Browser, api};
use fantoccini::Locator;
use loyalty_testkit::CountingListener;
use reqwest::Method;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_is_subscribed_its_delivery_replayed_and_the_subscription_ended() {
    let browser = Browser::start().await;
    // A receiver on loopback that answers nobody: nothing leaves this machine.
    let receiver = CountingListener::start().await;
    browser.sign_in().await;
    browser.open("/console/settings/webhooks").await;
    browser.fill("#w-url", &format!("{}/hook", receiver.base)).await;
    browser.click("input[value=member_enrolled]").await;
    browser.click("#new-webhook button").await;
    let secret = browser.element("#signing-secret").await.prop("value").await.unwrap().unwrap();
    assert!(secret.len() >= 16, "{secret}");
    let listed = api(&browser, Method::GET, "/v1/webhooks", json!(null)).await;
    assert_eq!(listed["webhooks"][0]["event_types"], json!(["member_enrolled"]), "{listed}");
    assert_eq!(listed["webhooks"][0]["secret"], serde_json::Value::Null, "shown once only");

    api(&browser, Method::POST, "/v1/members", json!({"external_id": "m-ned"})).await;
    browser.open("/console/settings/webhooks").await;
    assert!(browser.text("#deliveries tbody tr").await.contains("member_enrolled"));
    browser.screenshots("console-webhooks").await;
    browser.click("#deliveries tbody tr button").await;
    browser.arrive("/console/settings/webhooks?done=replayed").await;
    let deliveries = api(&browser, Method::GET, "/v1/webhooks/deliveries", json!(null)).await;
    assert_eq!(deliveries["deliveries"][0]["state"], "pending", "{deliveries}");

    browser.click("#webhooks tbody tr input[name=confirmed]").await;
    browser.click("#webhooks tbody tr button").await;
    browser.arrive("/console/settings/webhooks?done=ended").await;
    assert_eq!(browser.text("#webhooks tbody tr").await, "No subscriptions.");
    let rows = browser.client.find_all(Locator::Css("#webhooks tbody tr td code")).await.unwrap();
    assert!(rows.is_empty());
    browser.close().await;
}
