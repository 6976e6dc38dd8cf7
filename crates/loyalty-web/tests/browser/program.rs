//! A marketer changes the program in the console: the draft is checked as they type,
//! previewed on a basket against the version in force, and published.

use crate::chrome::{Browser, api};
use reqwest::Method;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_is_checked_as_typed_previewed_on_a_basket_and_published() {
    let browser = Browser::start().await;
    browser.open("/console/sign-in").await;
    browser.fill("#key", &browser.server.key.clone()).await;
    browser.click("form button[type=submit]").await;
    browser.arrive("/console/").await;
    browser.click("nav a[href='/console/program']").await;
    browser.arrive("/console/program").await;
    let draft = browser.element("#toml").await.prop("value").await.unwrap().unwrap();
    assert!(draft.starts_with("id = \"retail\"\nname = \"Maison Lumière Club\"\n"), "{draft}");

    // A typing mistake is reported under the editor, with its line, while typing (htmx).
    browser.element("#toml").await.send_keys("\noops").await.unwrap();
    let said = browser.text("#check-result .problems li").await;
    // The draft ends with a newline, so `oops` is two lines below its last.
    let oops = draft.lines().count() + 2;
    assert_eq!(said, format!("line {oops}, column 5: key with no value, expected `=`"));

    // The base rate doubled in the draft: a basket earns twice as much under it.
    let doubled = draft.replacen("points_per_unit = \"1\"", "points_per_unit = \"2\"", 1);
    assert_ne!(doubled, draft);
    browser
        .client
        .execute("document.querySelector('#toml').value = arguments[0];", vec![json!(doubled)])
        .await
        .unwrap();
    browser.fill("#basket", "coat, 1, 12000").await;
    browser.click("#preview").await;
    assert_eq!(browser.text("#earn-in-force .earned-total").await, "120");
    assert_eq!(browser.text("#earn-draft .earned-total").await, "240");
    assert!(browser.text("#earn-draft table").await.contains("coat × 1"));
    assert_eq!(
        api(&browser, Method::GET, "/v1/program", json!(null)).await["version"],
        1,
        "nothing written yet"
    );
    browser.screenshots("console-program").await;

    browser.click("#publish").await;
    browser.arrive("/console/program?done=published").await;
    assert!(browser.text("#versions tbody tr:first-child").await.starts_with("2 in force"));
    let program = api(&browser, Method::GET, "/v1/program", json!(null)).await;
    assert_eq!(program["version"], 2);
    assert_eq!(program["definition"]["earning"][0]["points_per_unit"], "2", "{program}");
    // The difference between the two versions is the one line changed.
    let removed = browser.client.find_all(fantoccini::Locator::Css("#diff .removed")).await.unwrap();
    let added = browser.client.find_all(fantoccini::Locator::Css("#diff .added")).await.unwrap();
    assert_eq!((removed.len(), added.len()), (1, 1));
    assert_eq!(removed[0].text().await.unwrap(), "-points_per_unit = \"1\"");
    assert_eq!(added[0].text().await.unwrap(), "+points_per_unit = \"2\"");
    browser.close().await;
}
