//! The HTTP API of the loyalty engine: `app(state)` is the whole router, so tests drive
//! it directly and `loyalty serve` binds it to a socket.

pub mod analytics;
mod app;
pub mod audit;
mod auth;
pub mod clock;
mod docs;
pub mod error;
mod extract;
pub mod file_install;
pub mod jobs;
mod json;
mod listen;
pub mod member_token;
mod metrics;
mod observe;
pub mod openapi;
mod period;
mod platform;
mod program_body;
pub mod program_file;
pub mod rate_limit;
pub mod reports;
mod routes;
pub mod sealed;
pub mod secrets;
mod startup;
mod state;
mod survey_report;
pub mod webhooks;
pub mod weekly;

pub use app::{app, metrics_app};
pub use clock::Clock;
pub use listen::{ConnectionLimits, serve_with};
pub use metrics::Metrics;
pub use routes::events::decode_event;
pub use startup::{
    KeySource, PlatformKey, ServedProgram, Settings, StartError, Started, check, rotate_admin_key, start,
    versions,
};
pub use state::{AppState, Programs, Versions};
pub use webhooks::WebhookSettings;

/// Serves `router` on `listener` within the default connection limits until `shutdown`
/// completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, shutdown, ConnectionLimits::default()).await
}
