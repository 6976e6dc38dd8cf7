//! `/docs`: the API document as an interactive reference (Swagger UI). Its files are
//! vendored in `assets/swagger-ui` at a pinned version (`scripts/vendor-swagger-ui`) and
//! built into the binary, so the page loads nothing from outside.

use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use loyalty_store::Store;

const PAGE: &str = include_str!("../assets/docs/index.html");

/// The files the page loads, by name, with their media types.
const FILES: [(&str, &str, &[u8]); 3] = [
    (
        "swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/swagger-ui/swagger-ui-bundle.js"),
    ),
    ("swagger-ui.css", "text/css; charset=utf-8", include_bytes!("../assets/swagger-ui/swagger-ui.css")),
    ("docs.js", "text/javascript; charset=utf-8", include_bytes!("../assets/docs/docs.js")),
];

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new().route("/docs", get(page)).route("/docs/{file}", get(file))
}

async fn page() -> Response {
    with_type(PAGE.as_bytes(), "text/html; charset=utf-8")
}

async fn file(ApiPath(name): ApiPath<String>) -> Result<Response, ApiError> {
    FILES
        .iter()
        .find(|(file, _, _)| *file == name)
        .map(|(_, media, bytes)| with_type(bytes, media))
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such file of the API reference"))
}

fn with_type(bytes: &'static [u8], media: &'static str) -> Response {
    let mut response = bytes.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    response
}
