//! Surveys over the API: an answer earns its points once, or once a period with a pause
//! between; bad scores, surveys and orders are refused with their codes; the NPS and
//! CSAT reports count bands per tier and per segment, as JSON and CSV; a detractor is
//! told to webhook subscribers.

use super::*;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::post;
use loyalty_store::Role;
use loyalty_testkit::{TestDb, TestResponse, at, each_backend};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

each_backend!(
    an_answer_earns_its_points_and_how_often_is_enforced,
    a_member_is_told_which_surveys_are_due_by_the_rules_answers_meet,
    bad_answers_are_refused_with_their_codes_and_change_nothing,
    the_nps_report_counts_bands_per_tier_and_segment_in_the_period,
    the_csat_report_and_the_survey_list,
    a_detractor_is_sent_to_webhook_subscribers,
);

const PROGRAM: &str = r#"
id = "cafe"
name = "Survey cafe"
currency = "EUR"
time_zone = "Europe/Paris"

[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[tiers]
metric = "spend"

[[tiers.levels]]
code = "gold"
name = "Gold"
threshold = 1000000

[[surveys]]
code = "after-visit"
question = "How likely are you to recommend us?"
kind = "nps"
points = 20
once = "per_period"
period = "month"
cooldown_days = 7

[[surveys]]
code = "welcome"
question = "How was your first visit?"
kind = "csat"
points = 5
"#;

async fn cafe(db: TestDb) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cafe.toml");
    std::fs::write(&path, PROGRAM).unwrap();
    let app = TestApp::start_with(db, &path).await;
    app.clock.set(at("2026-03-02T12:00:00Z"));
    (app, dir)
}

async fn enrol(app: &TestApp, member: &str) {
    let got = app.post("/v1/members", json!({"external_id": member})).await;
    assert_eq!(got.status, 201, "{:?}", got.body);
}

async fn answer(app: &TestApp, member: &str, body: Value) -> TestResponse {
    app.post(&format!("/v1/members/{member}/survey-responses"), body).await
}

async fn answered(app: &TestApp, member: &str, survey: &str, score: i64) -> Value {
    let got = answer(app, member, json!({"survey": survey, "score": score})).await;
    assert_eq!(got.status, 201, "{member} {survey} {score}: {:?}", got.body);
    got.body
}

async fn an_answer_earns_its_points_and_how_often_is_enforced(db: TestDb) {
    let (app, _dir) = cafe(db).await;
    enrol(&app, "ada").await;
    let bought = app
        .post(
            "/v1/events",
            json!({"type": "purchase", "member": "ada", "order_id": "o-1",
                   "lines": [{"sku": "latte", "quantity": 1, "unit_price_minor": 450}]}),
        )
        .await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    assert_eq!(available(&app, "ada").await, 4);

    let got = answer(
        &app,
        "ada",
        json!({"survey": "after-visit", "score": 9, "comment": "Lovely", "order_id": "o-1"}),
    )
    .await;
    assert_eq!(got.status, 201, "{:?}", got.body);
    assert_eq!(
        (&got.body["survey"], &got.body["kind"], &got.body["score"], &got.body["band"], &got.body["comment"]),
        (&json!("after-visit"), &json!("nps"), &json!(9), &json!("promoter"), &json!("Lovely"))
    );
    assert_eq!((&got.body["order_id"], &got.body["points_awarded"]), (&json!("o-1"), &json!(20)));
    assert_eq!(got.body["balance"]["available"], 24);
    assert_eq!(got.body["occurred_at"], "2026-03-02T12:00:00Z");

    // The answer is in the journal as its own kind of entry.
    let ledger = app.get("/v1/members/ada/ledger").await;
    assert_eq!(ledger.status, 200, "{:?}", ledger.body);
    let survey: Vec<&Value> =
        ledger.body["entries"].as_array().unwrap().iter().filter(|e| e["kind"] == "survey").collect();
    assert_eq!(survey.len(), 1, "{:?}", ledger.body);
    assert_eq!(survey[0]["reference"], "after-visit");
    let postings: Vec<(&str, i64)> = survey[0]["postings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["account"].as_str().unwrap(), p["amount"].as_i64().unwrap()))
        .collect();
    assert_eq!(postings, [("program:issued", -20), ("member:available", 20)]);

    // Once a month, in Paris: the 31st of March is still March.
    app.clock.set(at("2026-03-30T12:00:00Z"));
    let again = answer(&app, "ada", json!({"survey": "after-visit", "score": 10})).await;
    assert_eq!((again.status, again.code()), (409, "survey_already_answered"), "{:?}", again.body);
    // April: a new month, but 7 days must pass after the last answer. An April answer
    // needs another member to show the cool-down: ada's last answer was in early March.
    app.clock.set(at("2026-04-05T12:00:00Z"));
    answered(&app, "ada", "after-visit", 8).await;
    enrol(&app, "bob").await;
    app.clock.set(at("2026-04-29T12:00:00Z"));
    answered(&app, "bob", "after-visit", 7).await;
    app.clock.set(at("2026-05-02T12:00:00Z"));
    let cooling = answer(&app, "bob", json!({"survey": "after-visit", "score": 7})).await;
    assert_eq!((cooling.status, cooling.code()), (409, "survey_cooling_down"), "{:?}", cooling.body);
    app.clock.set(at("2026-05-06T12:00:00Z"));
    answered(&app, "bob", "after-visit", 6).await;
    assert_eq!(available(&app, "bob").await, 40);

    // Once ever.
    answered(&app, "ada", "welcome", 4).await;
    let twice = answer(&app, "ada", json!({"survey": "welcome", "score": 5})).await;
    assert_eq!((twice.status, twice.code()), (409, "survey_already_answered"), "{:?}", twice.body);
    assert_eq!(available(&app, "ada").await, 4 + 20 + 20 + 5);
    app.assert_consistent().await;
}

/// `(code, due, not_due, due_at)` of each survey, as `GET .../surveys` tells them.
async fn due(app: &TestApp, member: &str) -> Vec<(String, bool, Value, Value)> {
    let got = app.get(&format!("/v1/members/{member}/surveys")).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert_eq!(got.body["member"], member);
    got.body["surveys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let field = |name: &str| s.get(name).cloned().unwrap_or(Value::Null);
            (
                s["code"].as_str().unwrap().to_owned(),
                s["due"].as_bool().unwrap(),
                field("not_due"),
                field("due_at"),
            )
        })
        .collect()
}

fn survey(code: &str, due: bool, not_due: Value, due_at: Value) -> (String, bool, Value, Value) {
    (code.to_owned(), due, not_due, due_at)
}

async fn a_member_is_told_which_surveys_are_due_by_the_rules_answers_meet(db: TestDb) {
    let (app, _dir) = cafe(db).await;
    enrol(&app, "ada").await;
    let fresh = [
        survey("after-visit", true, Value::Null, Value::Null),
        survey("welcome", true, Value::Null, Value::Null),
    ];
    assert_eq!(due(&app, "ada").await, fresh);
    // The survey's own fields come along, so a page can ask the question.
    let got = app.get("/v1/members/ada/surveys").await;
    assert_eq!(got.body["surveys"][0]["question"], "How likely are you to recommend us?");
    assert_eq!(
        (&got.body["surveys"][0]["min_score"], &got.body["surveys"][0]["max_score"]),
        (&json!(0), &json!(10))
    );

    answered(&app, "ada", "after-visit", 9).await;
    answered(&app, "ada", "welcome", 5).await;
    // Answered this month (Paris), and the once-ever survey for good.
    app.clock.set(at("2026-03-30T12:00:00Z"));
    assert_eq!(
        due(&app, "ada").await,
        [
            survey("after-visit", false, json!("answered_this_period"), Value::Null),
            survey("welcome", false, json!("answered"), Value::Null),
        ]
    );
    // April, but the 7 days after an answer of 29 March are not over until 5 April.
    app.clock.set(at("2026-03-29T12:00:00Z"));
    enrol(&app, "bob").await;
    answered(&app, "bob", "after-visit", 7).await;
    app.clock.set(at("2026-04-02T12:00:00Z"));
    let cooling = survey("after-visit", false, json!("cooling_down"), json!("2026-04-05T12:00:00Z"));
    assert_eq!(due(&app, "bob").await[0], cooling);
    // What the route says is what an answer meets.
    let refused = answer(&app, "bob", json!({"survey": "after-visit", "score": 8})).await;
    assert_eq!((refused.status, refused.code()), (409, "survey_cooling_down"), "{:?}", refused.body);
    app.clock.set(at("2026-04-05T12:00:00Z"));
    assert_eq!(due(&app, "bob").await[0], survey("after-visit", true, Value::Null, Value::Null));
    answered(&app, "bob", "after-visit", 8).await;

    let nobody = app.get("/v1/members/nobody/surveys").await;
    assert_eq!((nobody.status, nobody.code()), (404, "member_not_found"), "{:?}", nobody.body);
}

async fn bad_answers_are_refused_with_their_codes_and_change_nothing(db: TestDb) {
    let (app, _dir) = cafe(db).await;
    enrol(&app, "ada").await;
    enrol(&app, "bob").await;
    let bob_bought = app
        .post(
            "/v1/events",
            json!({"type": "purchase", "member": "bob", "order_id": "o-bob",
                   "lines": [{"sku": "latte", "quantity": 1, "unit_price_minor": 450}]}),
        )
        .await;
    assert_eq!(bob_bought.status, 201, "{:?}", bob_bought.body);
    let cases = [
        ("ada", json!({"survey": "after-visit", "score": 11}), 422, "score_out_of_range"),
        ("ada", json!({"survey": "after-visit", "score": -1}), 422, "score_out_of_range"),
        ("ada", json!({"survey": "welcome", "score": 0}), 422, "score_out_of_range"),
        ("ada", json!({"survey": "welcome", "score": 6}), 422, "score_out_of_range"),
        ("ada", json!({"survey": "lunch", "score": 5}), 404, "survey_not_found"),
        ("ada", json!({"survey": "Not A Code!", "score": 5}), 422, "invalid_request"),
        ("ada", json!({"survey": "welcome", "score": 5, "order_id": "o-none"}), 404, "order_not_found"),
        (
            "ada",
            json!({"survey": "welcome", "score": 5, "order_id": "o-bob"}),
            422,
            "order_belongs_to_another_member",
        ),
        (
            "ada",
            json!({"survey": "welcome", "score": 5, "comment": "x".repeat(1001)}),
            422,
            "invalid_request",
        ),
        ("ada", json!({"survey": "welcome", "score": 5, "mood": "fine"}), 422, "invalid_request"),
        ("ada", json!({"survey": "welcome", "score": "5"}), 422, "invalid_request"),
        ("nobody", json!({"survey": "welcome", "score": 5}), 404, "member_not_found"),
    ];
    for (member, body, status, code) in cases {
        let got = answer(&app, member, body.clone()).await;
        assert_eq!((got.status, got.code()), (status, code), "{body}: {:?}", got.body);
    }
    assert_eq!(available(&app, "ada").await, 0);
    assert_eq!(entry_count(&app, "ada").await, 0);
    let report = app.get("/v1/reports/csat?from=2026-03-01&to=2026-03-31").await;
    assert_eq!(report.body["responses"], 0, "{:?}", report.body);

    // A read key may see the reports but not answer for a member.
    let read = app.add_key(Role::Read).await;
    let refused = app
        .send_as(
            &read,
            Method::POST,
            "/v1/members/ada/survey-responses",
            Some(json!({"survey": "welcome", "score": 5})),
        )
        .await;
    assert_eq!((refused.status, refused.code()), (403, "forbidden"));
    let pos = app.add_key(Role::Pos).await;
    let till = app
        .send_as(
            &pos,
            Method::POST,
            "/v1/members/ada/survey-responses",
            Some(json!({"survey": "welcome", "score": 5})),
        )
        .await;
    assert_eq!(till.status, 201, "{:?}", till.body);
    app.assert_consistent().await;
}

/// Seven members answer the NPS survey in March: 10, 9, 9, 8, 7, 6 and 0; m1 and m7 are
/// gold. Every member bought once in February, so the analytics job scores them all.
async fn the_nps_report_counts_bands_per_tier_and_segment_in_the_period(db: TestDb) {
    let (app, _dir) = cafe(db).await;
    let scores = [10, 9, 9, 8, 7, 6, 0];
    for (i, _) in scores.iter().enumerate() {
        let member = format!("m{}", i + 1);
        let when = format!("2026-02-{:02}T12:00:00Z", 10 + i);
        app.clock.set(at(&when));
        enrol(&app, &member).await;
        let bought = app
            .post(
                "/v1/events",
                json!({"type": "purchase", "member": member, "order_id": format!("o-{member}"), "occurred_at": when,
                       "lines": [{"sku": "cake", "quantity": 1, "unit_price_minor": 1000 * (i64::try_from(i).unwrap() + 1)}]}),
            )
            .await;
        assert_eq!(bought.status, 201, "{:?}", bought.body);
    }
    for member in ["m1", "m7"] {
        let got = app.patch(&format!("/v1/members/{member}"), json!({"tier": "gold"})).await;
        assert_eq!(got.status, 200, "{:?}", got.body);
    }
    // An answer of February is outside March's report.
    app.clock.set(at("2026-02-27T12:00:00Z"));
    answered(&app, "m7", "after-visit", 10).await;
    app.clock.set(at("2026-03-20T12:00:00Z"));
    let ran = app.post("/v1/jobs/run", json!({"jobs": ["analytics"]})).await;
    assert_eq!(ran.status, 200, "{:?}", ran.body);
    for (i, score) in scores.iter().enumerate() {
        answered(&app, &format!("m{}", i + 1), "after-visit", *score).await;
    }

    let got = app.get("/v1/reports/nps?from=2026-03-01&to=2026-03-31").await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    let b = &got.body;
    assert_eq!(
        (&b["responses"], &b["promoters"], &b["passives"], &b["detractors"], &b["nps"], &b["mean_score"]),
        (&json!(7), &json!(3), &json!(2), &json!(2), &json!("14.3"), &json!("7.00"))
    );
    assert_eq!(
        (&b["survey"], &b["from"], &b["to"]),
        (&Value::Null, &json!("2026-03-01"), &json!("2026-03-31"))
    );
    assert_eq!(b["window_from"], "2026-02-28T23:00:00Z");
    // Gold: 10 and 0, one promoter and one detractor. No tier: 9, 9, 8, 7, 6.
    assert_eq!(
        b["by_tier"],
        json!([
            {"name": "gold", "responses": 2, "promoters": 1, "passives": 0, "detractors": 1, "nps": "0.0", "mean_score": "5.00"},
            {"name": "none", "responses": 5, "promoters": 2, "passives": 2, "detractors": 1, "nps": "20.0", "mean_score": "7.80"},
        ])
    );
    // Per segment, as the job placed each member: the counts add up member by member.
    let mut want: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (i, score) in scores.iter().enumerate() {
        let member = app.get(&format!("/v1/members/m{}", i + 1)).await;
        let segment = member.body["segment"].as_str().unwrap().to_owned();
        let entry = want.entry(segment).or_default();
        entry.0 += 1;
        entry.1 += score;
    }
    let got_segments: BTreeMap<String, (i64, i64)> = b["by_segment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let n = s["responses"].as_i64().unwrap();
            let mean: f64 = s["mean_score"].as_str().unwrap().parse().unwrap();
            #[allow(clippy::cast_possible_truncation)]
            let sum = (mean * n as f64).round() as i64;
            (s["name"].as_str().unwrap().to_owned(), (n, sum))
        })
        .collect();
    assert_eq!(got_segments, want);
    assert!(want.len() >= 2, "{want:?}");

    // One survey by name; the CSV has the same lines.
    let one = app.get("/v1/reports/nps?from=2026-03-01&to=2026-03-31&survey=after-visit").await;
    assert_eq!((one.body["survey"].as_str(), &one.body["responses"]), (Some("after-visit"), &json!(7)));
    let feb = app.get("/v1/reports/nps?from=2026-02-01&to=2026-02-28").await;
    assert_eq!((&feb.body["responses"], &feb.body["nps"]), (&json!(1), &json!("100.0")));
    let csv = app.get("/v1/reports/nps?from=2026-03-01&to=2026-03-31&format=csv").await;
    assert_eq!((csv.status, csv.header("content-type")), (200, Some("text/csv; charset=utf-8")));
    let text = csv.body.as_str().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "group,name,responses,promoters,passives,detractors,nps,mean_score",
            "total,all,7,3,2,2,14.3,7.00",
            "tier,gold,2,1,0,1,0.0,5.00",
        ]
    );
    assert_eq!(lines[3], "tier,none,5,2,2,1,20.0,7.80");
    assert_eq!(lines.iter().filter(|l| l.starts_with("segment,")).count(), want.len());

    // A CSAT survey is not in the NPS report; a period must end after it starts.
    let other = app.get("/v1/reports/nps?survey=welcome").await;
    assert_eq!((other.status, other.code()), (404, "survey_not_found"));
    let backwards = app.get("/v1/reports/nps?from=2026-03-31&to=2026-03-01").await;
    assert_eq!((backwards.status, backwards.code()), (422, "invalid_request"), "{:?}", backwards.body);
    let format = app.get("/v1/reports/nps?format=xml").await;
    assert_eq!((format.status, format.code()), (422, "invalid_request"));
    // No responses: no score.
    let empty = app.get("/v1/reports/nps?from=2026-01-01&to=2026-01-31").await;
    assert_eq!((&empty.body["responses"], &empty.body["nps"]), (&json!(0), &Value::Null));
    app.assert_consistent().await;
}

async fn the_csat_report_and_the_survey_list(db: TestDb) {
    let (app, _dir) = cafe(db).await;
    for (member, score) in [("a", 5), ("b", 4), ("c", 3), ("d", 1)] {
        enrol(&app, member).await;
        answered(&app, member, "welcome", score).await;
    }
    let got = app.get("/v1/reports/csat").await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    let b = &got.body;
    assert_eq!(
        (&b["responses"], &b["satisfied"], &b["neutral"], &b["dissatisfied"], &b["csat"], &b["mean_score"]),
        (&json!(4), &json!(2), &json!(1), &json!(1), &json!("50.0"), &json!("3.25"))
    );
    assert_eq!(
        b["by_segment"],
        json!([{"name": "unscored", "responses": 4, "satisfied": 2, "neutral": 1,
        "dissatisfied": 1, "csat": "50.0", "mean_score": "3.25"}])
    );
    // The NPS survey had no answers.
    assert_eq!(app.get("/v1/reports/nps").await.body["responses"], 0);

    let list = app.get("/v1/surveys").await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    assert_eq!(
        list.body["surveys"],
        json!([
            {"code": "after-visit", "question": "How likely are you to recommend us?", "kind": "nps",
             "min_score": 0, "max_score": 10, "points": 20, "once": "per_period", "period": "month", "cooldown_days": 7},
            {"code": "welcome", "question": "How was your first visit?", "kind": "csat",
             "min_score": 1, "max_score": 5, "points": 5, "once": "ever", "period": null, "cooldown_days": 0},
        ])
    );
}

type Bodies = Arc<Mutex<Vec<Value>>>;

async fn keep(State(bodies): State<Bodies>, body: Bytes) -> StatusCode {
    bodies.lock().unwrap().push(serde_json::from_slice(&body).unwrap());
    StatusCode::OK
}

async fn a_detractor_is_sent_to_webhook_subscribers(db: TestDb) {
    let (app, _dir) = cafe(db).await;
    let bodies = Bodies::default();
    let router = Router::new().route("/hook", post(keep)).with_state(bodies.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let hook = app.post("/v1/webhooks", json!({"url": url, "event_types": ["feedback_received"]})).await;
    assert_eq!(hook.status, 201, "{:?}", hook.body);

    enrol(&app, "ada").await;
    enrol(&app, "bob").await;
    answered(&app, "ada", "after-visit", 7).await;
    let got =
        answer(&app, "bob", json!({"survey": "after-visit", "score": 2, "comment": "Cold coffee"})).await;
    assert_eq!(got.status, 201, "{:?}", got.body);
    answered(&app, "bob", "welcome", 2).await;

    let ran = app.post("/v1/webhooks/dispatch", json!({})).await;
    assert_eq!(ran.status, 200, "{:?}", ran.body);
    let mut told: Vec<Value> = std::mem::take(&mut *bodies.lock().unwrap())
        .into_iter()
        .map(|d| {
            assert_eq!(d["type"], "feedback_received", "{d:?}");
            let b = &d["data"];
            json!({"member": b["member"], "survey": b["survey"], "kind": b["kind"], "score": b["score"],
                   "comment": b["comment"]})
        })
        .collect();
    told.sort_by_key(|t| t["kind"].as_str().unwrap().to_owned());
    assert_eq!(
        told,
        [
            json!({"member": "bob", "survey": "welcome", "kind": "csat", "score": 2, "comment": null}),
            json!({"member": "bob", "survey": "after-visit", "kind": "nps", "score": 2, "comment": "Cold coffee"}),
        ]
    );
    app.assert_consistent().await;
}
