//! Driving the real router in process, with the demo program loaded and a manual clock.

use crate::{TestDb, at, coffee_path};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request};
use http_body_util::BodyExt;
use loyalty_server::{Clock, Settings, Started, app, start};
use loyalty_store::SqlStore;
use serde_json::Value;
use tower::ServiceExt;

/// The app as a till would see it: the coffee program and its admin key.
#[derive(Debug)]
pub struct TestApp {
    pub router: Router,
    pub key: String,
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

impl TestApp {
    /// Starts the app on `db` with the demo program, the clock at 2026-11-02T12:00:00Z.
    pub async fn start(db: TestDb) -> TestApp {
        let store = db.connect().await;
        let clock = Clock::manual(at("2026-11-02T12:00:00Z"));
        let settings = Settings { program_files: vec![coffee_path()], admin_key: None };
        let Started { state, programs } = start(store.clone(), &settings, clock.clone()).await.unwrap();
        let key = programs[0].admin_key.clone();
        TestApp { router: app(state), key, clock, store, db }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> TestResponse {
        self.send(Method::POST, path, Some(body.to_string()), &[]).await
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
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap() };
        TestResponse { status, headers, body }
    }
}
