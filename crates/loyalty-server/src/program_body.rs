//! A program definition sent as a request body: JSON, or the TOML of a program file
//! (`Content-Type: application/toml`), read and checked as `loyalty serve --program`
//! reads a file, with each problem located by field and line.

use crate::error::ApiError;
use crate::json::ApiJson;
use crate::program_file;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use loyalty_core::program::ProgramDef;

/// A program definition from a JSON or TOML body.
#[derive(Debug)]
pub struct ProgramBody(pub ProgramDef);

/// The media type of a body, without its parameters, in lower case.
fn media_type(request: &Request) -> Option<String> {
    let value = request.headers().get(CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
}

impl<S: Send + Sync> FromRequest<S> for ProgramBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<ProgramBody, ApiError> {
        if media_type(&request).as_deref() != Some("application/toml") {
            return match ApiJson::<ProgramDef>::from_request(request, state).await {
                Err(e) if e.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "send the program as JSON (`Content-Type: application/json`) or as the TOML of a \
                     program file (`Content-Type: application/toml`)",
                )),
                read => read.map(|ApiJson(definition)| ProgramBody(definition)),
            };
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                crate::json::too_large()
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "malformed_request", e.body_text())
            }
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_request", "the TOML body is not UTF-8 text")
        })?;
        let program = program_file::parse("the body", text).map_err(|e| {
            let problems: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program", problems.join("; "))
        })?;
        Ok(ProgramBody(program.definition().clone()))
    }
}
