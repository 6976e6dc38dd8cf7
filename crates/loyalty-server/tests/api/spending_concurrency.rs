//! Spending raced over real HTTP: a reward's stock, a member's points and a member's limit
//! each hold exactly under many clients at once, and a lost race is a 4xx, never a 5xx.

use super::concurrency::Target;
use loyalty_store::Store;
use loyalty_testkit::{TestDb, TestServer, each_backend};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::task::JoinSet;

impl Target {
    /// The member's balance: available, held, ...
    async fn balances(&self, member: &str) -> Value {
        self.get(&format!("/v1/members/{member}")).await["balance"].clone()
    }

    /// Enrols `member` and gives them `points`.
    async fn member_with(&self, member: &str, points: i64) {
        let (status, body) = self.post("/v1/members", json!({"external_id": member})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let path = format!("/v1/members/{member}/adjustments");
        let (status, body) = self.post(&path, json!({"points": points, "reason": "seed"})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    async fn create_reward(&self, reward: Value) {
        let (status, body) = self.post("/v1/rewards", reward).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    /// The catalogue's view of the reward `code`.
    async fn reward(&self, code: &str) -> Value {
        let listed = self.get("/v1/rewards").await;
        let rewards = listed["rewards"].as_array().unwrap();
        rewards.iter().find(|r| r["code"] == code).cloned().unwrap_or_else(|| panic!("no {code}: {listed}"))
    }
}

/// How many answers had `status` and, for an error, the error code `code`.
fn count(results: &[(StatusCode, Value)], status: StatusCode, code: Option<&str>) -> usize {
    results.iter().filter(|(s, b)| *s == status && code.is_none_or(|c| b["error"]["code"] == c)).count()
}

fn statuses(results: &[(StatusCode, Value)]) -> Vec<String> {
    results.iter().map(|(s, b)| format!("{} {}", s.as_u16(), b["error"]["code"])).collect()
}

fn assert_no_5xx(results: &[(StatusCode, Value)]) {
    let failed: Vec<_> = results.iter().filter(|(s, _)| s.is_server_error()).collect();
    assert!(failed.is_empty(), "server errors: {failed:?}");
}

/// The ledger invariants hold, and replaying the event log rebuilds what is stored.
async fn assert_consistent(server: &TestServer) {
    let report = server.store.verify().await.unwrap();
    assert_eq!(report.violations, vec![]);
    let replayed = loyalty_store::replay::in_memory(&server.store).await.unwrap();
    assert!(replayed.differences.is_empty(), "{:?}", replayed.differences);
}

each_backend!(
    sixty_four_members_race_for_ten_totes,
    holds_and_redemptions_race_for_one_balance,
    sixteen_redemptions_within_a_limit_of_one,
    draws_beyond_a_gift_cards_balance_are_refused_for_the_balance,
);

const MEMBERS: usize = 64;
const STOCK: usize = 10;
const TOTE_COST: i64 = 100;
const SEED: i64 = 150;

async fn sixty_four_members_race_for_ten_totes(db: TestDb) {
    let server = TestServer::start(db).await;
    let target = Target::of(&server);
    target
        .create_reward(json!({"code": "tote-bag", "name": "Canvas tote", "kind": "product",
            "points_cost": TOTE_COST, "stock": STOCK}))
        .await;
    for m in 0..MEMBERS {
        target.member_with(&format!("m-{m}"), SEED).await;
    }

    let mut attempts = JoinSet::new();
    for m in 0..MEMBERS {
        let target = target.clone();
        attempts.spawn(async move {
            target.post(&format!("/v1/members/m-{m}/redemptions"), json!({"reward": "tote-bag"})).await
        });
    }
    let results = attempts.join_all().await;
    assert_no_5xx(&results);
    let granted = count(&results, StatusCode::CREATED, None);
    let sold_out = count(&results, StatusCode::CONFLICT, Some("reward_out_of_stock"));
    assert_eq!((granted, sold_out), (STOCK, MEMBERS - STOCK), "{:?}", statuses(&results));
    for (status, body) in &results {
        if *status == StatusCode::CREATED {
            assert_eq!(body["points_spent"], TOTE_COST, "{body}");
            assert_eq!(body["balance"]["available"], SEED - TOTE_COST, "{body}");
        }
    }

    let tote = target.reward("tote-bag").await;
    assert_eq!(
        (tote["stock_left"].as_i64(), tote["issued"].as_i64()),
        (Some(0), Some(STOCK as i64)),
        "{tote}"
    );
    let mut total = 0;
    for m in 0..MEMBERS {
        total += target.balances(&format!("m-{m}")).await["available"].as_i64().unwrap();
    }
    assert_eq!(total, MEMBERS as i64 * SEED - STOCK as i64 * TOTE_COST);
    assert_consistent(&server).await;
    server.stop().await;
}

const REQUESTS: usize = 32;

async fn holds_and_redemptions_race_for_one_balance(db: TestDb) {
    let server = TestServer::start(db).await;
    let target = Target::of(&server);
    target.create_reward(json!({"code": "hundred", "name": "A hundred's worth", "points_cost": 100})).await;
    target.member_with("c-1", 500).await;

    let mut attempts = JoinSet::new();
    for i in 0..REQUESTS {
        let target = target.clone();
        attempts.spawn(async move {
            let hold = i % 2 == 0;
            let answer = if hold {
                let body = json!({"order_id": format!("o-{i}"), "points": 100});
                target.post("/v1/members/c-1/holds", body).await
            } else {
                target.post("/v1/members/c-1/redemptions", json!({"reward": "hundred"})).await
            };
            (hold, answer)
        });
    }
    let tagged = attempts.join_all().await;
    let results: Vec<_> = tagged.iter().map(|(_, r)| r.clone()).collect();
    assert_no_5xx(&results);
    let granted = count(&results, StatusCode::CREATED, None);
    let refused = count(&results, StatusCode::UNPROCESSABLE_ENTITY, Some("insufficient_points"));
    assert_eq!((granted, refused), (5, REQUESTS - 5), "{:?}", statuses(&results));
    let holds: Vec<String> = tagged
        .iter()
        .filter(|(hold, (s, _))| *hold && *s == StatusCode::CREATED)
        .map(|(_, (_, body))| {
            assert_eq!(
                (body["points"].as_i64(), body["state"].as_str()),
                (Some(100), Some("open")),
                "{body}"
            );
            body["hold_id"].as_str().unwrap().to_owned()
        })
        .collect();
    let held = 100 * holds.len() as i64;

    let balance = target.balances("c-1").await;
    assert_eq!((balance["available"].as_i64(), balance["held"].as_i64()), (Some(0), Some(held)), "{balance}");

    for hold in &holds {
        let (status, body) = target.post(&format!("/v1/holds/{hold}/release"), json!({})).await;
        // Every recorded event answers 201, a settlement too.
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["state"], "released", "{body}");
    }
    let balance = target.balances("c-1").await;
    assert_eq!((balance["available"].as_i64(), balance["held"].as_i64()), (Some(held), Some(0)), "{balance}");
    assert_consistent(&server).await;
    server.stop().await;
}

const LIMITED_REQUESTS: usize = 16;

async fn sixteen_redemptions_within_a_limit_of_one(db: TestDb) {
    let server = TestServer::start(db).await;
    let target = Target::of(&server);
    target
        .create_reward(json!({"code": "yearly-mug", "name": "A mug a year", "points_cost": 50,
            "limit": {"count": 1, "period": "year"}}))
        .await;
    target.member_with("c-1", 10_000).await;

    let mut attempts = JoinSet::new();
    for _ in 0..LIMITED_REQUESTS {
        let target = target.clone();
        attempts.spawn(async move {
            target.post("/v1/members/c-1/redemptions", json!({"reward": "yearly-mug"})).await
        });
    }
    let results = attempts.join_all().await;
    assert_no_5xx(&results);
    let granted = count(&results, StatusCode::CREATED, None);
    let limited = count(&results, StatusCode::CONFLICT, Some("reward_limit_reached"));
    assert_eq!((granted, limited), (1, LIMITED_REQUESTS - 1), "{:?}", statuses(&results));
    assert_eq!(target.balances("c-1").await["available"], 10_000 - 50);
    assert_consistent(&server).await;
    server.stop().await;
}

const DRAWS: usize = 8;

/// Eight tills draw 2.50 at once on a 10.00 gift card: four are served, and each of the
/// other four hears that the card's balance is short, not that the code was used, even
/// though the card emptied by the fourth draw is `used`; the balance never goes below zero.
async fn draws_beyond_a_gift_cards_balance_are_refused_for_the_balance(db: TestDb) {
    let server = TestServer::start(db).await;
    let target = Target::of(&server);
    target
        .create_reward(json!({"code": "card-10", "name": "10 EUR card", "kind": "gift_card",
            "value_minor": 1000, "points_cost": 100}))
        .await;
    target.member_with("c-1", 100).await;
    let (status, card) = target.post("/v1/members/c-1/redemptions", json!({"reward": "card-10"})).await;
    assert_eq!(status, StatusCode::CREATED, "{card}");
    let draws = format!("/v1/gift-cards/{}/draws", card["code"].as_str().unwrap());

    let mut attempts = JoinSet::new();
    for d in 0..DRAWS {
        let (target, draws) = (target.clone(), draws.clone());
        attempts.spawn(async move {
            target.post(&draws, json!({"order_id": format!("o-{d}"), "amount_minor": 250})).await
        });
    }
    let results = attempts.join_all().await;
    assert_no_5xx(&results);
    let served = count(&results, StatusCode::CREATED, None);
    let short = count(&results, StatusCode::CONFLICT, Some("gift_card_insufficient_balance"));
    assert_eq!((served, short), (4, DRAWS - 4), "{:?}", statuses(&results));
    let mut left: Vec<i64> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .map(|(_, b)| b["balance_minor"].as_i64().unwrap())
        .collect();
    left.sort_unstable();
    assert_eq!(left, vec![0, 250, 500, 750]);

    // A draw after the card is empty hears the same.
    let (status, late) = target.post(&draws, json!({"order_id": "o-late", "amount_minor": 1})).await;
    assert_eq!(
        (status, late["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("gift_card_insufficient_balance"))
    );
    let card = target.get(draws.trim_end_matches("/draws")).await;
    assert_eq!((card["balance_minor"].as_i64(), card["state"].as_str()), (Some(0), Some("used")));
    assert_consistent(&server).await;
    server.stop().await;
}
