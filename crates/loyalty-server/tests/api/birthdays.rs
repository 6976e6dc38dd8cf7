//! The birthday job catches up: run after days the server was down, it gives each birthday
//! of those days once, and none from before the member joined.

use super::*;
use loyalty_testkit::{TestDb, at, each_backend, retail_path};

each_backend!(the_birthday_job_gives_the_birthdays_of_the_days_it_did_not_run);

async fn enrol(app: &TestApp, external_id: &str, birth_date: &str) {
    let body = json!({"external_id": external_id, "birth_date": birth_date});
    let joined = app.post("/v1/members", body).await;
    assert_eq!(joined.status, 201, "{:?}", joined.body);
}

async fn run_jobs(app: &TestApp) -> (i64, i64) {
    let ran = app.post("/v1/jobs/run", json!({})).await;
    assert_eq!(ran.status, 200, "{:?}", ran.body);
    (ran.body["report"]["birthdays"].as_i64().unwrap(), ran.body["report"]["refused"].as_i64().unwrap())
}

async fn the_birthday_job_gives_the_birthdays_of_the_days_it_did_not_run(db: TestDb) {
    // Retail: 100 points to join, 250 on a birthday, in Paris time.
    let app = TestApp::start_with(db, &retail_path()).await;
    app.clock.set(at("2026-11-02T10:00:00Z"));
    enrol(&app, "today", "1990-11-02").await;
    enrol(&app, "third", "1985-11-03").await;
    enrol(&app, "fourth", "1972-11-04").await;
    enrol(&app, "tenth", "2001-11-10").await;
    // The first run gives today's birthdays only.
    assert_eq!(run_jobs(&app).await, (1, 0));
    assert_eq!(available(&app, "today").await, 350);

    // Down for three days: the 3rd and 4th are given late, once; the 5th has none.
    app.clock.set(at("2026-11-05T08:00:00Z"));
    enrol(&app, "latecomer", "1999-11-04").await;
    assert_eq!(run_jobs(&app).await, (2, 0));
    assert_eq!(available(&app, "third").await, 350);
    assert_eq!(available(&app, "fourth").await, 350);
    // Born on the 4th but joined on the 5th: that birthday was before their time.
    assert_eq!(available(&app, "latecomer").await, 100);
    assert_eq!(available(&app, "today").await, 350);
    assert_eq!(run_jobs(&app).await, (0, 0));

    // The bonus is dated on the birthday, the last moment of the 4th in Paris.
    let ledger = app.get("/v1/members/fourth/ledger?limit=1").await;
    assert_eq!(ledger.body["entries"][0]["occurred_at"], "2026-11-04T22:59:59.999999Z", "{:?}", ledger.body);

    app.clock.set(at("2026-11-11T09:00:00Z"));
    assert_eq!(run_jobs(&app).await, (1, 0));
    assert_eq!(available(&app, "tenth").await, 350);
    assert_eq!(available(&app, "third").await, 350);
    app.assert_consistent().await;
}
