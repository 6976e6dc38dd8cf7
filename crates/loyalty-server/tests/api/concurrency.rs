//! Many clients at once against the real server over real HTTP: no point is spent twice,
//! no update is lost, and a lost race is never a 500.

use loyalty_store::Store;
use loyalty_testkit::{TestDb, TestServer, each_backend};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::JoinSet;

/// Where the clients send their requests; cheap to share among client tasks.
#[derive(Clone)]
pub(super) struct Target {
    client: Client,
    base: Arc<str>,
    key: Arc<str>,
}

impl Target {
    pub(super) fn of(server: &TestServer) -> Target {
        Target { client: Client::new(), base: server.base.as_str().into(), key: server.key.as_str().into() }
    }

    pub(super) async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let url = format!("{}{path}", self.base);
        let response = self.client.post(url).bearer_auth(&*self.key).json(&body).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub(super) async fn get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.base);
        let response = self.client.get(url).bearer_auth(&*self.key).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    async fn balance(&self, member: &str) -> i64 {
        let url = format!("{}/v1/members/{member}", self.base);
        let body: Value =
            self.client.get(url).bearer_auth(&*self.key).send().await.unwrap().json().await.unwrap();
        body["balance"]["available"].as_i64().unwrap()
    }
}

each_backend!(sixty_four_redemptions_of_one_drink_grant_exactly_one, sixteen_clients_lose_no_update);

async fn sixty_four_redemptions_of_one_drink_grant_exactly_one(db: TestDb) {
    let server = TestServer::start(db).await;
    let target = Target::of(&server);
    target.post("/v1/members", json!({"external_id": "c-1"})).await;
    let (status, _) =
        target.post("/v1/members/c-1/adjustments", json!({"points": 90, "reason": "one drink"})).await;
    assert_eq!(status, StatusCode::CREATED);

    let mut attempts = JoinSet::new();
    for _ in 0..64 {
        let target = target.clone();
        attempts.spawn(async move {
            target.post("/v1/members/c-1/redemptions", json!({"reward": "free-drink"})).await
        });
    }
    let results = attempts.join_all().await;
    let granted = results.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    let refused = results
        .iter()
        .filter(|(s, b)| {
            *s == StatusCode::UNPROCESSABLE_ENTITY && b["error"]["code"] == "insufficient_points"
        })
        .count();
    assert_eq!(
        (granted, refused),
        (1, 63),
        "{:?}",
        results.iter().map(|(s, _)| s.as_u16()).collect::<Vec<_>>()
    );
    assert_eq!(target.balance("c-1").await, 0);
    assert_eq!(server.store.verify().await.unwrap().violations, vec![]);
    server.stop().await;
}

const CLIENTS: usize = 16;
const PURCHASES_PER_CLIENT: usize = 1_000;
const MEMBERS: usize = 10;

async fn sixteen_clients_lose_no_update(db: TestDb) {
    let server = TestServer::start(db).await;
    let target = Target::of(&server);
    for m in 0..MEMBERS {
        let (status, _) = target.post("/v1/members", json!({"external_id": format!("m-{m}")})).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let mut clients = JoinSet::new();
    for c in 0..CLIENTS {
        let target = target.clone();
        clients.spawn(async move {
            // What this client's requests did to each member, worked out from the requests.
            let mut earned: HashMap<usize, i64> = HashMap::new();
            let mut statuses = Vec::new();
            for i in 0..PURCHASES_PER_CLIENT {
                let member = (c + i) % MEMBERS;
                let quantity = 1 + (i % 3) as i64;
                let price = 100 + ((c * 31 + i * 7) % 900) as i64;
                let order = json!({"type": "purchase", "member": format!("m-{member}"), "order_id": format!("o-{c}-{i}"),
                    "lines": [{"sku": "latte", "category": "coffee", "quantity": quantity, "unit_price_minor": price}]});
                let (status, body) = target.post("/v1/events", order).await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
                // 10 points per 1.00, floored once per order.
                let points = quantity * price / 10;
                assert_eq!(body["points_awarded"].as_i64(), Some(points));
                *earned.entry(member).or_default() += points;
                if i % 10 == 9 {
                    let path = format!("/v1/members/m-{member}/redemptions");
                    let (status, body) = target.post(&path, json!({"reward": "free-drink"})).await;
                    match status {
                        StatusCode::CREATED => *earned.entry(member).or_default() -= 90,
                        StatusCode::UNPROCESSABLE_ENTITY => assert_eq!(body["error"]["code"], "insufficient_points"),
                        other => panic!("a redemption answered {other}: {body}"),
                    }
                    statuses.push(status);
                }
            }
            (earned, statuses)
        });
    }
    let mut expected: HashMap<usize, i64> = HashMap::new();
    let mut redemptions = 0;
    for (earned, statuses) in clients.join_all().await {
        for (member, points) in earned {
            *expected.entry(member).or_default() += points;
        }
        redemptions += statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    }
    assert!(redemptions > 0);
    for m in 0..MEMBERS {
        assert_eq!(target.balance(&format!("m-{m}")).await, expected[&m], "member m-{m}");
    }
    let report = server.store.verify().await.unwrap();
    assert_eq!(report.violations, vec![]);
    assert_eq!(report.events as usize, MEMBERS + CLIENTS * PURCHASES_PER_CLIENT + redemptions);
    server.stop().await;
}
