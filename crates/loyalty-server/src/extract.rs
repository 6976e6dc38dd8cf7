//! The path and query of a request, whose every failure is an `ApiError`: axum's own
//! extractors answer a bad path or query in plain text, which no client of this API reads.

use crate::error::ApiError;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Like `axum::extract::Path`: a path that cannot be read (not UTF-8 once decoded) is
/// `400 malformed_request`.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<ApiPath<T>, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(path_error(&rejection)),
        }
    }
}

pub(crate) fn path_error(rejection: &PathRejection) -> ApiError {
    if rejection.status().is_server_error() {
        // A route whose handler asks for parameters its template lacks: a bug, not the client's.
        return ApiError::internal(rejection.body_text());
    }
    ApiError::new(StatusCode::BAD_REQUEST, "malformed_request", rejection.body_text())
}

/// Like `axum::extract::Query`: a query that cannot be read — a parameter given twice, a
/// value of the wrong shape, bad percent-encoding — is `400 malformed_request` naming it.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<ApiQuery<T>, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_error(&rejection)),
        }
    }
}

fn query_error(rejection: &QueryRejection) -> ApiError {
    let text = rejection.body_text();
    // axum opens with a sentence about the query string; the rest names the parameter.
    let detail = text.split_once(": ").map_or(text.as_str(), |(_, rest)| rest);
    ApiError::new(StatusCode::BAD_REQUEST, "malformed_request", format!("query: {detail}"))
}
