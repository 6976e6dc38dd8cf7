//! The stylesheet, htmx (vendored, pinned) and the portal's copy buttons, compiled into
//! the binary and cached by browsers for a day.

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;

/// The htmx release the pages load (`assets/htmx-<version>.min.js`).
pub const HTMX: &str = "/assets/htmx-2.0.11.min.js";

const STYLE: &str = include_str!("../assets/style.css");
const HTMX_JS: &str = include_str!("../assets/htmx-2.0.11.min.js");
const COPY_JS: &str = include_str!("../assets/copy.js");

pub fn router() -> Router {
    Router::new()
        .route("/assets/style.css", get(|| async { file("text/css; charset=utf-8", STYLE) }))
        .route(HTMX, get(|| async { file("text/javascript; charset=utf-8", HTMX_JS) }))
        .route("/assets/copy.js", get(|| async { file("text/javascript; charset=utf-8", COPY_JS) }))
}

fn file(kind: &'static str, body: &'static str) -> impl IntoResponse {
    ([(CONTENT_TYPE, kind), (CACHE_CONTROL, "public, max-age=86400")], body)
}
