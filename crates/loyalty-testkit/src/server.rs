//! The real server on a real socket, in process: bound to port 0 before it is spawned, so
//! tests know the address at once and never sleep.

use crate::{TestDb, at, coffee_path};
use axum::Router;
use loyalty_server::{AppState, Clock, ConnectionLimits, Settings, Started, app, serve_with, start};
use loyalty_store::SqlStore;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[derive(Debug)]
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub key: String,
    pub store: SqlStore,
    pub db: TestDb,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub async fn start(db: TestDb) -> TestServer {
        TestServer::start_with_limits(db, ConnectionLimits::default()).await
    }

    /// Starts the server with `limits` on its connections (short timeouts, a small cap).
    pub async fn start_with_limits(db: TestDb, limits: ConnectionLimits) -> TestServer {
        TestServer::start_serving(db, vec![coffee_path()], limits, app).await
    }

    /// Starts the server on `programs` with the router `route` makes of the state: the
    /// API alone (`app`), or the API behind the screens.
    pub async fn start_serving(
        db: TestDb,
        programs: Vec<std::path::PathBuf>,
        limits: ConnectionLimits,
        route: impl FnOnce(AppState<SqlStore>) -> Router,
    ) -> TestServer {
        let store = db.connect().await;
        let settings =
            Settings { program_files: programs, webhooks: crate::local_webhooks(), ..Settings::default() };
        let clock = Clock::manual(at("2026-11-02T12:00:00Z"));
        let Started { state, programs, .. } = start(store.clone(), &settings, clock).await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let stopped = async move {
            let _ = stopped.await;
        };
        let task = tokio::spawn(serve_with(listener, route(state), stopped, limits));
        TestServer {
            base,
            key: programs[0].admin_key.clone().expect("a new database generates a key"),
            store,
            db,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops taking connections and waits for requests in flight.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
