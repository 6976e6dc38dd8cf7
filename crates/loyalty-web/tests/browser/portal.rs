//! A member in the portal on a phone: open the link, see the balance, redeem a reward and
//! get its code; a link that was revoked or altered opens nothing.

use crate::chrome::{Browser, PHONE, api, purchase};
use fantoccini::Locator;
use reqwest::Method;
use serde_json::json;

async fn member_with_points(browser: &Browser, id: &str, name: &str, spend: i64) {
    api(browser, Method::POST, "/v1/members", json!({"external_id": id, "name": name})).await;
    purchase(browser, id, &format!("o-{id}"), "coat", 1, spend).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_opens_their_link_redeems_a_reward_and_sees_the_code_and_new_balance() {
    let browser = Browser::start().await;
    member_with_points(&browser, "m-cleo", "Cleo Park", 120_000).await;
    member_with_points(&browser, "m-dan", "Dan Ruiz", 1_000).await;
    browser.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    let token = api(&browser, Method::POST, "/v1/members/m-cleo/tokens", json!({})).await;
    let token = token["token"].as_str().unwrap().to_owned();

    browser.open(&format!("/portal/?token={token}")).await;
    // The token is exchanged for a cookie and leaves the address bar.
    browser.arrive("/portal/").await;
    let cleo = api(&browser, Method::GET, "/v1/members/m-cleo", json!(null)).await;
    let before = cleo["balance"]["available"].as_i64().unwrap();
    assert_eq!(browser.text("#balance").await.replace(',', ""), before.to_string());
    assert!(browser.text(".hero").await.contains("Hello, Cleo Park"));
    assert!(!browser.text("body").await.contains("Dan Ruiz"));
    // Ways to earn, in words, from the retail program's rules.
    let ways = browser.text(".ways").await;
    for said in [
        "1 points for every 1.00 EUR you spend",
        "2× points on new season",
        "500 points when you spend 200.00 EUR within 30 days",
        "100 points for joining",
        "250 points on your birthday",
        "500 points when a friend you invite makes a first order of 50.00 EUR or more; they get 250",
    ] {
        assert!(ways.contains(said), "{said} not in:\n{ways}");
    }
    // Affordable rewards first; the voucher of 2,250 points is beyond 1,300 and greyed.
    let rewards = api(&browser, Method::GET, "/v1/members/m-cleo/rewards", json!(null)).await;
    let affordable =
        rewards["rewards"].as_array().unwrap().iter().filter(|r| r["affordable"] == true).count();
    let buttons = browser.client.find_all(Locator::Css(".rewards button[data-reward]")).await.unwrap();
    assert_eq!(buttons.len(), affordable, "{rewards}");
    assert!(browser.has(".rewards li.greyed").await);
    // 1,200.00 EUR this year is past Silver's 500.00: what keeps the tier is done.
    assert_eq!(cleo["tier"], "silver", "{cleo}");
    assert!(browser.text("#tier-keep").await.starts_with("You have done what keeps Silver"));
    browser.screenshots("portal-home").await;

    browser.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    let voucher =
        browser.client.find(Locator::Css(".rewards li:has(button[data-reward='voucher-10'])")).await.unwrap();
    voucher.find(Locator::Css("input[name=confirmed]")).await.unwrap().click().await.unwrap();
    voucher.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
    assert_eq!(browser.text("#done-title").await, "Your reward is ready");
    assert!(browser.has(".qr svg").await);
    let code =
        browser.client.find(Locator::Css("#code")).await.unwrap().prop("value").await.unwrap().unwrap();
    let codes = api(&browser, Method::GET, "/v1/members/m-cleo/codes", json!(null)).await;
    assert_eq!(codes["codes"][0]["code"], json!(code), "{codes}");
    assert_eq!(browser.text("#balance").await.replace(',', ""), (before - 1000).to_string());
    assert_eq!(browser.accessibility_problems().await, Vec::<String>::new());
    browser.screenshots("portal-redeemed").await;

    // Revoking the member's tokens ends the portal session at its next page.
    let revoked = reqwest::Client::new()
        .delete(browser.url("/v1/members/m-cleo/tokens"))
        .bearer_auth(&browser.server.key)
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success());
    browser.open("/portal/").await;
    assert!(browser.text("main").await.contains("This link has expired or is not valid"));
    assert!(!browser.text("body").await.contains("Cleo"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_altered_token_opens_no_portal_and_a_token_opens_only_its_own_member() {
    let browser = Browser::start().await;
    member_with_points(&browser, "m-eve", "Eve Holt", 10_000).await;
    member_with_points(&browser, "m-fay", "Fay Wong", 10_000).await;
    let token = api(&browser, Method::POST, "/v1/members/m-eve/tokens", json!({})).await;
    let token = token["token"].as_str().unwrap().to_owned();
    let mut altered = token.clone().into_bytes();
    let middle = altered.len() / 2;
    altered[middle] = if altered[middle] == b'A' { b'B' } else { b'A' };
    browser.open(&format!("/portal/?token={}", String::from_utf8(altered).unwrap())).await;
    assert!(browser.text("main").await.contains("This link has expired or is not valid"));
    browser.open("/portal/").await;
    assert!(browser.text("main").await.contains("This link has expired or is not valid"));

    browser.open(&format!("/portal/?token={token}")).await;
    browser.arrive("/portal/").await;
    assert!(browser.text(".hero").await.contains("Eve Holt"));
    // The portal's pages name no member: there is no way to ask for Fay's with Eve's session.
    browser.open("/portal/?member=m-fay").await;
    assert!(browser.text(".hero").await.contains("Eve Holt"));
    assert!(!browser.text("body").await.contains("Fay"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_sees_their_achievements_and_opts_in_to_the_leaderboards() {
    let browser = Browser::start_with(loyalty_testkit::bakery_path()).await;
    member_with_points(&browser, "m-lou", "Lou Reyes", 1_200).await;
    let token = api(&browser, Method::POST, "/v1/members/m-lou/tokens", json!({})).await;
    browser.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    browser.open(&format!("/portal/?token={}", token["token"].as_str().unwrap())).await;
    browser.arrive("/portal/").await;
    let achievements = api(&browser, Method::GET, "/v1/members/m-lou/achievements", json!(null)).await;
    browser.element(".achievements li").await;
    let listed = browser.client.find_all(Locator::Css(".achievements li")).await.unwrap();
    assert_eq!(listed.len(), achievements["achievements"].as_array().unwrap().len());
    let referral = browser.element("#referral").await.prop("value").await.unwrap().unwrap();
    let lou = api(&browser, Method::GET, "/v1/members/m-lou", json!(null)).await;
    assert_eq!(json!(referral), lou["referral_code"]);
    assert!(browser.text(".boards").await.contains("not shown"));

    browser.click("#opt-in").await;
    browser.arrive("/portal/*").await;
    browser.element("#opt-out").await;
    let lou = api(&browser, Method::GET, "/v1/members/m-lou", json!(null)).await;
    assert_eq!(lou["leaderboard_opt_in"], true);
    assert!(browser.text(".boards").await.contains("#1 with 12.00 USD"), "{}", browser.text(".boards").await);
    browser.screenshots("portal-engagement").await;
    // The trail names the member's token as who changed it.
    let trail = api(&browser, Method::GET, "/v1/audit?actor=member:m-lou", json!(null)).await;
    assert_eq!(trail["entries"].as_array().unwrap().len(), 1, "{trail}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_answers_the_survey_that_is_due_and_is_not_asked_again_this_month() {
    let browser = Browser::start().await;
    member_with_points(&browser, "m-gus", "Gus Lind", 2_000).await;
    let token = api(&browser, Method::POST, "/v1/members/m-gus/tokens", json!({})).await;
    browser.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    browser.open(&format!("/portal/?token={}", token["token"].as_str().unwrap())).await;
    browser.arrive("/portal/").await;
    let before = api(&browser, Method::GET, "/v1/members/m-gus", json!(null)).await["balance"]["available"]
        .as_i64()
        .unwrap();
    // The retail program's NPS survey: eleven scores, 0 to 10.
    assert_eq!(
        browser.text(".survey legend").await,
        "How likely are you to recommend Maison Lumière to a friend?"
    );
    let scores = browser.client.find_all(Locator::Css(".survey input[name=score]")).await.unwrap();
    assert_eq!(scores.len(), 11);
    assert_eq!(browser.accessibility_problems().await, Vec::<String>::new());
    browser.screenshots("portal-survey").await;
    browser.click(".survey input[name=score][value='9']").await;
    browser.element("#comment").await.send_keys("Quick delivery").await.unwrap();
    browser.click("#answer").await;
    browser.arrive("/portal/?done=survey").await;
    assert_eq!(browser.text(".notice").await, "Thank you for your answer.");
    assert!(!browser.has(".survey").await, "the survey is asked once a month");
    // The answer earned its 50 points, and the NPS report counts a promoter.
    assert_eq!(browser.text("#balance").await.replace(',', ""), (before + 50).to_string());
    let surveys = api(&browser, Method::GET, "/v1/members/m-gus/surveys", json!(null)).await;
    assert_eq!(surveys["surveys"][0]["not_due"], "answered_this_period", "{surveys}");
    let nps = api(&browser, Method::GET, "/v1/reports/nps", json!(null)).await;
    assert_eq!((&nps["responses"], &nps["promoters"]), (&json!(1), &json!(1)), "{nps}");
    browser.close().await;
}
