//! Every console screen and the portal drawn for every example program, with a member
//! who bought something: a template that names a field one program's answers lack fails
//! here, not in front of a merchant.

use crate::chrome::{Browser, api, purchase};
use reqwest::Method;
use serde_json::json;
use std::path::PathBuf;

const SCREENS: &[&str] = &[
    "/console/",
    "/console/members",
    "/console/members/m-zed",
    "/console/program",
    "/console/campaigns",
    "/console/rewards",
    "/console/engagement",
    "/console/segments",
    "/console/reports?report=liability",
    "/console/reports?report=breakage",
    "/console/reports?report=kpis",
    "/console/reports?report=donations",
    "/console/settings/keys",
    "/console/settings/audit",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_is_drawn_for_every_example_program() {
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/programs");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    programs.sort();
    assert!(programs.len() >= 4, "{programs:?}");
    for program in programs {
        let browser = Browser::start_with(program.clone()).await;
        api(&browser, Method::POST, "/v1/members", json!({"external_id": "m-zed", "name": "Zed Ames"})).await;
        purchase(&browser, "m-zed", "o-zed", "anything", 1, 2_500).await;
        let adjustment = json!({"points": 40, "reason": "Goodwill"});
        api(&browser, Method::POST, "/v1/members/m-zed/adjustments", adjustment).await;
        api(&browser, Method::POST, "/v1/jobs/run", json!({})).await;
        // Points that expire, as the member's page and portal must say: the bistro's
        // expire 12 months after they are earned.
        let expiry = soonest_expiry(&browser).await;
        assert_eq!(program.ends_with("bistro.toml"), expiry.is_some(), "{program:?}: {expiry:?}");
        browser.sign_in().await;
        for screen in SCREENS {
            browser.open(screen).await;
            let shown = browser.text("body").await;
            assert!(
                browser.has("main h1").await && !shown.contains("could not be drawn"),
                "{program:?} {screen}: {shown}"
            );
            let problems = browser.accessibility_problems().await;
            assert!(problems.is_empty(), "{program:?} {screen}: {problems:#?}");
            if let (Some((points, date)), true) = (&expiry, *screen == "/console/members/m-zed") {
                assert_eq!(browser.text(".expiring").await, format!("{points} points"));
                assert!(shown.contains(&format!("Expire {date}")), "{shown}");
            }
        }
        let token = api(&browser, Method::POST, "/v1/members/m-zed/tokens", json!({})).await;
        browser.open(&format!("/portal/?token={}", token["token"].as_str().unwrap())).await;
        browser.arrive("/portal/").await;
        let shown = browser.text("body").await;
        assert!(
            shown.contains("Zed Ames") && !shown.contains("could not be drawn"),
            "{program:?} portal: {shown}"
        );
        let problems = browser.accessibility_problems().await;
        assert!(problems.is_empty(), "{program:?} portal: {problems:#?}");
        if let Some((points, date)) = &expiry {
            assert_eq!(browser.text("#next-expiry").await, format!("{points} points expire on {date}"));
        }
        browser.close().await;
    }
}

/// The points of m-zed's soonest expiry and its date in the program's time zone, if any.
async fn soonest_expiry(browser: &Browser) -> Option<(i64, String)> {
    let zed = api(browser, Method::GET, "/v1/members/m-zed", json!(null)).await;
    let soonest = zed["expiring_soon"].as_array()?.first()?.clone();
    let program = api(browser, Method::GET, "/v1/program", json!(null)).await;
    let zone = jiff::tz::TimeZone::get(program["definition"]["time_zone"].as_str().unwrap()).unwrap();
    let at: jiff::Timestamp = soonest["expires_at"].as_str().unwrap().parse().unwrap();
    Some((soonest["points"].as_i64().unwrap(), zone.to_datetime(at).date().to_string()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_accessibility_check_finds_each_kind_of_problem() {
    let browser = Browser::start().await;
    // A page made of mistakes, opened from memory: no language, no h1, a field without a
    // label, an empty button, a drawing without a text, a tab order of its own and pale
    // grey text on white.
    let page = "<!doctype html><html><body><h2>Form</h2><input name=q><button></button>\
                <svg width=10 height=10></svg><a href=#x tabindex=2>next</a>\
                <p style='color:#bbb'>Fine print</p><p>Readable</p></body></html>";
    browser.client.goto(&format!("data:text/html,{}", page.replace('#', "%23"))).await.unwrap();
    let problems = browser.accessibility_problems().await;
    let kinds: Vec<&str> = problems.iter().map(|p| p.split(':').next().unwrap_or_default()).collect();
    assert_eq!(
        kinds,
        [
            "the page has no lang",
            "the page has 0 h1 headings, not one",
            "a field without a label",
            "a button without a name",
            "a drawing without a text",
            "a positive tabindex reorders the focus",
            "contrast 1.92",
        ],
        "{problems:#?}"
    );
    assert!(problems[6].ends_with("of p \"Fine print\""), "{problems:#?}");
    browser.close().await;
}
