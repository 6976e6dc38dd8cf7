//! Serving connections with limits, so that idle or half-sent connections cannot lock
//! everyone out. A connection waiting for a request's head (a new one, or a kept-alive one
//! between requests) is closed after the header-read timeout. Past the cap on connections
//! served at once, a new one is answered 503 `too_many_connections` and closed; past a
//! small second cap for those answers, it is closed at once.

use crate::error::ApiError;
use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a connection may take to send a request's head, counted from when the
    /// server starts waiting for one: from the connection's opening, and after each answer
    /// on a kept-alive connection, so it is also the idle keep-alive timeout.
    pub header_read_timeout: Duration,
    /// Connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits { header_read_timeout: Duration::from_secs(10), max_connections: 4096 }
    }
}

/// Connections past the cap answered 503 at once; more are closed unanswered.
const OVERFLOW: usize = 64;

/// Serves `router` on `listener` within `limits` until `shutdown` completes, then
/// finishes the requests in flight.
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: ConnectionLimits,
) -> std::io::Result<()> {
    let served = Arc::new(Semaphore::new(limits.max_connections));
    let overflow = Arc::new(Semaphore::new(OVERFLOW));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let mut refusing = builder.clone();
    refusing.keep_alive(false);
    let max = limits.max_connections;
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Most often out of file descriptors: give connections time to close
                    // rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = stream;
        let io = TokioIo::new(stream);
        if let Ok(permit) = served.clone().try_acquire_owned() {
            // The peer's address, for the rate limit of requests without a valid key.
            let service =
                router.clone().map_request(move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                });
            let connection = graceful.watch(builder.serve_connection(io, TowerToHyperService::new(service)));
            tokio::spawn(async move {
                // A timed-out or reset connection is the client's business, not an error here.
                let _ = connection.await;
                drop(permit);
            });
        } else if let Ok(permit) = overflow.clone().try_acquire_owned() {
            let answer =
                hyper::service::service_fn(move |_| async move { Ok::<_, Infallible>(too_many(max)) });
            let connection = refusing.serve_connection(io, answer);
            tokio::spawn(async move {
                let _ = connection.await;
                drop(permit);
            });
        }
        // Otherwise `io` is dropped here: the connection is closed unanswered.
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

fn too_many(max: usize) -> Response {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "too_many_connections",
        format!("the server is serving its limit of {max} connections; try again shortly"),
    )
    .into_response()
}
