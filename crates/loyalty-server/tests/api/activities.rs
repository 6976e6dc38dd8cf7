//! Activities over the API, on the retail program: what each earns, the caps per day and
//! month, rewards given once (per target), and the refusals.

use super::*;
use loyalty_testkit::{TestDb, at, each_backend, retail_path};

each_backend!(
    an_activity_earns_its_points_with_an_explanation,
    caps_per_day_and_month_earn_nothing_and_say_why,
    once_activities_are_rewarded_once_per_target,
    activities_no_rule_rewards_are_refused,
    bad_activity_requests_are_invalid,
    a_retried_activity_returns_the_first_answer,
);

/// The retail program with member m-1 enrolled (100 points of welcome bonus).
async fn retail_member(db: TestDb) -> TestApp {
    let app = TestApp::start_with(db, &retail_path()).await;
    let enrolled = app.post("/v1/members", json!({"external_id": "m-1"})).await;
    assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
    assert_eq!(enrolled.body["balance"]["available"], 100);
    app
}

fn activity(kind: &str) -> Value {
    json!({"type": "activity", "kind": kind, "member": "m-1"})
}

fn activity_on(kind: &str, target: &str) -> Value {
    json!({"type": "activity", "kind": kind, "member": "m-1", "target": target})
}

async fn an_activity_earns_its_points_with_an_explanation(db: TestDb) {
    let app = retail_member(db).await;
    let got = app.post("/v1/events", activity("review")).await;
    assert_eq!(got.status, 201, "{:?}", got.body);
    assert_eq!(got.body["member"], "m-1");
    assert_eq!(got.body["kind"], "review");
    assert_eq!(got.body["occurred_at"], "2026-11-02T12:00:00Z");
    assert_eq!(got.body["points_awarded"], 20);
    assert_eq!(got.body["balance"], json!({"available": 120, "pending": 0, "pending_review": 0, "held": 0}));
    let explanation = &got.body["explanation"];
    assert_eq!(explanation["program_version"], 1);
    assert_eq!(
        explanation["awards"],
        json!([{"rule": "reviews", "kind": "activity", "points": "20", "reason": "review: 20 points"}])
    );
    assert_eq!(explanation["points"], 20);
    assert_eq!(explanation["summary"], "the awards earn 20 points in all; rounded once (floor): 20 points");
    assert!(explanation.get("lines").is_none(), "{explanation}");
    assert!(explanation.get("held_for_review").is_none(), "{explanation}");

    let photo = app.post("/v1/events", activity("photo_review")).await;
    assert_eq!((photo.status, photo.body["points_awarded"].as_i64()), (201, Some(40)));
    assert_eq!(photo.body["explanation"]["awards"][0]["rule"], "photo-reviews");
    assert_eq!(available(&app, "m-1").await, 160);

    let ledger = app.get("/v1/members/m-1/ledger").await;
    let kinds: Vec<_> =
        ledger.body["entries"].as_array().unwrap().iter().map(|e| e["kind"].clone()).collect();
    assert_eq!(kinds, vec![json!("activity"), json!("activity"), json!("bonus")]);
    assert_eq!(
        ledger.body["entries"][0]["postings"],
        json!([{"account": "program:issued", "amount": -40}, {"account": "member:available", "amount": 40}])
    );
    app.assert_consistent().await;
}

async fn caps_per_day_and_month_earn_nothing_and_say_why(db: TestDb) {
    let app = retail_member(db).await;
    // Reviews: 20 points, once a day and five times a month, days and months in Paris.
    let first = app.post("/v1/events", activity("review")).await;
    assert_eq!(first.body["points_awarded"], 20);
    let second = app.post("/v1/events", activity("review")).await;
    assert_eq!(second.status, 201, "{:?}", second.body);
    assert_eq!(second.body["points_awarded"], 0);
    assert_eq!(second.body["balance"]["available"], 120);
    assert_eq!(
        second.body["explanation"]["awards"],
        json!([{
            "rule": "reviews", "kind": "activity", "points": "0",
            "reason": "review: at most 1 a day, 1 already rewarded today"
        }])
    );
    assert_eq!(second.body["explanation"]["points"], 0);

    // 22:30 UTC is 23:30 in Paris, still the same day; 23:30 UTC is already tomorrow there.
    app.clock.set(at("2026-11-03T00:00:00Z"));
    let late_evening = app
        .post("/v1/events", json!({"type": "activity", "kind": "review", "member": "m-1", "occurred_at": "2026-11-02T22:30:00Z"}))
        .await;
    assert_eq!(late_evening.body["points_awarded"], 0, "{:?}", late_evening.body);
    let after_midnight = app
        .post("/v1/events", json!({"type": "activity", "kind": "review", "member": "m-1", "occurred_at": "2026-11-02T23:30:00Z"}))
        .await;
    assert_eq!(after_midnight.body["points_awarded"], 20, "{:?}", after_midnight.body);
    assert_eq!(after_midnight.body["occurred_at"], "2026-11-02T23:30:00Z");
    assert_eq!(available(&app, "m-1").await, 140);

    // Surveys: 25 points, twice a month.
    for expected in [25, 25, 0] {
        let survey = app.post("/v1/events", activity("survey_answered")).await;
        assert_eq!((survey.status, survey.body["points_awarded"].as_i64()), (201, Some(expected)));
    }
    let third = app.post("/v1/events", activity("survey_answered")).await;
    assert_eq!(
        third.body["explanation"]["awards"][0]["reason"],
        "survey_answered: at most 2 a month, 2 already rewarded this month"
    );
    assert_eq!(available(&app, "m-1").await, 190);
    app.clock.set(at("2026-12-01T09:00:00Z"));
    let next_month = app.post("/v1/events", activity("survey_answered")).await;
    assert_eq!(next_month.body["points_awarded"], 25);
    assert_eq!(available(&app, "m-1").await, 215);
    app.assert_consistent().await;
}

async fn once_activities_are_rewarded_once_per_target(db: TestDb) {
    let app = retail_member(db).await;
    let instagram = app.post("/v1/events", activity_on("social_follow", "instagram")).await;
    assert_eq!((instagram.status, instagram.body["points_awarded"].as_i64()), (201, Some(50)));
    assert_eq!(instagram.body["explanation"]["awards"][0]["reason"], "social_follow: 50 points");

    app.clock.set(at("2026-11-20T12:00:00Z"));
    let again = app.post("/v1/events", activity_on("social_follow", "instagram")).await;
    assert_eq!((again.status, again.body["points_awarded"].as_i64()), (201, Some(0)));
    assert_eq!(
        again.body["explanation"]["awards"][0]["reason"],
        "social_follow: rewarded once per member, and already given"
    );
    let tiktok = app.post("/v1/events", activity_on("social_follow", "tiktok")).await;
    assert_eq!(tiktok.body["points_awarded"], 50);

    let sms = app.post("/v1/events", activity("sms_opt_in")).await;
    assert_eq!(sms.body["points_awarded"], 100);
    app.clock.set(at("2027-03-01T12:00:00Z"));
    let sms_again = app.post("/v1/events", activity("sms_opt_in")).await;
    assert_eq!(sms_again.body["points_awarded"], 0);
    assert_eq!(available(&app, "m-1").await, 300);

    // Once is per member: another member still earns it.
    app.post("/v1/members", json!({"external_id": "m-2"})).await;
    let other = app
        .post(
            "/v1/events",
            json!({"type": "activity", "kind": "social_follow", "member": "m-2", "target": "instagram"}),
        )
        .await;
    assert_eq!(other.body["points_awarded"], 50);
    assert_eq!(available(&app, "m-2").await, 150);
    app.assert_consistent().await;
}

async fn activities_no_rule_rewards_are_refused(db: TestDb) {
    let app = retail_member(db).await;
    let got = app.post("/v1/events", activity("newsletter_read")).await;
    assert_eq!((got.status, got.code()), (422, "activity_not_rewarded"), "{:?}", got.body);
    assert_eq!(got.body["error"]["message"], "no rule of this program rewards the activity newsletter_read");
    assert_eq!((available(&app, "m-1").await, entry_count(&app, "m-1").await), (100, 1));

    // The coffee program rewards no activity at all.
    let coffee = with_member(app.db.another().await).await;
    let got =
        coffee.post("/v1/events", json!({"type": "activity", "kind": "review", "member": "c-1001"})).await;
    assert_eq!((got.status, got.code()), (422, "activity_not_rewarded"), "{:?}", got.body);
    assert_eq!(entry_count(&coffee, "c-1001").await, 0);
}

async fn bad_activity_requests_are_invalid(db: TestDb) {
    let app = retail_member(db).await;
    let cases = [
        (
            json!({"type": "activity", "kind": "Review!", "member": "m-1"}),
            "kind: must be 1 to 40 characters of a-z, 0-9, - and _",
        ),
        (
            json!({"type": "activity", "kind": "", "member": "m-1"}),
            "kind: must be 1 to 40 characters of a-z, 0-9, - and _",
        ),
        (json!({"type": "activity", "member": "m-1"}), "missing field `kind`"),
        (json!({"type": "activity", "kind": "review"}), "missing field `member`"),
        (json!({"type": "activity", "kind": "review", "member": "has space"}), "member: "),
        (json!({"type": "activity", "kind": "review", "member": "m-1", "target": "a b"}), "target: "),
        (
            json!({"type": "activity", "kind": "review", "member": "m-1", "points": 500}),
            "points: unknown field `points`",
        ),
        (json!({"type": "activity", "kind": 7, "member": "m-1"}), "kind: invalid type"),
        (
            json!({"type": "activity", "kind": "review", "member": "m-1", "occurred_at": "soon"}),
            "occurred_at: ",
        ),
    ];
    for (body, message) in cases {
        let got = app.post("/v1/events", body.clone()).await;
        assert_eq!((got.status, got.code()), (422, "invalid_request"), "{body}: {:?}", got.body);
        let text = got.body["error"]["message"].as_str().unwrap();
        assert!(text.starts_with(message), "{body}: {text}");
    }
    let ghost =
        app.post("/v1/events", json!({"type": "activity", "kind": "review", "member": "ghost"})).await;
    assert_eq!((ghost.status, ghost.code()), (404, "member_not_found"));
    let future = app
        .post("/v1/events", json!({"type": "activity", "kind": "review", "member": "m-1", "occurred_at": "2026-11-02T13:00:00Z"}))
        .await;
    assert_eq!((future.status, future.code()), (422, "occurred_at_in_future"));
    assert_eq!((available(&app, "m-1").await, entry_count(&app, "m-1").await), (100, 1));
}

async fn a_retried_activity_returns_the_first_answer(db: TestDb) {
    let app = retail_member(db).await;
    let first = app.post_keyed("/v1/events", "follow-ig-1", activity_on("social_follow", "instagram")).await;
    assert_eq!((first.status, first.body["points_awarded"].as_i64()), (201, Some(50)));
    assert_eq!(first.header("idempotent-replayed"), None);

    // The retry comes a minute later; it is answered as the first was, and earns nothing more.
    app.clock.set(at("2026-11-02T12:01:00Z"));
    let retry = app.post_keyed("/v1/events", "follow-ig-1", activity_on("social_follow", "instagram")).await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!((available(&app, "m-1").await, entry_count(&app, "m-1").await), (150, 2));

    let reused = app.post_keyed("/v1/events", "follow-ig-1", activity_on("social_follow", "tiktok")).await;
    assert_eq!((reused.status, reused.code()), (409, "idempotency_key_reused"));
    assert_eq!(available(&app, "m-1").await, 150);
    app.assert_consistent().await;
}
