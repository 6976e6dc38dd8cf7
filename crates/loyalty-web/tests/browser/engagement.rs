//! Engagement in the console: achievements with their completions, leaderboards with the
//! members who opted in, and NPS, as the API has them.

use crate::chrome::{Browser, api, purchase};
use fantoccini::Locator;
use loyalty_testkit::bakery_path;
use reqwest::Method;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engagement_shows_achievements_boards_and_nps_as_the_api_has_them() {
    let browser = Browser::start_with(bakery_path()).await;
    api(&browser, Method::POST, "/v1/members", json!({"external_id": "m-kim", "name": "Kim Lee"})).await;
    api(&browser, Method::PATCH, "/v1/members/m-kim", json!({"leaderboard_opt_in": true})).await;
    purchase(&browser, "m-kim", "o-kim", "baguette", 2, 350).await;
    let achievements = api(&browser, Method::GET, "/v1/achievements", json!(null)).await;
    let achievements = achievements["achievements"].as_array().unwrap().clone();
    assert!(!achievements.is_empty());

    browser.sign_in().await;
    browser.click("nav a[href='/console/engagement']").await;
    browser.arrive("/console/engagement").await;
    let rows = browser.client.find_all(Locator::Css("#achievements tbody tr")).await.unwrap();
    assert_eq!(rows.len(), achievements.len());
    for (row, achievement) in rows.iter().zip(&achievements) {
        let text = row.text().await.unwrap();
        assert!(text.starts_with(achievement["name"].as_str().unwrap()), "{text}");
        assert!(text.ends_with(&achievement["members_completed"].to_string()), "{text}");
    }
    let spenders = api(&browser, Method::GET, "/v1/leaderboards/top-spenders", json!(null)).await;
    assert_eq!(spenders["entries"][0]["display_name"], "Kim L.", "{spenders}");
    assert!(browser.text("ol.board").await.contains("Kim L. · 7.00 USD"));
    assert_eq!(browser.text("#nps").await, "–");
    browser.screenshots("console-engagement").await;
    browser.close().await;
}
