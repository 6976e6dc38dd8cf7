//! RFM segments, churn risk and offers over the API: ten members whose purchases give
//! known quintiles, scored by the analytics job; the segments' counts and averages; a
//! segment paged through; and one member's ranked offers.

use super::*;
use loyalty_testkit::{TestDb, at, each_backend};
use std::collections::BTreeMap;

each_backend!(
    the_analytics_job_scores_each_member_into_a_segment_with_churn,
    segments_list_counts_and_average_spend_and_page_through_members,
    offers_rank_nearly_affordable_rewards_campaigns_and_win_back,
    segment_routes_refuse_unknown_names_limits_and_cursors,
);

const PROGRAM: &str = r#"
id = "corner"
name = "Corner shop"
currency = "EUR"
time_zone = "UTC"

[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[[earning]]
id = "pastry-week"
kind = "campaign"
name = "Pastry week"
starts = "2026-06-25"
ends = "2026-08-01"
categories = ["pastry"]
multiplier = 2

[[rewards]]
code = "mug"
name = "Mug"
points_cost = 150

[[rewards]]
code = "croissant"
name = "Free croissant"
kind = "free_item"
category = "pastry"
points_cost = 120

[[rewards]]
code = "bag"
name = "Bag"
points_cost = 1000
"#;

const NOW: &str = "2026-06-30T00:00:00Z";
const DAY: i64 = 86_400;

/// Per member: days since the last purchase, the gaps in days between purchases (newest
/// first), and the spend of all their purchases together.
const MEMBERS: [(&str, i64, &[i64], i64); 10] = [
    ("m01", 10, &[7, 7, 7, 7], 10_000),
    ("m02", 20, &[], 500),
    ("m03", 30, &[20, 20], 5_000),
    ("m04", 40, &[], 1_000),
    ("m05", 50, &[30], 3_000),
    ("m06", 60, &[], 800),
    ("m07", 70, &[10, 10, 10, 10], 9_000),
    ("m08", 80, &[10, 20, 30], 6_000),
    ("m09", 90, &[40], 2_000),
    ("m10", 100, &[5, 5, 5], 7_000),
];

fn timestamp(days_before_now: i64) -> String {
    let now = at(NOW).as_micros() / 1_000_000;
    let secs = now - days_before_now * DAY;
    loyalty_core::Timestamp::from_micros(secs * 1_000_000).to_string()
}

/// The program above, with the ten members' purchases: each spends the same in each order
/// (the last order takes the remainder), the oldest orders on pastry and the last two on
/// coffee. m04's one order is 3 × 5.00, one returned.
async fn corner(db: TestDb) -> (TestApp, tempfile::TempDir) {
    seeded(db, PROGRAM).await
}

/// `program` (in EUR), with the ten members' purchases above (see `corner`).
pub(super) async fn seeded(db: TestDb, program: &str) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corner.toml");
    std::fs::write(&path, program).unwrap();
    let app = TestApp::start_with(db, &path).await;
    app.clock.set(at(NOW));
    for (member, last, gaps, spend) in MEMBERS {
        let enrolled = app.post("/v1/members", json!({"external_id": member})).await;
        assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
        let mut days = vec![last];
        for gap in gaps {
            days.push(days.last().unwrap() + gap);
        }
        days.reverse();
        let n = i64::try_from(days.len()).unwrap();
        for (i, day) in days.iter().enumerate() {
            let i = i64::try_from(i).unwrap();
            let amount = if i == n - 1 { spend - (spend / n) * (n - 1) } else { spend / n };
            let category = if i >= n - 2 && n > 2 { "coffee" } else { "pastry" };
            let lines = if member == "m04" {
                json!([{"sku": "tart", "category": "pastry", "quantity": 3, "unit_price_minor": 500}])
            } else {
                json!([{"sku": format!("{category}-1"), "category": category, "quantity": 1, "unit_price_minor": amount}])
            };
            let order = json!({"type": "purchase", "member": member, "order_id": format!("{member}-{i}"),
                "occurred_at": timestamp(*day), "lines": lines});
            let got = app.post("/v1/events", order).await;
            assert_eq!(got.status, 201, "{:?}", got.body);
        }
    }
    let returned = app
        .post(
            "/v1/events",
            json!({"type": "return", "member": "m04", "order_id": "m04-0", "occurred_at": timestamp(39),
                   "lines": [{"sku": "tart", "quantity": 1}]}),
        )
        .await;
    assert_eq!(returned.status, 201, "{:?}", returned.body);
    let enrolled = app.post("/v1/members", json!({"external_id": "m11"})).await;
    assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
    (app, dir)
}

pub(super) async fn analytics(app: &TestApp) -> Value {
    let ran = app.post("/v1/jobs/run", json!({"jobs": ["analytics"]})).await;
    assert_eq!(ran.status, 200, "{:?}", ran.body);
    ran.body
}

async fn the_analytics_job_scores_each_member_into_a_segment_with_churn(db: TestDb) {
    let (app, _dir) = corner(db).await;
    let before = app.get("/v1/members/m01").await;
    assert_eq!(before.status, 200, "{:?}", before.body);
    for field in ["segment", "rfm", "churn", "segments_computed_at"] {
        assert!(before.body.get(field).is_none(), "{field} before the job: {:?}", before.body);
    }

    let ran = analytics(&app).await;
    assert_eq!(ran["analytics"], json!({"scored": 10, "computed_at": NOW}));
    // Named, only analytics ran.
    assert_eq!(ran["report"]["expired"], 0);

    // (segment, r, f, m, days_since, typical_gap_days, ratio, risk). Frequencies 5,1,3,1,2,
    // 1,5,4,2,4 give F 5,2,3,2,3,2,5,4,3,4 (ties take the higher score); the program's
    // median gap is 10 days (18 gaps, the 9th and 10th both 10).
    let want = [
        ("m01", "champions", 5, 5, 5, 10, 7.0, 1.43, "low"),
        ("m02", "new", 5, 2, 1, 20, 10.0, 2.0, "medium"),
        ("m03", "loyal", 4, 3, 3, 30, 20.0, 1.5, "medium"),
        ("m04", "potential_loyalist", 4, 2, 2, 40, 10.0, 4.0, "high"),
        ("m05", "loyal", 3, 3, 3, 50, 10.0, 5.0, "high"),
        ("m06", "about_to_sleep", 3, 2, 1, 60, 10.0, 6.0, "high"),
        ("m07", "cannot_lose", 2, 5, 5, 70, 10.0, 7.0, "high"),
        ("m08", "cannot_lose", 2, 4, 4, 80, 20.0, 4.0, "high"),
        ("m09", "at_risk", 1, 3, 2, 90, 10.0, 9.0, "high"),
        ("m10", "cannot_lose", 1, 4, 4, 100, 5.0, 20.0, "high"),
    ];
    for (member, segment, r, f, m, days, gap, ratio, risk) in want {
        let got = app.get(&format!("/v1/members/{member}")).await;
        assert_eq!(got.status, 200, "{:?}", got.body);
        assert_eq!(
            (&got.body["segment"], &got.body["rfm"], &got.body["churn"], &got.body["segments_computed_at"]),
            (
                &json!(segment),
                &json!({"r": r, "f": f, "m": m}),
                &json!({"risk": risk, "ratio": ratio, "days_since": days, "typical_gap_days": gap}),
                &json!(NOW)
            ),
            "{member}"
        );
    }
    // A member with no purchase in the window is not scored, but the run is shown.
    let m11 = app.get("/v1/members/m11").await;
    assert!(m11.body.get("segment").is_none(), "{:?}", m11.body);
    assert_eq!(m11.body["segments_computed_at"], NOW);
    app.assert_consistent().await;
}

async fn segments_list_counts_and_average_spend_and_page_through_members(db: TestDb) {
    let (app, _dir) = corner(db).await;
    let empty = app.get("/v1/segments").await;
    assert_eq!(empty.status, 200, "{:?}", empty.body);
    assert_eq!(empty.body["computed_at"], Value::Null);
    assert_eq!(empty.body["segments"].as_array().unwrap().len(), 11);
    let zeros: Vec<Value> = (1..=5).rev().map(|r| json!({"r": r, "members": [0, 0, 0, 0, 0]})).collect();
    assert_eq!(empty.body["grid"], json!(zeros));
    assert_eq!(empty.body["churn"], json!({"low": 0, "medium": 0, "high": 0}));

    analytics(&app).await;
    let listed = app.get("/v1/segments").await;
    assert_eq!(listed.body["computed_at"], NOW);
    let by_name: BTreeMap<String, (i64, i64)> = listed.body["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["computed_at"], NOW);
            (
                s["name"].as_str().unwrap().to_owned(),
                (s["members"].as_i64().unwrap(), s["average_spend_minor"].as_i64().unwrap()),
            )
        })
        .collect();
    let want: BTreeMap<String, (i64, i64)> = [
        ("champions", (1, 10_000)),
        ("loyal", (2, 4_000)),
        ("potential_loyalist", (1, 1_000)),
        ("new", (1, 500)),
        ("promising", (0, 0)),
        ("need_attention", (0, 0)),
        ("about_to_sleep", (1, 800)),
        ("at_risk", (1, 2_000)),
        ("cannot_lose", (3, 7_333)),
        ("hibernating", (0, 0)),
        ("lost", (0, 0)),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v))
    .collect();
    assert_eq!(by_name, want);
    // The grid: a row per recency score, 5 first; across, (F + M) / 2 rounded up, so m02
    // (R 5, F 2, M 1) counts under FM 2 and m09 (R 1, F 3, M 2) under FM 3.
    assert_eq!(
        listed.body["grid"],
        json!([
            {"r": 5, "members": [0, 1, 0, 0, 1]},
            {"r": 4, "members": [0, 1, 1, 0, 0]},
            {"r": 3, "members": [0, 1, 1, 0, 0]},
            {"r": 2, "members": [0, 0, 0, 1, 1]},
            {"r": 1, "members": [0, 0, 1, 1, 0]},
        ])
    );
    assert_eq!(listed.body["churn"], json!({"low": 1, "medium": 2, "high": 7}));

    let first = app.get("/v1/segments/cannot_lose/members?limit=2").await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let ids = |page: &Value| -> Vec<String> {
        page["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["external_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&first.body), ["m07", "m08"]);
    assert_eq!(first.body["members"][1]["monetary_minor"], 6_000);
    assert_eq!(first.body["members"][1]["frequency"], 4);
    assert_eq!(first.body["members"][1]["recency_days"], 80);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app.get(&format!("/v1/segments/cannot_lose/members?limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&second.body), ["m10"]);
    assert_eq!(second.body["next_cursor"], Value::Null);

    // Member search takes a segment as a filter, alone or with a prefix.
    let found = app.get("/v1/members?segment=cannot_lose").await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    assert_eq!(ids(&found.body), ["m07", "m08", "m10"]);
    assert_eq!(ids(&app.get("/v1/members?segment=cannot_lose&q=m0").await.body), ["m07", "m08"]);
    assert_eq!(ids(&app.get("/v1/members?segment=lost").await.body), Vec::<String>::new());
    let unknown = app.get("/v1/members?segment=vip").await;
    assert_eq!((unknown.status, unknown.code()), (422, "invalid_request"));

    // A second run replaces the first: a month later everyone is a month older.
    app.clock.set(at("2026-07-30T00:00:00Z"));
    let again = analytics(&app).await;
    assert_eq!(again["analytics"]["scored"], 10);
    let m01 = app.get("/v1/members/m01").await;
    assert_eq!(m01.body["churn"]["days_since"], 40);
    assert_eq!(m01.body["segments_computed_at"], "2026-07-30T00:00:00Z");
}

async fn offers_rank_nearly_affordable_rewards_campaigns_and_win_back(db: TestDb) {
    let (app, _dir) = corner(db).await;
    analytics(&app).await;
    // m01 spent 100.00 in five orders of 20.00: 100 points; 60.00 of it on pastry.
    let m01 = app.get("/v1/members/m01").await;
    assert_eq!(m01.body["balance"]["available"], 100, "{:?}", m01.body);
    let got = app.get("/v1/members/m01/offers").await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert_eq!(
        got.body,
        json!({"member": "m01", "offers": [
            {"kind": "nearly_affordable", "reward": "croissant", "score": 0.83, "points_needed": 20,
             "reason": "20 more points for Free croissant (120 points); pastry is 60% of their spend; Free croissant is free pastry"},
            {"kind": "nearly_affordable", "reward": "mug", "score": 0.67, "points_needed": 50,
             "reason": "50 more points for Mug (150 points)"},
            {"kind": "campaign", "campaign": "pastry-week", "score": 0.6,
             "reason": "Pastry week runs on pastry, 60% of their spend, until 2026-08-01"},
        ]})
    );
    let one = app.get("/v1/members/m01/offers?limit=1").await;
    assert_eq!(one.body["offers"].as_array().unwrap().len(), 1);

    // m07 (cannot_lose, 7 times their gap) is offered a win-back first.
    let m07 = app.get("/v1/members/m07/offers").await;
    assert_eq!(
        m07.body["offers"][0],
        json!({"kind": "win_back", "score": 1.0,
               "reason": "no purchase in 70 days, 7 times their usual gap of 10 days"})
    );
}

async fn segment_routes_refuse_unknown_names_limits_and_cursors(db: TestDb) {
    let (app, _dir) = corner(db).await;
    let unknown = app.get("/v1/segments/vip/members").await;
    assert_eq!((unknown.status, &unknown.body["error"]["code"]), (404, &json!("segment_not_found")));
    for limit in ["0", "21", "x"] {
        let got = app.get(&format!("/v1/members/m01/offers?limit={limit}")).await;
        assert_eq!((got.status, &got.body["error"]["code"]), (422, &json!("invalid_request")), "{limit}");
    }
    let nobody = app.get("/v1/members/nobody/offers").await;
    assert_eq!((nobody.status, &nobody.body["error"]["code"]), (404, &json!("member_not_found")));
    let bad = app.get("/v1/segments/lost/members?cursor=zz").await;
    assert_eq!((bad.status, &bad.body["error"]["code"]), (400, &json!("invalid_cursor")));
    let unknown_job = app.post("/v1/jobs/run", json!({"jobs": ["nap"]})).await;
    assert_eq!(unknown_job.status, 422, "{:?}", unknown_job.body);
}
