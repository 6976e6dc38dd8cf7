use super::*;
use loyalty_testkit::coffee_path;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

fn coffee() -> String {
    coffee_path().display().to_string()
}

struct Api<'a> {
    client: Client,
    server: &'a Server,
}

impl Api<'_> {
    async fn post(&self, path: &str, key: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut request =
            self.client.post(format!("{}{path}", self.server.base)).bearer_auth(&self.server.key).json(&body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.server.base))
            .bearer_auth(&self.server.key)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }
}

#[tokio::test]
async fn the_walkthrough_runs_over_real_http_against_a_real_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.db");
    let database = format!("sqlite://{}", file.display());
    let server = Server::start(&database, &["--program", &coffee()], &[], dir.path());
    assert!(server.banner.iter().any(|l| l.contains("program    coffee \"Bean Counter Coffee\", version 1")));
    assert!(server.banner.iter().any(|l| l.contains(&format!("SQLite file {}", file.display()))));
    assert!(server.banner.iter().any(|l| l.contains("generated now and kept in the database")));

    let api = Api { client: Client::new(), server: &server };
    let health = api.client.get(format!("{}/health", server.base)).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    let (status, _) = api.post("/v1/members", None, json!({"external_id": "c-1001"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let order = json!({"type": "purchase", "member": "c-1001", "order_id": "o-1", "occurred_at": "2026-11-02T09:15:00Z",
        "lines": [{"sku": "latte", "category": "coffee", "quantity": 2, "unit_price_minor": 475},
                  {"sku": "pumpkin-loaf", "category": "pastry", "quantity": 1, "unit_price_minor": 325}]});
    let (status, bought) = api.post("/v1/events", None, order).await;
    assert_eq!((status, bought["points_awarded"].as_i64()), (StatusCode::CREATED, Some(160)));
    let (_, returned) = api
        .post("/v1/events", None, json!({"type": "return", "member": "c-1001", "order_id": "o-1", "lines": [{"sku": "pumpkin-loaf", "quantity": 1}]}))
        .await;
    assert_eq!(returned["balance"]["available"], 95);
    let (status, redeemed) =
        api.post("/v1/members/c-1001/redemptions", Some("r-1"), json!({"reward": "free-drink"})).await;
    assert_eq!((status, redeemed["balance"]["available"].as_i64()), (StatusCode::CREATED, Some(5)));
    let (status, refused) =
        api.post("/v1/members/c-1001/redemptions", None, json!({"reward": "free-drink"})).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("insufficient_points"))
    );
    let (status, replayed) =
        api.post("/v1/members/c-1001/redemptions", Some("r-1"), json!({"reward": "free-drink"})).await;
    assert_eq!((status, &replayed["code"]), (StatusCode::CREATED, &redeemed["code"]));
    let (_, member) = api.get("/v1/members/c-1001").await;
    assert_eq!(member["balance"], json!({"available": 5, "pending": 0, "pending_review": 0, "held": 0}));
    let (_, ledger) = api.get("/v1/members/c-1001/ledger").await;
    let entries = ledger["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    for entry in entries {
        let sum: i64 =
            entry["postings"].as_array().unwrap().iter().map(|p| p["amount"].as_i64().unwrap()).sum();
        assert_eq!(sum, 0);
    }
    server.stop();

    let verified = run(loyalty().args(["verify", "--database", &database]));
    assert!(verified.status.success(), "{}", stdout(&verified));
    assert!(
        stdout(&verified).contains("4 events, 3 journal entries, 1 members, 1 lots"),
        "{}",
        stdout(&verified)
    );
}

#[tokio::test]
async fn a_restart_keeps_the_data_and_the_generated_key() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("keep.db").display());
    let first = Server::start(&database, &["--program", &coffee()], &[], dir.path());
    let key = first.key.clone();
    let api = Api { client: Client::new(), server: &first };
    api.post("/v1/members", None, json!({"external_id": "c-7"})).await;
    api.post("/v1/members/c-7/adjustments", None, json!({"points": 42, "reason": "welcome"})).await;
    first.stop();

    // No --program this time: the programs already in the database are served.
    let second = Server::start(&database, &[], &[], dir.path());
    assert_eq!(second.key, key);
    assert!(second.banner.iter().any(|l| l.contains("generated at first start")));
    let api = Api { client: Client::new(), server: &second };
    let (status, member) = api.get("/v1/members/c-7").await;
    assert_eq!((status, member["balance"]["available"].as_i64()), (StatusCode::OK, Some(42)));
    second.stop();
}

#[tokio::test]
async fn the_admin_key_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("env.db").display());
    let chosen = "my-own-admin-key-0123456789";
    let server =
        Server::start(&database, &["--program", &coffee()], &[("LOYALTY_ADMIN_KEY", chosen)], dir.path());
    assert_eq!(server.key, chosen);
    assert!(server.banner.iter().any(|l| l.contains("from LOYALTY_ADMIN_KEY")));
    let api = Api { client: Client::new(), server: &server };
    let (status, _) = api.post("/v1/members", None, json!({"external_id": "c-1"})).await;
    assert_eq!(status, StatusCode::CREATED);
    server.stop();

    let short = run(loyalty()
        .args(["serve", "--database", &database, "--listen", "127.0.0.1:0"])
        .env("LOYALTY_ADMIN_KEY", "short"));
    assert_eq!(short.status.code(), Some(2));
    assert!(stderr(&short).contains("LOYALTY_ADMIN_KEY must be 16 to 255"), "{}", stderr(&short));
}

#[test]
fn serve_explains_what_is_missing_or_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let empty = format!("sqlite://{}", dir.path().join("empty.db").display());
    let no_program = run(loyalty().args(["serve", "--database", &empty, "--listen", "127.0.0.1:0"]));
    assert_eq!(no_program.status.code(), Some(2));
    assert!(
        stderr(&no_program).contains("no program is loaded: pass --program FILE"),
        "{}",
        stderr(&no_program)
    );

    let bad_url = run(loyalty().args(["serve", "--database", "mysql://x", "--listen", "127.0.0.1:0"]));
    assert_eq!(bad_url.status.code(), Some(2));
    assert!(stderr(&bad_url).contains("use sqlite://PATH or postgres://"), "{}", stderr(&bad_url));

    let bad_program = dir.path().join("bad.toml");
    std::fs::write(&bad_program, "id = \"x\"\n").unwrap();
    let bad = run(loyalty()
        .args(["serve", "--database", &empty, "--listen", "127.0.0.1:0", "--program"])
        .arg(&bad_program));
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("missing field `name`"), "{}", stderr(&bad));
}
