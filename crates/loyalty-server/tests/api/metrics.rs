//! What the server tells its operators: `GET /metrics` in the Prometheus text format, and
//! an `x-request-id` on every answer.

use super::*;
use axum::body::Body;
use axum::http::{HeaderMap, Request};
use http_body_util::BodyExt;
use loyalty_testkit::{TestDb, at, bistro_path, each_backend};
use tower::ServiceExt;

each_backend!(
    requests_events_and_points_are_counted,
    the_jobs_events_are_counted,
    every_answer_carries_a_request_id
);

/// `GET /metrics` without a key: its status, content type and text.
async fn scrape(app: &TestApp) -> (u16, String, String) {
    let request = Request::get("/metrics").body(Body::empty()).unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, String::from_utf8(bytes.to_vec()).unwrap())
}

/// The samples of the metric `name` (its `{labels} value` lines), sorted.
fn samples(text: &str, name: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix(name))
        .filter(|rest| rest.starts_with('{') || rest.starts_with(' '))
        .map(str::to_owned)
        .collect();
    found.sort();
    found
}

fn lines(expected: &[&str]) -> Vec<String> {
    let mut lines: Vec<String> = expected.iter().map(|l| (*l).to_owned()).collect();
    lines.sort();
    lines
}

async fn requests_events_and_points_are_counted(db: TestDb) {
    // Enrolled (no welcome bonus on the coffee program), then 160 beans for order o-1.
    let app = with_purchase(db).await;
    let again = app.post("/v1/events", order_o1()).await;
    assert_eq!((again.status, again.header("idempotent-replayed")), (201, Some("true")), "{:?}", again.body);
    let redeemed = app.post("/v1/members/c-1001/redemptions", json!({"reward": "free-drink"})).await;
    assert_eq!((redeemed.status, &redeemed.body["points_spent"]), (201, &json!(90)), "{:?}", redeemed.body);
    let refused = app.post("/v1/members/c-1001/redemptions", json!({"reward": "free-drink"})).await;
    assert_eq!((refused.status, refused.code()), (422, "insufficient_points"), "{:?}", refused.body);
    assert_eq!(available(&app, "c-1001").await, 70);
    assert_eq!(app.get("/v1/no-such-route/c-1001").await.status, 404);

    let (status, content_type, text) = scrape(&app).await;
    assert_eq!((status, content_type.as_str()), (200, "text/plain; version=0.0.4; charset=utf-8"));
    // Route templates, never the member's id; the retried order is answered but not decided.
    assert_eq!(
        samples(&text, "loyalty_http_requests_total"),
        lines(&[
            r#"{method="POST",route="/v1/members",status="201"} 1"#,
            r#"{method="POST",route="/v1/events",status="201"} 2"#,
            r#"{method="POST",route="/v1/members/{external_id}/redemptions",status="201"} 1"#,
            r#"{method="POST",route="/v1/members/{external_id}/redemptions",status="422"} 1"#,
            r#"{method="GET",route="/v1/members/{external_id}",status="200"} 1"#,
            r#"{method="GET",route="unmatched",status="404"} 1"#,
        ]),
        "{text}"
    );
    assert_eq!(
        samples(&text, "loyalty_events_decided_total"),
        lines(&[
            r#"{program="coffee",type="enrol",result="accepted"} 1"#,
            r#"{program="coffee",type="purchase",result="accepted"} 1"#,
            r#"{program="coffee",type="redeem",result="accepted"} 1"#,
            r#"{program="coffee",type="redeem",result="refused",code="insufficient_points"} 1"#,
        ]),
        "{text}"
    );
    assert_eq!(samples(&text, "loyalty_points_issued_total"), [r#"{program="coffee"} 160"#], "{text}");
    assert_eq!(samples(&text, "loyalty_points_redeemed_total"), [r#"{program="coffee"} 90"#], "{text}");

    // One histogram per method and route: every bucket bound, cumulative, up to +Inf.
    let redemptions = r#"method="POST",route="/v1/members/{external_id}/redemptions""#;
    let buckets = samples(&text, "loyalty_http_request_duration_seconds_bucket");
    let ours: Vec<&String> = buckets.iter().filter(|l| l.starts_with(&format!("{{{redemptions},"))).collect();
    assert_eq!(ours.len(), 13, "{text}");
    assert!(ours.iter().any(|l| l.ends_with(r#"le="+Inf"} 2"#)), "{text}");
    assert!(ours.iter().all(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap() <= 2), "{text}");
    assert_eq!(
        samples(&text, "loyalty_http_request_duration_seconds_count"),
        lines(&[
            r#"{method="POST",route="/v1/members"} 1"#,
            r#"{method="POST",route="/v1/events"} 2"#,
            &format!("{{{redemptions}}} 2"),
            r#"{method="GET",route="/v1/members/{external_id}"} 1"#,
            r#"{method="GET",route="unmatched"} 1"#,
        ]),
        "{text}"
    );
    for family in
        ["loyalty_http_requests_total", "loyalty_events_decided_total", "loyalty_points_issued_total"]
    {
        assert!(text.contains(&format!("# TYPE {family} counter\n")), "{family}: {text}");
    }
    assert!(text.contains("# TYPE loyalty_http_request_duration_seconds histogram\n"), "{text}");

    // The scrape is counted once it is answered.
    let (_, _, text) = scrape(&app).await;
    let metrics: Vec<String> = samples(&text, "loyalty_http_requests_total")
        .into_iter()
        .filter(|l| l.contains("/metrics"))
        .collect();
    assert_eq!(metrics, [r#"{method="GET",route="/metrics",status="200"} 1"#], "{text}");
}

/// On the bistro program a meal's points are pending for 14 days; the job that releases
/// them decides an event like any other, and a second run finds nothing left to do.
async fn the_jobs_events_are_counted(db: TestDb) {
    let app = TestApp::start_with(db, &bistro_path()).await;
    app.clock.set(at("2026-11-02T12:00:00Z"));
    assert_eq!(app.post("/v1/members", json!({"external_id": "b-1"})).await.status, 201);
    let meal = json!({"type": "purchase", "member": "b-1", "order_id": "bill-1",
        "lines": [{"sku": "menu", "category": "food", "quantity": 1, "unit_price_minor": 4250}]});
    assert_eq!(app.post("/v1/events", meal).await.status, 201);
    app.clock.set(at("2026-11-17T12:00:00Z"));
    for _ in 0..2 {
        assert_eq!(app.post("/v1/jobs/run", json!({})).await.status, 200);
    }
    let (_, _, text) = scrape(&app).await;
    assert_eq!(
        samples(&text, "loyalty_events_decided_total"),
        lines(&[
            r#"{program="bistro",type="enrol",result="accepted"} 1"#,
            r#"{program="bistro",type="purchase",result="accepted"} 1"#,
            r#"{program="bistro",type="release_pending",result="accepted"} 1"#,
        ]),
        "{text}"
    );
    assert_eq!(samples(&text, "loyalty_points_issued_total"), [r#"{program="bistro"} 42"#], "{text}");
}

async fn get_with(app: &TestApp, path: &str, request_id: Option<&str>) -> (u16, HeaderMap) {
    let mut request = Request::get(path);
    if let Some(id) = request_id {
        request = request.header("x-request-id", id);
    }
    let response = app.router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    (response.status().as_u16(), response.headers().clone())
}

fn request_id(headers: &HeaderMap) -> String {
    headers.get("x-request-id").expect("an x-request-id header").to_str().unwrap().to_owned()
}

/// A generated id: eight hex digits for this router, a dash, then a sequence number.
fn generated(id: &str) -> bool {
    id.split_once('-').is_some_and(|(prefix, n)| {
        prefix.len() == 8
            && prefix.bytes().all(|b| b.is_ascii_hexdigit())
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

async fn every_answer_carries_a_request_id(db: TestDb) {
    let app = TestApp::start(db).await;

    let (status, first) = get_with(&app, "/health", None).await;
    let (_, second) = get_with(&app, "/health", None).await;
    let (first, second) = (request_id(&first), request_id(&second));
    assert_eq!(status, 200);
    assert!(generated(&first) && generated(&second), "{first} {second}");
    assert_ne!(first, second);
    assert_eq!(first.split_once('-').unwrap().0, second.split_once('-').unwrap().0);

    // The client's own id comes back, on errors too.
    let (status, echoed) = get_with(&app, "/health", Some("till-7:order-o-1")).await;
    assert_eq!((status, request_id(&echoed).as_str()), (200, "till-7:order-o-1"));
    let (status, echoed) = get_with(&app, "/v1/members/c-1001", Some("abc-123")).await;
    assert_eq!((status, request_id(&echoed).as_str()), (401, "abc-123"));
    let (status, echoed) = get_with(&app, "/nowhere", Some("abc-124")).await;
    assert_eq!((status, request_id(&echoed).as_str()), (404, "abc-124"));

    // One too long, or with spaces, is not written into the logs: a new one replaces it.
    for unfit in ["x".repeat(129), "two words".to_owned()] {
        let (_, replaced) = get_with(&app, "/health", Some(&unfit)).await;
        assert!(generated(&request_id(&replaced)), "{unfit} → {:?}", replaced.get("x-request-id"));
    }
    let enrolled = app.post("/v1/members", json!({"external_id": "c-1001"})).await;
    assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
    assert!(enrolled.header("x-request-id").is_some_and(generated), "{:?}", enrolled.headers);
}
