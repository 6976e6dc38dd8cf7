//! `/docs`: the API document as an interactive reference (Swagger UI). Its files are
//! vendored in `assets/swagger-ui` at a pinned version (`scripts/vendor-swagger-ui`) and
//! built into the binary, so the page loads nothing from outside.

use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::openapi::{Documented, answers_raw, doc};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::get_with;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use loyalty_store::Store;
use schemars::{JsonSchema, json_schema};
use serde::Deserialize;

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

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    let text = || json_schema!({ "type": "string" });
    ApiRouter::new()
        .api_route(
            "/docs",
            get_with(page, move |op| {
                doc("docs", "system", "This document as an interactive reference")(op).with(answers_raw(
                    200,
                    "text/html",
                    text(),
                    "The reference page",
                ))
            }),
        )
        .api_route(
            "/docs/{file}",
            get_with(file, move |op| {
                doc("docs_file", "system", "A file the reference page loads")(op)
                    .with(answers_raw(200, "text/javascript", text(), "The file"))
                    .errors(&[404])
            }),
        )
}

/// The path of a file of the reference page.
#[derive(Debug, Deserialize, JsonSchema)]
struct FilePath {
    /// `swagger-ui-bundle.js`, `swagger-ui.css` or `docs.js`.
    file: String,
}

async fn page() -> Response {
    with_type(PAGE.as_bytes(), "text/html; charset=utf-8")
}

async fn file(ApiPath(FilePath { file: name }): ApiPath<FilePath>) -> Result<Response, ApiError> {
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
