//! A merchant in the console: sign in, find a member, adjust their points and see the
//! balance change; a read key sees no button that writes; a post without the form's
//! CSRF token is refused.

use crate::chrome::{Browser, api};
use reqwest::Method;
use serde_json::json;

/// Two members with purchases, so that the dashboard and the lists have something to show.
async fn seed(browser: &Browser) {
    for (id, name, email, spend) in
        [("m-ann", "Ann Lee", "ann@example.com", 52_000), ("m-bob", "Bob Stone", "bob@example.com", 8_000)]
    {
        api(browser, Method::POST, "/v1/members", json!({"external_id": id, "name": name, "email": email}))
            .await;
        api(
            browser,
            Method::POST,
            "/v1/events",
            json!({"type": "purchase", "member": id, "order_id": format!("o-{id}"),
                   "lines": [{"sku": "coat", "quantity": 1, "unit_price_minor": spend}]}),
        )
        .await;
    }
}

async fn sign_in(browser: &Browser, key: &str) {
    browser.open("/console/").await;
    browser.arrive("/console/sign-in").await;
    browser.fill("#key", key).await;
    browser.click("form button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_signs_in_finds_a_member_and_adjusts_their_points() {
    let browser = Browser::start().await;
    seed(&browser).await;

    browser.open("/console/sign-in").await;
    browser.screenshots("console-sign-in").await;
    browser.fill("#key", "lk_not_a_key_of_this_program").await;
    browser.click("form button[type=submit]").await;
    assert_eq!(browser.text(".error").await, "This key is not valid: unknown, revoked or expired.");

    sign_in(&browser, &browser.server.key.clone()).await;
    browser.arrive("/console/").await;
    assert_eq!(browser.text(".bar .brand").await, "Maison Lumière Club");
    // The welcome bonuses (100 each) and the purchases' points, as the KPI report has them.
    let kpis = api(&browser, Method::GET, "/v1/reports/kpis", json!(null)).await;
    let issued = kpis["points_earned"].as_i64().unwrap();
    assert!(issued > 200, "{kpis}");
    assert_eq!(browser.text("#issued").await, loyalty_points(issued));
    assert_eq!(browser.text("#active-30").await, "2");
    assert!(browser.has("svg.chart rect.earned").await);
    browser.screenshots("console-dashboard").await;

    browser.click("nav a[href='/console/members']").await;
    browser.fill("#q", "ann").await;
    browser.click("form[role=search] button").await;
    browser.arrive("/console/members?q=ann&*").await;
    let rows = browser.client.find_all(fantoccini::Locator::Css("#members tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(browser.text("#members tbody tr td:nth-child(2)").await, "Ann Lee");
    browser.screenshots("console-members").await;

    browser.click("#members tbody tr a").await;
    browser.arrive("/console/members/m-ann").await;
    let before = api(&browser, Method::GET, "/v1/members/m-ann", json!(null)).await["balance"]["available"]
        .as_i64()
        .unwrap();
    assert_eq!(browser.text("#available").await, loyalty_points(before));

    browser.fill("#points", "50").await;
    browser.fill("#reason", "Parcel arrived late").await;
    browser.click("input[name=confirmed]").await;
    browser.click("#adjust").await;
    browser.arrive("/console/members/m-ann?done=adjusted").await;
    assert_eq!(browser.text(".notice").await, "The adjustment is booked.");
    assert_eq!(browser.text("#available").await, loyalty_points(before + 50));
    // The newest ledger row is the adjustment, with the balance after it.
    assert_eq!(browser.text("#ledger tbody tr:first-child td:nth-child(2)").await, "adjustment");
    assert_eq!(browser.text("#ledger tbody tr:first-child td:nth-child(3)").await, "Parcel arrived late");
    assert_eq!(browser.text("#ledger tbody tr:first-child td:nth-child(4)").await, "50");
    assert_eq!(
        browser.text("#ledger tbody tr:first-child td:nth-child(5)").await,
        loyalty_points(before + 50)
    );
    browser.screenshots("console-member").await;

    // The audit trail names the key that made the adjustment through the console.
    let audit = api(&browser, Method::GET, "/v1/audit?action=adjust", json!(null)).await;
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{audit}");
    assert!(entries[0]["actor"].as_str().unwrap().starts_with("key:"), "{audit}");

    browser.click(".signout button").await;
    browser.arrive("/console/sign-in").await;
    browser.open("/console/members").await;
    browser.arrive("/console/sign-in").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_key_sees_no_write_buttons_and_a_post_without_the_csrf_token_is_refused() {
    let browser = Browser::start().await;
    seed(&browser).await;
    let made = api(&browser, Method::POST, "/v1/keys", json!({"name": "auditor", "role": "read"})).await;
    sign_in(&browser, made["secret"].as_str().unwrap()).await;
    browser.arrive("/console/").await;
    assert_eq!(browser.text(".signout .muted").await, "auditor (read)");
    browser.open("/console/members/m-bob").await;
    assert_eq!(browser.text("h1").await, "Bob Stone active");
    assert!(!browser.has("#adjust").await);
    assert!(!browser.has("form[action$='/status']").await);
    assert!(!browser.has("#portal-link").await);

    // A post from the page's own origin, with the session cookie but without the token.
    let status = browser
        .client
        .execute_async(
            "const done = arguments[0];
             fetch('/console/members/m-bob/adjust', {method: 'POST',
                   headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                   body: 'points=5&reason=sneaky'}).then(r => done(r.status));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(status, json!(403));
    let bob = api(&browser, Method::GET, "/v1/members/m-bob/ledger", json!(null)).await;
    assert!(bob["entries"].as_array().unwrap().iter().all(|e| e["kind"] != "adjustment"), "{bob}");
    browser.close().await;
}

fn loyalty_points(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
