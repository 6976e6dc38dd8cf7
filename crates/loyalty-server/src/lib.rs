//! The HTTP API of the loyalty engine: `app(state)` is the whole router, so tests drive
//! it directly and `loyalty serve` binds it to a socket.

mod app;
mod auth;
pub mod clock;
mod error;
mod extract;
pub mod jobs;
mod json;
mod metrics;
mod observe;
pub mod openapi;
mod period;
pub mod program_file;
pub mod reports;
mod routes;
pub mod secrets;
mod startup;
mod state;
pub mod webhooks;

pub use app::app;
pub use clock::Clock;
pub use metrics::Metrics;
pub use startup::{KeySource, ServedProgram, Settings, StartError, Started, start, versions};
pub use state::{AppState, Programs, Versions};

/// Serves `router` on `listener` until `shutdown` completes, then finishes the requests
/// in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}
