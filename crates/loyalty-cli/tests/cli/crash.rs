//! Killing the server mid-load loses nothing that was acknowledged and applies nothing
//! twice: every purchase answered 2xx before the kill is in the ledger once, and retrying
//! the unanswered ones with their keys applies each exactly once.

use super::*;
use loyalty_testkit::{TestDb, coffee_path, each_backend};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinSet;

each_backend!(a_killed_server_keeps_every_acknowledged_purchase_once);

const CLIENTS: usize = 8;
const MEMBERS: usize = 5;
/// The server is killed once this many purchases have been acknowledged.
const KILL_AFTER: usize = 200;
/// No client sends more than this, so the test ends even if the kill were late.
const MOST_PER_CLIENT: usize = 500;

#[derive(Debug, Clone)]
struct Purchase {
    key: String,
    member: usize,
    body: Value,
    points: i64,
}

fn purchase(client: usize, i: usize) -> Purchase {
    let member = (client + i) % MEMBERS;
    let price = 100 + ((client * 13 + i * 17) % 700) as i64;
    let body = json!({"type": "purchase", "member": format!("m-{member}"), "order_id": format!("o-{client}-{i}"),
        "lines": [{"sku": "latte", "category": "coffee", "quantity": 1, "unit_price_minor": price}]});
    Purchase { key: format!("k-{client}-{i}"), member, body, points: price / 10 }
}

async fn send(
    client: &Client,
    base: &str,
    key: &str,
    purchase: &Purchase,
) -> Result<StatusCode, reqwest::Error> {
    let response = client
        .post(format!("{base}/v1/events"))
        .bearer_auth(key)
        .header("Idempotency-Key", &purchase.key)
        .json(&purchase.body)
        .send()
        .await?;
    Ok(response.status())
}

async fn a_killed_server_keeps_every_acknowledged_purchase_once(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let database = db.url_text();
    let server =
        Server::start(&database, &["--program", &coffee_path().display().to_string()], &[], dir.path());
    let http = Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    for m in 0..MEMBERS {
        let response = http
            .post(format!("{}/v1/members", server.base))
            .bearer_auth(&server.key)
            .json(&json!({"external_id": format!("m-{m}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }

    let acknowledged = Arc::new(AtomicUsize::new(0));
    let enough = Arc::new(Notify::new());
    let mut clients = JoinSet::new();
    for c in 0..CLIENTS {
        let (http, base, key) = (http.clone(), server.base.clone(), server.key.clone());
        let (acknowledged, enough) = (acknowledged.clone(), enough.clone());
        clients.spawn(async move {
            let (mut answered, mut unanswered) = (Vec::new(), Vec::new());
            for i in 0..MOST_PER_CLIENT {
                let p = purchase(c, i);
                match send(&http, &base, &key, &p).await {
                    Ok(StatusCode::CREATED) => {
                        answered.push(p);
                        if acknowledged.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                            enough.notify_one();
                        }
                    }
                    Ok(other) => panic!("a purchase answered {other}"),
                    // The server died with this request in flight, or before it was sent.
                    Err(_) => {
                        unanswered.push(p);
                        break;
                    }
                }
            }
            (answered, unanswered)
        });
    }
    enough.notified().await;
    let key = server.key.clone();
    server.kill();
    let (mut answered, mut unanswered) = (Vec::new(), Vec::new());
    for (a, u) in clients.join_all().await {
        answered.extend(a);
        unanswered.extend(u);
    }
    assert!(answered.len() >= KILL_AFTER);
    assert_eq!(unanswered.len(), CLIENTS, "every client loses its last request to the kill");

    // Every acknowledged purchase survived the kill, once.
    let raw = db.raw().await;
    let applied = |key: String| {
        let raw = raw.clone();
        async move {
            let sql = "SELECT COUNT(*) FROM events e JOIN journal_entries j ON j.event_id = e.id WHERE e.idempotency_key = $1";
            sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql)).bind(key).fetch_one(&raw).await.unwrap()
        }
    };
    for p in &answered {
        assert_eq!(applied(p.key.clone()).await, 1, "{} was acknowledged", p.key);
    }

    // After a restart, the unanswered ones are retried with their keys and apply once.
    // The restart shows no key (the database keeps only its hash): the first one still works.
    let mut restarted = Server::start(&database, &[], &[], dir.path());
    restarted.key = key;
    for p in &unanswered {
        assert_eq!(send(&http, &restarted.base, &restarted.key, p).await.unwrap(), StatusCode::CREATED);
        assert_eq!(send(&http, &restarted.base, &restarted.key, p).await.unwrap(), StatusCode::CREATED);
        assert_eq!(applied(p.key.clone()).await, 1, "{} was retried twice", p.key);
    }
    let mut expected: HashMap<usize, i64> = HashMap::new();
    for p in answered.iter().chain(&unanswered) {
        *expected.entry(p.member).or_default() += p.points;
    }
    for m in 0..MEMBERS {
        let member = restarted.get_json(&http, &format!("/v1/members/m-{m}")).await;
        assert_eq!(member["balance"]["available"].as_i64(), Some(expected[&m]), "member m-{m}");
    }
    restarted.stop();
    raw.close().await;

    let verified = run(loyalty().args(["verify", "--database", &database]));
    assert_eq!(verified.status.code(), Some(0), "{}", stdout(&verified));
}
