//! Settings and the catalogue in the console: a key made (its secret shown once) and
//! revoked, the audit trail naming who did it, and a reward code looked up as a till would.

use crate::chrome::{Browser, api};
use fantoccini::Locator;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_makes_and_revokes_a_key_reads_the_trail_and_looks_up_a_code() {
    let browser = Browser::start().await;
    api(&browser, Method::POST, "/v1/members", json!({"external_id": "m-gus", "name": "Gus"})).await;
    api(
        &browser,
        Method::POST,
        "/v1/members/m-gus/adjustments",
        json!({"points": 900, "reason": "launch gift"}),
    )
    .await;
    let redeemed =
        api(&browser, Method::POST, "/v1/members/m-gus/redemptions", json!({"reward": "tote-bag"})).await;
    let code = redeemed["code"].as_str().unwrap().to_owned();

    browser.open("/console/sign-in").await;
    browser.fill("#key", &browser.server.key.clone()).await;
    browser.click("form button[type=submit]").await;
    browser.arrive("/console/").await;

    browser.click("nav a[href='/console/settings/keys']").await;
    browser.fill("#k-name", "till 4").await;
    browser.click("#new-key button").await;
    let secret = browser.element("#secret").await.prop("value").await.unwrap().unwrap();
    assert!(secret.starts_with("lk_"), "{secret}");
    let till = reqwest::Client::new();
    let as_till = |path: &str| till.get(browser.url(path)).bearer_auth(&secret).send();
    assert_eq!(as_till("/v1/members/m-gus").await.unwrap().status(), StatusCode::OK);
    let row = browser.text("#keys tbody tr:last-child").await;
    assert!(row.starts_with("till 4 pos"), "{row}");
    browser.screenshots("console-keys").await;
    // The secret is not on the page again.
    browser.open("/console/settings/keys").await;
    assert!(!browser.text("body").await.contains(&secret));
    assert!(!browser.has("#secret").await);

    // Rotated without a grace: the old secret stops, the new one (shown once) works.
    browser.element("#keys tbody tr:last-child .rotate button").await.click().await.unwrap();
    let rotated = browser.element("#secret").await.prop("value").await.unwrap().unwrap();
    assert_ne!(rotated, secret);
    assert_eq!(as_till("/v1/members/m-gus").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let as_rotated = till.get(browser.url("/v1/members/m-gus")).bearer_auth(&rotated).send().await.unwrap();
    assert_eq!(as_rotated.status(), StatusCode::OK);

    browser.element("#keys tbody tr:last-child .revoke input[name=confirmed]").await.click().await.unwrap();
    browser.element("#keys tbody tr:last-child .revoke button").await.click().await.unwrap();
    browser.arrive("/console/settings/keys?done=revoked").await;
    let as_rotated = till.get(browser.url("/v1/members/m-gus")).bearer_auth(&rotated).send().await.unwrap();
    assert_eq!(as_rotated.status(), StatusCode::UNAUTHORIZED);
    let keys = browser.client.find_all(Locator::Css("#keys tbody tr")).await.unwrap();
    assert_eq!(keys.len(), 1, "only the admin key is left");

    browser.open("/console/settings/audit?action=revoke_key").await;
    let rows = browser.client.find_all(Locator::Css("#audit tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 1);
    let who = browser.text("#audit tbody tr td:nth-child(2)").await;
    assert!(who.starts_with("bootstrap admin key (admin key)"), "{who}");

    browser.click("nav a[href='/console/rewards']").await;
    browser.arrive("/console/rewards").await;
    let tote = browser.text("#rewards tbody tr:nth-child(3)").await;
    assert!(
        tote.contains("Canvas tote bag") && tote.contains("499 of 500") && tote.contains(" 1 "),
        "{tote}"
    );
    // A reward added from the console is a new version of the program, then archived.
    browser.fill("#r-code", "mug").await;
    browser.fill("#r-name", "Enamel mug").await;
    browser.fill("#r-cost", "300").await;
    browser.fill("#r-sku", "mug-enamel").await;
    browser.fill("#r-stock", "20").await;
    browser.click("#new-reward button").await;
    browser.arrive("/console/rewards?done=added").await;
    let mug = api(&browser, Method::GET, "/v1/rewards/mug", json!(null)).await;
    assert_eq!(
        (mug["name"].as_str(), mug["points_cost"].as_i64(), mug["stock"].as_i64()),
        (Some("Enamel mug"), Some(300), Some(20))
    );
    let row = browser.text("#rewards tbody tr:last-child").await;
    assert!(row.contains("Enamel mug") && row.contains("20 of 20"), "{row}");
    // Edited: dearer, and its stock emptied, which makes it unlimited.
    browser.click("#rewards tbody tr:last-child details summary").await;
    browser.fill("#rewards tbody tr:last-child details input[name=points_cost]", "350").await;
    browser.fill("#rewards tbody tr:last-child details input[name=stock]", "").await;
    browser.click("#rewards tbody tr:last-child details button").await;
    browser.arrive("/console/rewards?done=changed").await;
    let mug = api(&browser, Method::GET, "/v1/rewards/mug", json!(null)).await;
    assert_eq!(
        (mug["name"].as_str(), mug["points_cost"].as_i64(), mug.get("stock")),
        (Some("Enamel mug"), Some(350), None),
        "{mug}"
    );
    assert!(browser.text("#rewards tbody tr:last-child").await.contains("unlimited"));
    browser
        .element("#rewards tbody tr:last-child .archive input[name=confirmed]")
        .await
        .click()
        .await
        .unwrap();
    browser.element("#rewards tbody tr:last-child .archive button").await.click().await.unwrap();
    browser.arrive("/console/rewards?done=archived").await;
    let mug = api(&browser, Method::GET, "/v1/rewards/mug", json!(null)).await;
    assert_eq!(mug["archived"], true, "{mug}");

    browser.fill("#code", &code).await;
    browser.click("form[role=search] button").await;
    let found = browser.text("#found").await;
    assert!(found.contains("tote-bag") && found.contains("issued") && found.contains("m-gus"), "{found}");
    browser.fill("#code", "NOPE-NOPE-NOPE").await;
    browser.click("form[role=search] button").await;
    assert!(browser.text(".error").await.contains("NOPE-NOPE-NOPE"));
    browser.screenshots("console-rewards").await;

    // The admin rotates the very key they signed in with, without a grace: the new secret
    // is still shown, the session ends, and the new secret signs in.
    browser.open("/console/settings/keys").await;
    browser.element("#keys tbody tr:first-child .rotate button").await.click().await.unwrap();
    let own = browser.element("#secret").await.prop("value").await.unwrap().unwrap();
    assert!(own.starts_with("lk_") && own != browser.server.key, "{own}");
    browser.open("/console/").await;
    browser.arrive("/console/sign-in").await;
    browser.fill("#key", &own).await;
    browser.click("form button[type=submit]").await;
    browser.arrive("/console/").await;
    browser.close().await;
}
