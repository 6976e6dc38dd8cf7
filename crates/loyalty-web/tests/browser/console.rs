//! A merchant in the console: sign in, find a member, adjust their points and see the
//! balance change; a read key sees no button that writes; a post without the form's
//! CSRF token is refused.

use crate::chrome::{Browser, api, purchase};
use loyalty_testkit::{TestDb, retail_path};
use reqwest::Method;
use serde_json::json;

/// Two members with purchases, so that the dashboard and the lists have something to show.
async fn seed(browser: &Browser) {
    for (id, name, email, spend) in
        [("m-ann", "Ann Lee", "ann@example.com", 52_000), ("m-bob", "Bob Stone", "bob@example.com", 8_000)]
    {
        api(browser, Method::POST, "/v1/members", json!({"external_id": id, "name": name, "email": email}))
            .await;
        purchase(browser, id, &format!("o-{id}"), "coat", 1, spend).await;
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
    a_merchant_finds_and_adjusts(Browser::start().await).await;
}

/// The same walk with the server on PostgreSQL: the screens call the API, which is tested
/// on both backends, and this proves the screens' path end to end on the second one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_signs_in_finds_a_member_and_adjusts_their_points_on_postgres() {
    a_merchant_finds_and_adjusts(Browser::start_on(TestDb::postgres().await, retail_path()).await).await;
}

async fn a_merchant_finds_and_adjusts(browser: Browser) {
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
    // Ann's 520.00 EUR reached Silver; Bob's 80.00 no tier.
    let tiers = browser.text("#members-per-tier tbody").await;
    let rows: Vec<&str> = tiers.lines().map(str::trim).collect();
    assert_eq!(rows, ["No tier 1", "Silver 1", "Gold 0"], "{tiers}");
    browser.screenshots("console-dashboard").await;

    browser.click("nav a[href='/console/members']").await;
    // A member enrolled from the console, as a merchant starting from an empty program would.
    browser.fill("#e-id", "m-cy").await;
    browser.fill("#e-name", "Cy Young").await;
    browser.click("#enrol button").await;
    browser.arrive("/console/members/m-cy?done=enrolled").await;
    assert_eq!(browser.text(".notice").await, "The member is enrolled.");
    let cy = api(&browser, Method::GET, "/v1/members/m-cy", json!(null)).await;
    assert_eq!(cy["name"], "Cy Young");
    assert_eq!(
        browser.text("#available").await,
        loyalty_points(cy["balance"]["available"].as_i64().unwrap())
    );

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
    // Ann's purchase is explained in the words its answer had.
    let ledger = api(&browser, Method::GET, "/v1/members/m-ann/ledger", json!(null)).await;
    let bought = ledger["entries"].as_array().unwrap().iter().find(|e| e["reference"] == "o-m-ann").cloned();
    let why = bought.unwrap()["explanation"].as_str().unwrap().to_owned();
    assert!(browser.text("#ledger").await.contains(&why), "{why}");
    // Tiers by their names, as the program calls them.
    assert_eq!(browser.text("#tier").await, "Silver");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_runs_a_campaign_and_reads_the_liability_report() {
    let browser = Browser::start().await;
    seed(&browser).await;
    sign_in(&browser, &browser.server.key.clone()).await;
    browser.arrive("/console/").await;

    browser.click("nav a[href='/console/campaigns']").await;
    browser.arrive("/console/campaigns").await;
    browser.fill("#c-id", "winter-double").await;
    browser.fill("#c-name", "Winter double points").await;
    browser.fill("#c-starts", "2026-11-02").await;
    browser.fill("#c-ends", "2026-12-31").await;
    browser.fill("#c-multiplier", "2").await;
    browser.fill("#c-budget", "50000").await;
    browser.click("#create-campaign").await;
    browser.arrive("/console/campaigns?done=created").await;
    let row = browser.text("#campaigns tbody tr:last-child").await;
    assert!(row.contains("Winter double points"), "{row}");
    assert!(row.contains("running"), "{row}");
    assert!(row.contains("0 of 50,000"), "{row}");
    assert_eq!(winter_double(&browser).await["multiplier"], "2");
    browser.screenshots("console-campaigns").await;
    // Its budget raised from the edit form: a new version, the rest as it was.
    let changed = edit_budget(&browser, "80000").await;
    assert_eq!(
        (changed["budget"].as_i64(), changed["multiplier"].as_str()),
        (Some(80_000), Some("2")),
        "{changed}"
    );
    // A field emptied in the form is taken away: no budget, the multiplier kept.
    let unlimited = edit_budget(&browser, "").await;
    assert_eq!((unlimited.get("budget"), unlimited["multiplier"].as_str()), (None, Some("2")), "{unlimited}");

    // A purchase now earns double, and the campaign's spent budget shows it.
    let before = api(&browser, Method::GET, "/v1/members/m-bob", json!(null)).await["balance"]["available"]
        .as_i64()
        .unwrap();
    let earned = purchase(&browser, "m-bob", "o-winter", "scarf", 1, 4_000).await;
    assert!(earned["balance"]["available"].as_i64().unwrap() > before, "{earned}");

    browser.click("nav a[href='/console/reports']").await;
    browser.arrive("/console/reports").await;
    let liability = api(&browser, Method::GET, "/v1/reports/liability", json!(null)).await;
    assert_eq!(
        browser.text("#closing").await,
        loyalty_points(liability["total"]["closing"].as_i64().unwrap())
    );
    let money = liability["money"]["total"]["closing"].as_i64().unwrap();
    assert!((0..100_000).contains(&money), "{liability}");
    assert_eq!(browser.text("#closing-money").await, format!("{}.{:02} EUR", money / 100, money % 100));
    browser.screenshots("console-reports").await;
    let csv = browser
        .client
        .execute_async(
            "const done = arguments[0];
             fetch(document.querySelector('#download').href).then(r => r.text()).then(done);",
            vec![],
        )
        .await
        .unwrap();
    let csv = csv.as_str().unwrap();
    assert!(
        csv.starts_with("unit,tier,opening,issued,redeemed,expired,donated,adjusted,return_loss,closing\n"),
        "{csv}"
    );
    let total = liability["total"]["closing"].as_i64().unwrap();
    assert!(csv.contains("points,total,0,") && csv.contains(&format!(",{total}\n")), "{csv}");
    browser.close().await;
}

/// The winter-double campaign as the API has it.
async fn winter_double(browser: &Browser) -> serde_json::Value {
    let campaigns = api(browser, Method::GET, "/v1/campaigns", json!(null)).await;
    let found =
        campaigns["campaigns"].as_array().unwrap().iter().find(|c| c["id"] == "winter-double").cloned();
    found.unwrap_or_else(|| panic!("no winter-double in {campaigns}"))
}

/// Sets the last campaign's budget in its edit form, and reads it back from the API.
async fn edit_budget(browser: &Browser, budget: &str) -> serde_json::Value {
    browser.click("#campaigns tbody tr:last-child details summary").await;
    browser.fill("#campaigns tbody tr:last-child details input[name=budget]", budget).await;
    browser.click("#campaigns tbody tr:last-child details button").await;
    browser.arrive("/console/campaigns?done=changed").await;
    winter_double(browser).await
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_held_for_review_are_released_from_the_member_s_page() {
    let browser = Browser::start().await;
    api(&browser, Method::POST, "/v1/members", json!({"external_id": "m-max", "name": "Max Roe"})).await;
    // 3,500 points within the hour: over the retail program's velocity limit of 3,000.
    let bought = purchase(&browser, "m-max", "o-max", "coat", 1, 350_000).await;
    let held = bought["balance"]["pending_review"].as_i64().unwrap();
    let available = bought["balance"]["available"].as_i64().unwrap();
    assert!(held > 0, "{bought}");

    sign_in(&browser, &browser.server.key.clone()).await;
    browser.arrive("/console/").await;
    browser.open("/console/members/m-max").await;
    assert!(
        browser.text("#review").await.contains(&format!("{} points held for review", loyalty_points(held)))
    );
    browser.fill("#review-reason", "receipt checked").await;
    browser.element("#review input[name=confirmed]").await.click().await.unwrap();
    browser.element("#review button").await.click().await.unwrap();
    browser.arrive("/console/members/m-max?done=reviewed").await;
    assert_eq!(browser.text("#available").await, loyalty_points(available + held));
    assert!(!browser.has("#review").await);
    let max = api(&browser, Method::GET, "/v1/members/m-max", json!(null)).await;
    assert_eq!(max["balance"]["pending_review"], 0, "{max}");
    assert_eq!(max["balance"]["available"], available + held, "{max}");
    browser.close().await;
}
