//! Driving the real router in process, with a program loaded and a manual clock.

use crate::{TestDb, at, coffee_path};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request};
use http_body_util::BodyExt;
use loyalty_server::secrets::{key_hash, new_api_key};
use loyalty_server::{Clock, Settings, Started, WebhookSettings, app, start};
use loyalty_store::{Role, SqlStore, Store};
use serde_json::Value;
use std::path::Path;
use tower::ServiceExt;

/// The app as a till would see it: the coffee program and its admin key.
#[derive(Debug)]
pub struct TestApp {
    pub router: Router,
    pub key: String,
    /// The platform key, which manages programs.
    pub platform_key: String,
    pub clock: Clock,
    pub store: SqlStore,
    pub db: TestDb,
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl TestResponse {
    /// The `error.code` of an error body, or "" if there is none.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The platform key of every test app, unless its settings give another.
pub const TEST_PLATFORM_KEY: &str = "lk_platform_key_of_the_tests";

/// Tests' receivers listen on 127.0.0.1 over plain http: the test app allows that, as
/// `loyalty serve --allow-private-webhooks` does.
pub fn local_webhooks() -> WebhookSettings {
    WebhookSettings { allow_private: true, ..WebhookSettings::default() }
}

impl TestApp {
    /// Starts the app on `db` with the demo program, the clock at 2026-11-02T12:00:00Z.
    pub async fn start(db: TestDb) -> TestApp {
        TestApp::start_with(db, &coffee_path()).await
    }

    /// Starts the app on `db` with the program file at `program`, the clock at
    /// 2026-11-02T12:00:00Z.
    pub async fn start_with(db: TestDb, program: &Path) -> TestApp {
        let clock = Clock::manual(at("2026-11-02T12:00:00Z"));
        let settings = Settings {
            program_files: vec![program.to_owned()],
            webhooks: local_webhooks(),
            ..Settings::default()
        };
        TestApp::boot(db, settings, clock, None).await
    }

    /// Starts the app as `start` does, sending webhooks as `webhooks` says (for instance
    /// refusing private targets, as `loyalty serve` does without
    /// `--allow-private-webhooks`).
    pub async fn start_with_webhooks(db: TestDb, webhooks: WebhookSettings) -> TestApp {
        let clock = Clock::manual(at("2026-11-02T12:00:00Z"));
        let settings = Settings { program_files: vec![coffee_path()], webhooks, ..Settings::default() };
        TestApp::boot(db, settings, clock, None).await
    }

    /// Stops this app and starts another on the same database with the clock where it was,
    /// as `loyalty serve` restarted would: with the program file at `program` installed
    /// first (a changed file becomes a new version), or with none, serving what the
    /// database holds.
    pub async fn restart(self, program: Option<&Path>) -> TestApp {
        let files = program.map(Path::to_owned).into_iter().collect();
        self.restart_with(Settings {
            program_files: files,
            webhooks: local_webhooks(),
            ..Settings::default()
        })
        .await
    }

    /// Restarts as `restart` does, with these settings (`--program-overrides-api`, ...).
    pub async fn restart_with(self, settings: Settings) -> TestApp {
        let TestApp { router, store, clock, db, key, .. } = self;
        drop(router);
        store.close().await;
        TestApp::boot(db, settings, clock, Some(key)).await
    }

    /// A restart shows no key (only its hash is kept), so it passes the one it had.
    async fn boot(db: TestDb, mut settings: Settings, clock: Clock, kept: Option<String>) -> TestApp {
        let store = db.connect().await;
        let platform_key = settings.platform_key.get_or_insert_with(|| TEST_PLATFORM_KEY.to_owned()).clone();
        let Started { state, programs, .. } = start(store.clone(), &settings, clock.clone()).await.unwrap();
        let key = programs[0].admin_key.clone().or(kept).expect("a first start shows its generated key");
        TestApp { router: app(state), key, platform_key, clock, store, db }
    }

    /// A new API key with `role` for the first program, as its secret.
    pub async fn add_key(&self, role: Role) -> String {
        let program = self.store.programs().await.unwrap()[0].id;
        let key = new_api_key().unwrap();
        self.store.add_api_key(program, role, "test key", &key_hash(&key), self.clock.now()).await.unwrap();
        key
    }

    /// Checks the ledger invariants over the whole database, and that replaying the event
    /// log (each event by the program version that judged it) rebuilds what is stored.
    pub async fn assert_consistent(&self) {
        let report = self.store.verify().await.unwrap();
        assert!(report.violations.is_empty(), "{:?}", report.violations);
        let replayed = loyalty_store::replay::in_memory(&self.store).await.unwrap();
        assert!(replayed.differences.is_empty(), "{:?}", replayed.differences);
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> TestResponse {
        self.send(Method::POST, path, Some(body.to_string()), &[]).await
    }

    pub async fn put(&self, path: &str, body: Value) -> TestResponse {
        self.send(Method::PUT, path, Some(body.to_string()), &[]).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> TestResponse {
        self.send(Method::PATCH, path, Some(body.to_string()), &[]).await
    }

    /// Any request authenticated with `key` instead of the admin key.
    pub async fn send_as(&self, key: &str, method: Method, path: &str, body: Option<Value>) -> TestResponse {
        let bearer = format!("Bearer {key}");
        self.send(method, path, body.map(|b| b.to_string()), &[("authorization", &bearer)]).await
    }

    /// A POST with an `Idempotency-Key`.
    pub async fn post_keyed(&self, path: &str, key: &str, body: Value) -> TestResponse {
        self.send(Method::POST, path, Some(body.to_string()), &[("idempotency-key", key)]).await
    }

    /// Any request, authenticated with the admin key unless `headers` sets another
    /// `authorization` (an empty one sends none).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> TestResponse {
        let method_name = method.as_str().to_owned();
        let mut request = Request::builder().method(method).uri(path);
        let bearer = format!("Bearer {}", self.key);
        let auth = headers.iter().find(|(n, _)| *n == "authorization").map_or(bearer.as_str(), |(_, v)| *v);
        if !auth.is_empty() {
            request = request.header("authorization", auth);
        }
        for (name, value) in headers.iter().filter(|(n, _)| *n != "authorization") {
            request = request.header(*name, *value);
        }
        if body.is_some() && !headers.iter().any(|(n, _)| *n == "content-type") {
            request = request.header("content-type", "application/json");
        }
        let request = request.body(body.map_or_else(Body::empty, Body::from)).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        // A body that is not JSON (a CSV report, the metrics) is kept as a string.
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        let media = headers.get("content-type").and_then(|v| v.to_str().ok());
        crate::contract::check(&method_name, path, status, media, &body);
        TestResponse { status, headers, body }
    }
}
