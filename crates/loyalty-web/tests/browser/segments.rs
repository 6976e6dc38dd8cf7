//! Segments in the console: the counts per segment, the grid and the churn spread agree
//! with the API, and the CSV lists every scored member.

use crate::chrome::{Browser, api, purchase};
use reqwest::Method;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_show_the_scored_members_in_counts_grid_and_csv() {
    let browser = Browser::start().await;
    for (id, spend) in [("m-hal", 30_000), ("m-ida", 2_000), ("m-jon", 9_000)] {
        api(&browser, Method::POST, "/v1/members", json!({"external_id": id})).await;
        purchase(&browser, id, &format!("o-{id}"), "coat", 1, spend).await;
    }
    api(&browser, Method::POST, "/v1/jobs/run", json!({})).await;
    let listed = api(&browser, Method::GET, "/v1/segments", json!(null)).await;
    let scored: i64 =
        listed["segments"].as_array().unwrap().iter().map(|s| s["members"].as_i64().unwrap()).sum();
    assert_eq!(scored, 3, "{listed}");

    browser.open("/console/sign-in").await;
    browser.fill("#key", &browser.server.key.clone()).await;
    browser.click("form button[type=submit]").await;
    browser.arrive("/console/").await;
    browser.click("nav a[href='/console/segments']").await;
    browser.arrive("/console/segments").await;
    assert!(browser.text("main > p.muted").await.contains("3 members scored"));
    let cells = browser.client.find_all(fantoccini::Locator::Css("#grid tbody td")).await.unwrap();
    let mut in_grid = 0;
    for cell in cells {
        in_grid += cell.text().await.unwrap().parse::<i64>().unwrap();
    }
    assert_eq!(in_grid, 3);
    let churn: i64 = [
        browser.text("#churn-low").await,
        browser.text("#churn-medium").await,
        browser.text("#churn-high").await,
    ]
    .iter()
    .map(|n| n.parse::<i64>().unwrap())
    .sum();
    assert_eq!(churn, 3);
    browser.screenshots("console-segments").await;
    let csv = browser
        .client
        .execute_async(
            "const done = arguments[0]; fetch(document.querySelector('#download').href).then(r => r.text()).then(done);",
            vec![],
        )
        .await
        .unwrap();
    let csv = csv.as_str().unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "segment,external_id,r,f,m,recency_days,frequency,monetary_minor,churn_risk");
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines.iter().any(|l| l.contains(",m-hal,")), "{csv}");

    // A member's page says their segment and churn risk, and why.
    let hal = api(&browser, Method::GET, "/v1/members/m-hal", json!(null)).await;
    browser.open("/console/members/m-hal").await;
    let segment = browser.text("#segment").await;
    let named = hal["segment"].as_str().unwrap().replace('_', " ");
    let scores = format!(
        "(recency {}, frequency {}, spend {}, of 5)",
        hal["rfm"]["r"], hal["rfm"]["f"], hal["rfm"]["m"]
    );
    assert_eq!(segment, format!("{named} {scores}"));
    let churn = browser.text("#churn").await;
    let days = hal["churn"]["days_since"].as_i64().unwrap();
    assert!(
        churn.starts_with(&format!(
            "{}: {days} days since the last purchase",
            hal["churn"]["risk"].as_str().unwrap()
        )),
        "{churn}"
    );
    browser.close().await;
}
