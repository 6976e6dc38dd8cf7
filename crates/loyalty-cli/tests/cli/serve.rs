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
    assert!(
        server
            .banner
            .iter()
            .any(|l| l.contains("program    coffee \"Bean Counter Coffee\", version 1 (from file)"))
    );
    assert!(server.banner.iter().any(|l| l.contains(&format!("SQLite file {}", file.display()))));
    assert!(server.banner.iter().any(|l| l.contains("generated now and shown only this once")));
    let shown = server.banner.iter().find(|l| l.contains(&server.key)).unwrap();
    assert!(shown.trim_start().starts_with("admin key  lk_"), "{shown}");

    let api = Api { client: Client::new(), server: &server };
    let health = api.client.get(format!("{}/health", server.base)).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    // The line to try reads the program with the printed key, and enrols nobody, so the
    // walkthrough's c-1001 is still free.
    let hint = server.banner.last().unwrap().trim();
    assert_eq!(hint, format!("curl -s {}/v1/program -H 'Authorization: Bearer {}'", server.base, server.key));
    let (status, program) = api.get("/v1/program").await;
    assert_eq!((status, program["code"].as_str()), (StatusCode::OK, Some("coffee")));

    let (status, _) = api.post("/v1/members", None, json!({"external_id": "c-1001"})).await;
    assert_eq!(status, StatusCode::CREATED);
    // As the README's walkthrough: the purchase happens now, whatever today's date.
    let order = json!({"type": "purchase", "member": "c-1001", "order_id": "o-1",
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

    // No --program this time: the programs already in the database are served. The key is
    // not shown again (the database has only its hash), but the banner says how to make one.
    let mut second = Server::start(&database, &[], &[], dir.path());
    assert_eq!(second.key, "");
    assert!(second.banner.iter().all(|l| !l.contains(&key)), "{:#?}", second.banner);
    let rotate = format!("for a new one: loyalty keys rotate --program coffee --database {database}");
    assert!(second.banner.iter().any(|l| l.contains(&rotate)), "{:#?}", second.banner);
    second.key = key;
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
    assert!(server.banner.iter().any(|l| l.contains("admin key  from LOYALTY_ADMIN_KEY")));
    assert!(server.banner.iter().all(|l| !l.contains(chosen)), "the banner does not echo the key");
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

/// A start that fails, for a bad program file, a bad key or nothing to serve, leaves no
/// database file behind.
#[test]
fn a_failed_start_creates_no_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("never.db");
    let database = format!("sqlite://{}", file.display());
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "id = \"x\"\nname = \"X\"\ncurrency = 12\n").unwrap();
    let bad = run(loyalty()
        .args(["serve", "--database", &database, "--listen", "127.0.0.1:0", "--program"])
        .arg(&broken));
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains(&format!("{} is not a valid program", broken.display())),
        "{}",
        stderr(&bad)
    );

    let short = run(loyalty()
        .args(["serve", "--database", &database, "--listen", "127.0.0.1:0", "--program", &coffee()])
        .env("LOYALTY_ADMIN_KEY", "short"));
    assert_eq!(short.status.code(), Some(2));
    assert!(stderr(&short).contains("LOYALTY_ADMIN_KEY must be 16 to 255"), "{}", stderr(&short));

    let nothing = run(loyalty().args(["serve", "--database", &database, "--listen", "127.0.0.1:0"]));
    assert_eq!(nothing.status.code(), Some(2));
    assert!(stderr(&nothing).contains("no program is loaded"), "{}", stderr(&nothing));

    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("broken.toml")]);
}

#[tokio::test]
async fn keys_rotate_prints_a_new_key_once_and_revokes_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("rotate.db").display());
    let first = Server::start(&database, &["--program", &coffee()], &[], dir.path());
    let old = first.key.clone();
    let client = Client::new();
    let before = client.get(format!("{}/v1/program", first.base)).bearer_auth(&old).send().await.unwrap();
    assert_eq!(before.status(), StatusCode::OK);
    first.stop();

    let rotated = run(loyalty().args(["keys", "rotate", "--program", "coffee", "--database", &database]));
    assert_eq!(rotated.status.code(), Some(0), "{}", stderr(&rotated));
    let printed = stdout(&rotated);
    let new = printed.split_whitespace().find(|w| w.starts_with("lk_")).unwrap().to_owned();
    assert_ne!(new, old);
    assert!(printed.contains("the old admin key is revoked"), "{printed}");

    let mut server = Server::start(&database, &[], &[], dir.path());
    assert!(server.banner.iter().all(|l| !l.contains(&new)), "shown once, by rotate: {:#?}", server.banner);
    let status = |key: String| {
        let request = client.get(format!("{}/v1/program", server.base)).bearer_auth(key);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(status(old.clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status(new.clone()).await, StatusCode::OK);
    server.key = new;
    server.stop();

    let unknown = run(loyalty().args(["keys", "rotate", "--program", "tea", "--database", &database]));
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("there is no program `tea`"), "{}", stderr(&unknown));
    let missing = dir.path().join("missing.db");
    let nowhere = format!("sqlite://{}", missing.display());
    let none = run(loyalty().args(["keys", "rotate", "--program", "coffee", "--database", &nowhere]));
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("there is no database at"), "{}", stderr(&none));
    assert!(!missing.exists());
}

#[tokio::test]
async fn keys_made_listed_and_revoked_from_the_command_line_work_on_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("keys.db").display());
    let client = Client::new();
    let first = Server::start(&database, &["--program", &coffee()], &[], dir.path());
    assert_eq!(first.get_json(&client, "/v1/program").await["code"], "coffee");
    first.stop();
    let keys = |args: &[&str]| {
        run(loyalty().arg("keys").args(args).args(["--program", "coffee", "--database", &database]))
    };

    let made = keys(&["create", "--name", "till 7", "--role", "pos"]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    let printed = stdout(&made);
    let secret = printed.lines().find_map(|l| l.strip_prefix("secret: ")).unwrap().to_owned();
    let id = printed.split('\t').next().unwrap().to_owned();
    let listed = stdout(&keys(&["list"]));
    let line = listed.lines().find(|l| l.starts_with(&format!("{id}\t"))).unwrap_or_default();
    assert!(line.contains("pos\ttill 7\t") && line.contains(&secret[..11]), "{listed}");
    assert!(!listed.contains(&secret), "a listed key shows its secret: {listed}");
    let refused = keys(&["create", "--name", "x", "--role", "pos", "--expires-at", "2000-01-01T00:00:00Z"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--expires-at: must be in the future"), "{}", stderr(&refused));

    let server = Server::start(&database, &[], &[], dir.path());
    let status = |key: String| {
        let request = client.get(format!("{}/v1/members/nobody", server.base)).bearer_auth(key);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(status(secret.clone()).await, StatusCode::NOT_FOUND);
    let revoked = keys(&["revoke", "--id", &id]);
    assert_eq!(revoked.status.code(), Some(0), "{}", stderr(&revoked));
    assert_eq!(status(secret.clone()).await, StatusCode::UNAUTHORIZED);
    let again = keys(&["revoke", "--id", &id]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains(&format!("no live key {id}")), "{}", stderr(&again));
    server.stop();
}

#[tokio::test]
async fn a_restart_with_program_keeps_api_changes_and_refuses_to_replace_them_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("files.db").display());
    let file = dir.path().join("coffee.toml");
    let text = std::fs::read_to_string(coffee()).unwrap();
    std::fs::write(&file, &text).unwrap();
    let program = file.display().to_string();
    let first = Server::start(&database, &["--program", &program], &[], dir.path());
    let key = first.key.clone();
    let api = Api { client: Client::new(), server: &first };
    let muffin = json!({"code": "muffin", "name": "A muffin", "kind": "product", "points_cost": 50});
    assert_eq!(api.post("/v1/rewards", None, muffin).await.0, StatusCode::CREATED);
    first.stop();

    let mut same = Server::start(&database, &["--program", &program], &[], dir.path());
    assert!(same.banner.iter().any(|l| l.contains("version 2 (from api)")), "{:#?}", same.banner);
    same.key = key.clone();
    let api = Api { client: Client::new(), server: &same };
    assert_eq!(api.get("/v1/rewards/muffin").await.0, StatusCode::OK);
    same.stop();

    std::fs::write(&file, text.replace("name = \"Bean Counter Coffee\"", "name = \"Bean Counter\"")).unwrap();
    let refused = run(loyalty().args([
        "serve",
        "--database",
        &database,
        "--listen",
        "127.0.0.1:0",
        "--program",
        &program,
    ]));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("program coffee has version 2 made over the API"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("--program-overrides-api"), "{}", stderr(&refused));

    let overriding =
        Server::start(&database, &["--program", &program, "--program-overrides-api"], &[], dir.path());
    assert!(
        overriding.banner.iter().any(|l| l.contains("coffee \"Bean Counter\", version 3 (from file)")),
        "{:#?}",
        overriding.banner
    );
}
