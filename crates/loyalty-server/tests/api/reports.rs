//! Finance's reports over the API, on the retail program (100 points are worth 1.00 EUR):
//! a month of exact activity, its roll-forward in points and money, as JSON and CSV, the
//! next month's opening, the KPIs and the breakage estimate.

use super::*;
use loyalty_testkit::{TestDb, at, bistro_path, each_backend, retail_path};

each_backend!(
    a_month_rolls_forward_exactly_and_reports_in_json_and_csv,
    a_cohort_shows_what_was_redeemed_expired_and_taken_back,
    every_report_reads_its_period_as_days_or_instants_alike,
    the_kpis_count_open_members_in_each_tier,
    weekly_flows_split_at_local_mondays_and_match_the_kpis_of_each_week,
);

async fn weekly_flows_split_at_local_mondays_and_match_the_kpis_of_each_week(db: TestDb) {
    let app = TestApp::start_with(db, &retail_path()).await;
    // Each enrolment earns 100 welcome points. Paris leaves summer time on Sunday 25
    // October at 01:00 UTC: 22:30 UTC that evening is still Sunday (23:30), 23:30 UTC is
    // Monday 26 October (00:30), the next week.
    for (when, member) in
        [("2026-10-20T10:00:00Z", "ada"), ("2026-10-25T22:30:00Z", "bob"), ("2026-10-25T23:30:00Z", "cy")]
    {
        app.clock.set(at(when));
        assert_eq!(app.post("/v1/members", json!({"external_id": member})).await.status, 201);
    }
    app.clock.set(at("2026-11-04T10:00:00Z"));
    let added = app.post("/v1/members/ada/adjustments", json!({"points": 1900, "reason": "migration"})).await;
    assert_eq!(added.status, 201, "{:?}", added.body);
    let spent = app.post("/v1/members/ada/redemptions", json!({"reward": "voucher-10"})).await;
    assert_eq!(spent.status, 201, "{:?}", spent.body);
    app.clock.set(at("2026-11-05T10:00:00Z"));

    let weekly = app.get("/v1/reports/weekly?weeks=4").await;
    assert_eq!(weekly.status, 200, "{:?}", weekly.body);
    // An adjustment is neither earned nor burned, as in the KPI report.
    assert_eq!(
        weekly.body["weeks"],
        json!([
            {"from": "2026-10-12", "to": "2026-10-18", "points_earned": 0, "points_burned": 0},
            {"from": "2026-10-19", "to": "2026-10-25", "points_earned": 200, "points_burned": 0},
            {"from": "2026-10-26", "to": "2026-11-01", "points_earned": 100, "points_burned": 0},
            {"from": "2026-11-02", "to": "2026-11-08", "points_earned": 0, "points_burned": 1000},
        ])
    );
    for week in weekly.body["weeks"].as_array().unwrap() {
        let kpis = app
            .get(&format!(
                "/v1/reports/kpis?from={}&to={}",
                week["from"].as_str().unwrap(),
                week["to"].as_str().unwrap()
            ))
            .await;
        assert_eq!(
            (&kpis.body["points_earned"], &kpis.body["points_burned"]),
            (&week["points_earned"], &week["points_burned"]),
            "{week}"
        );
    }
    assert_eq!(app.get("/v1/reports/weekly").await.body["weeks"].as_array().unwrap().len(), 26);
    let csv = app.get("/v1/reports/weekly?weeks=2&format=csv").await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        csv.body.as_str().unwrap(),
        "from,to,points_earned,points_burned\n2026-10-26,2026-11-01,100,0\n2026-11-02,2026-11-08,0,1000\n"
    );
    for bad in ["weeks=0", "weeks=105", "weeks=two", "format=xml"] {
        let refused = app.get(&format!("/v1/reports/weekly?{bad}")).await;
        assert_eq!((refused.status, refused.code()), (422, "invalid_request"), "{bad}: {:?}", refused.body);
    }
}

async fn the_kpis_count_open_members_in_each_tier(db: TestDb) {
    let app = TestApp::start_with(db, &retail_path()).await;
    app.clock.set(at("2026-11-20T10:00:00Z"));
    // Silver is reached at 500.00 EUR spent this year, gold at 1,500.00.
    for (member, spend) in [("ada", 0), ("bob", 60_000), ("cy", 70_000), ("dee", 160_000), ("eli", 60_000)] {
        assert_eq!(app.post("/v1/members", json!({"external_id": member})).await.status, 201);
        if spend > 0 {
            let bought = app
                .post(
                    "/v1/events",
                    json!({"type": "purchase", "member": member, "order_id": format!("o-{member}"),
                           "lines": [{"sku": "coat", "quantity": 1, "unit_price_minor": spend}]}),
                )
                .await;
            assert_eq!(bought.status, 201, "{:?}", bought.body);
        }
    }
    // A closed account is no longer counted.
    let closed = app.post("/v1/members/eli/status", json!({"action": "close", "reason": "asked"})).await;
    assert_eq!(closed.status, 201, "{:?}", closed.body);

    let kpis = app.get("/v1/reports/kpis?from=2026-11-01&to=2026-11-30").await;
    assert_eq!(kpis.status, 200, "{:?}", kpis.body);
    assert_eq!(
        kpis.body["members_by_tier"],
        json!([{"tier": null, "members": 1}, {"tier": "silver", "members": 2}, {"tier": "gold", "members": 1}])
    );
    assert_eq!(kpis.body["open_members"], 4);
    let csv = app.get("/v1/reports/kpis?from=2026-11-01&to=2026-11-30&format=csv").await;
    assert!(
        csv.body
            .as_str()
            .unwrap()
            .ends_with("members_in_tier:none,1\nmembers_in_tier:silver,2\nmembers_in_tier:gold,1\n"),
        "{}",
        csv.body
    );
    // The counts agree with a search by tier.
    let silver = app.get("/v1/members?tier=silver").await;
    assert_eq!(silver.body["members"].as_array().unwrap().len(), 2, "{:?}", silver.body);
}

async fn a_month_rolls_forward_exactly_and_reports_in_json_and_csv(db: TestDb) {
    let app = TestApp::start_with(db, &retail_path()).await;
    app.clock.set(at("2026-11-20T10:00:00Z"));
    // 100 welcome points issued, 1,900 added by hand, a tree (100) and a voucher (1,000)
    // spent, and 200 points held at a till: the members hold 900.
    assert_eq!(app.post("/v1/members", json!({"external_id": "ada"})).await.status, 201);
    let added = app.post("/v1/members/ada/adjustments", json!({"points": 1900, "reason": "migration"})).await;
    assert_eq!(added.status, 201);
    for reward in ["plant-a-tree", "voucher-10"] {
        let got = app.post("/v1/members/ada/redemptions", json!({"reward": reward})).await;
        assert_eq!(got.status, 201, "{:?}", got.body);
    }
    let held = app.post("/v1/members/ada/holds", json!({"order_id": "o-1", "points": 200})).await;
    assert_eq!(held.body["balance"]["held"], 200);

    let november = app.get("/v1/reports/liability?from=2026-11-01&to=2026-11-30").await;
    assert_eq!(november.status, 200, "{:?}", november.body);
    let line = json!({"tier": null, "opening": 0, "issued": 100, "redeemed": 1000, "expired": 0, "donated": 100,
        "adjusted": 1900, "return_loss": 0, "closing": 900});
    assert_eq!(november.body["tiers"], json!([line]));
    assert_eq!(november.body["total"], line);
    assert_eq!(november.body["money"]["total"], line);
    assert_eq!(november.body["money"]["point_value"], json!({"points": 100, "minor": 100}));
    assert_eq!((&november.body["reconciled"], &november.body["currency"]), (&json!(true), &json!("EUR")));

    let csv = app.get("/v1/reports/liability?from=2026-11-01&to=2026-11-30&format=csv").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        csv.body.as_str().unwrap(),
        "unit,tier,opening,issued,redeemed,expired,donated,adjusted,return_loss,closing\n\
         points,none,0,100,1000,0,100,1900,0,900\n\
         points,total,0,100,1000,0,100,1900,0,900\n\
         minor_units,none,0,100,1000,0,100,1900,0,900\n\
         minor_units,total,0,100,1000,0,100,1900,0,900\n"
    );

    // December opens where November closed, and nothing moved.
    app.clock.set(at("2026-12-31T12:00:00Z"));
    let december = app.get("/v1/reports/liability?from=2026-12-01&to=2026-12-31").await;
    let quiet = json!({"tier": null, "opening": 900, "issued": 0, "redeemed": 0, "expired": 0, "donated": 0,
        "adjusted": 0, "return_loss": 0, "closing": 900});
    assert_eq!(december.body["total"], quiet);

    let kpis = app.get("/v1/reports/kpis?from=2026-11-01&to=2026-11-30").await;
    assert_eq!(kpis.status, 200, "{:?}", kpis.body);
    for (field, value) in [
        ("enrolments", json!(1)),
        ("active_members_30_days", json!(1)),
        ("active_members_90_days", json!(1)),
        ("open_members", json!(1)),
        ("average_balance", json!(900)),
        ("points_earned", json!(100)),
        ("points_burned", json!(1100)),
        ("redemption_rate", json!("11")),
    ] {
        assert_eq!(kpis.body[field], value, "{field}");
    }
    assert_eq!(
        kpis.body["top_rewards"],
        json!([{"reward": "voucher-10", "redemptions": 1, "points": 1000},
               {"reward": "plant-a-tree", "redemptions": 1, "points": 100}])
    );
    let kpi_csv = app.get("/v1/reports/kpis?from=2026-11-01&to=2026-11-30&format=csv").await;
    assert!(
        kpi_csv.body.as_str().unwrap().starts_with("metric,value\nactive_members_30_days,1\n"),
        "{}",
        kpi_csv.body
    );

    // Nothing expired yet: no breakage, and the 900 points held are all expected to be
    // claimed. Of the 2,000 issued in November, 700 are still in lots (200 are held).
    let breakage = app.get("/v1/reports/breakage").await;
    assert_eq!(breakage.status, 200, "{:?}", breakage.body);
    assert_eq!(
        (
            &breakage.body["rate"],
            &breakage.body["expected_redemptions"],
            &breakage.body["deferred_revenue_minor"]
        ),
        (&json!("0"), &json!(900), &json!(900))
    );
    assert_eq!(
        breakage.body["cohorts"],
        json!([{"month": "2026-11", "issued": 2000, "redeemed": 1300, "expired": 0, "reversed": 0, "open": 700}])
    );
    assert!(breakage.body["method"].as_str().unwrap().starts_with("redemption-rate method"));

    for (path, code) in [
        ("/v1/reports/liability?from=2026-13-01&to=2026-12-01", "invalid_request"),
        ("/v1/reports/liability?from=2026-12-01&to=2026-11-01", "invalid_request"),
        ("/v1/reports/kpis?format=xml", "invalid_request"),
    ] {
        let got = app.get(path).await;
        assert_eq!((got.status, got.code()), (422, code), "{path}: {:?}", got.body);
    }
    app.assert_consistent().await;
}

fn meal(order_id: &str, amount_minor: i64) -> Value {
    json!({"type": "purchase", "member": "b-1", "order_id": order_id,
        "lines": [{"sku": "menu", "category": "food", "quantity": 1, "unit_price_minor": amount_minor}]})
}

/// On the bistro program (a point per euro, pending 14 days, expiring after 12 months):
/// November's 110 points are followed to the end, each by the way it left.
async fn a_cohort_shows_what_was_redeemed_expired_and_taken_back(db: TestDb) {
    let app = TestApp::start_with(db, &bistro_path()).await;
    app.clock.set(at("2026-11-02T12:00:00Z"));
    assert_eq!(app.post("/v1/members", json!({"external_id": "b-1"})).await.status, 201);
    for (order, minor) in [("bill-1", 8000), ("bill-2", 3000)] {
        let bought = app.post("/v1/events", meal(order, minor)).await;
        assert_eq!(bought.status, 201, "{:?}", bought.body);
    }
    app.clock.set(at("2026-11-03T12:00:00Z"));
    let returned = json!({"type": "return", "member": "b-1", "order_id": "bill-2",
        "lines": [{"sku": "menu", "quantity": 1}]});
    assert_eq!(app.post("/v1/events", returned).await.status, 201);

    app.clock.set(at("2026-11-17T12:00:00Z"));
    assert_eq!(app.post("/v1/jobs/run", json!({})).await.status, 200);
    let dessert = app.post("/v1/members/b-1/redemptions", json!({"reward": "dessert"})).await;
    assert_eq!(dessert.status, 201, "{:?}", dessert.body);
    let taken =
        app.post("/v1/members/b-1/adjustments", json!({"points": -10, "reason": "wrong table"})).await;
    assert_eq!(taken.status, 201, "{:?}", taken.body);

    let cohort = |redeemed: i64, expired: i64, open: i64| {
        json!([{"month": "2026-11", "issued": 110, "redeemed": redeemed, "expired": expired, "reversed": 40,
            "open": open}])
    };
    let before = app.get("/v1/reports/breakage").await;
    assert_eq!(before.status, 200, "{:?}", before.body);
    assert_eq!(before.body["cohorts"], cohort(50, 0, 20));

    // A year after the meal, the last 20 points expire.
    app.clock.set(at("2027-11-03T12:00:00Z"));
    assert_eq!(app.post("/v1/jobs/run", json!({})).await.status, 200);
    let after = app.get("/v1/reports/breakage").await;
    assert_eq!(after.body["cohorts"], cohort(50, 20, 0));
    assert_eq!((&after.body["redeemed"], &after.body["expired"]), (&json!(50), &json!(20)));
    assert_eq!(after.body["rate"], json!("0.2857"));
    let csv = app.get("/v1/reports/breakage?format=csv").await;
    assert_eq!(
        csv.body.as_str().unwrap(),
        "month,issued,redeemed,expired,reversed,open\n2026-11,110,50,20,40,0\n"
    );
    app.assert_consistent().await;
}

/// Every report reads `from` and `to` the same way: a local day (Paris, for retail) with
/// `to` included to the day's end, or an RFC 3339 instant with `to` excluded. The same
/// period written either way gives the same figures; a bad one is the same refusal on
/// every report.
async fn every_report_reads_its_period_as_days_or_instants_alike(db: TestDb) {
    let app = TestApp::start_with(db, &retail_path()).await;
    app.clock.set(at("2026-11-20T10:00:00Z"));
    assert_eq!(app.post("/v1/members", json!({"external_id": "ada"})).await.status, 201);
    let added = app.post("/v1/members/ada/adjustments", json!({"points": 1900, "reason": "migration"})).await;
    assert_eq!(added.status, 201);
    assert_eq!(app.post("/v1/members/ada/redemptions", json!({"reward": "plant-a-tree"})).await.status, 201);
    // The last hour of 30 November in Paris is 22:00 to 23:00 UTC.
    app.clock.set(at("2026-11-30T22:30:00Z"));
    assert_eq!(app.post("/v1/members/ada/redemptions", json!({"reward": "voucher-10"})).await.status, 201);
    app.clock.set(at("2026-12-05T12:00:00Z"));

    let days = "from=2026-11-01&to=2026-11-30";
    let instants = "from=2026-10-31T23:00:00Z&to=2026-11-30T23:00:00Z";
    let cut_short = "from=2026-11-01T00:00:00%2B01:00&to=2026-11-30T22:00:00Z";
    for report in ["liability", "kpis", "donations", "breakage"] {
        let by_day = app.get(&format!("/v1/reports/{report}?{days}")).await;
        let by_instant = app.get(&format!("/v1/reports/{report}?{instants}")).await;
        assert_eq!(
            (by_day.status, by_instant.status),
            (200, 200),
            "{report}: {:?} {:?}",
            by_day.body,
            by_instant.body
        );
        assert_eq!(
            (&by_day.body["from"], &by_day.body["to"]),
            (&json!("2026-11-01"), &json!("2026-11-30")),
            "{report}"
        );
        assert_eq!(
            (&by_instant.body["from"], &by_instant.body["to"]),
            (&json!("2026-10-31T23:00:00Z"), &json!("2026-11-30T23:00:00Z")),
            "{report}"
        );
        let figures = |body: &Value| {
            let mut body = body.clone();
            for echo in ["from", "to"] {
                body.as_object_mut().unwrap().remove(echo);
            }
            body
        };
        assert_eq!(figures(&by_day.body), figures(&by_instant.body), "{report}");
        for bad in ["from=yesterday", "to=2026-11-30T12:00:00", "to=2026-11-31"] {
            let got = app.get(&format!("/v1/reports/{report}?{bad}")).await;
            assert_eq!((got.status, got.code()), (422, "invalid_request"), "{report}?{bad}: {:?}", got.body);
            let (name, text) = bad.split_once('=').unwrap();
            assert_eq!(
                got.body["error"]["message"],
                format!(
                    "{name}: `{text}` is neither a day like 2026-11-30 nor an RFC 3339 time like 2026-11-30T09:00:00Z"
                )
            );
        }
        let backwards = app.get(&format!("/v1/reports/{report}?from=2026-11-02&to=2026-11-01")).await;
        assert_eq!(
            backwards.body["error"]["message"],
            "to: the period from 2026-11-02 to 2026-11-01 is empty; it must end after it starts",
            "{report}"
        );
    }
    // The voucher redeemed in the last hour of November counts for the days, which run to
    // the end of the 30th, and not for an instant `to` an hour before that end.
    let by_day = app.get(&format!("/v1/reports/liability?{days}")).await;
    assert_eq!(by_day.body["total"]["redeemed"], 1000);
    let short = app.get(&format!("/v1/reports/liability?{cut_short}")).await;
    assert_eq!((short.status, &short.body["total"]["redeemed"]), (200, &json!(0)), "{:?}", short.body);
    assert_eq!(short.body["total"]["donated"], 100);
    let breakage = app.get(&format!("/v1/reports/breakage?{days}")).await;
    assert_eq!(
        (&breakage.body["window_from"], &breakage.body["window_to"]),
        (&json!("2026-10-31T23:00:00Z"), &json!("2026-11-30T23:00:00Z"))
    );
}
