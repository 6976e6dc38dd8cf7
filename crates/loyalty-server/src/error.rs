//! The one mapping from errors to HTTP: every error is `{"error": {"code", "message"}}`
//! with a stable snake_case code. Internal errors are logged, never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use loyalty_core::{Program, Rejection};
use loyalty_store::StoreError;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Seconds to send as `Retry-After`.
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), retry_after: None }
    }

    /// The same error, telling the client how many seconds to wait before trying again.
    pub fn with_retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    pub fn invalid_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// An error whose cause must stay private: it is logged here and the client hears
    /// only that something went wrong.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "an internal error occurred; it has been logged",
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// What the body's `message` says.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl ApiError {
    /// A refusal of the program's, in its words: its points name and its currency.
    pub fn rejected(rejection: &Rejection, program: &Program) -> ApiError {
        ApiError::new(rejection_status(rejection), rejection.code(), rejection.message_for(program))
    }

    /// A store's error on a command of `program`'s: a refusal in the program's words.
    pub fn from_store(err: StoreError, program: &Program) -> ApiError {
        match err {
            StoreError::Rejected(rejection) => ApiError::rejected(&rejection, program),
            other => other.into(),
        }
    }
}

impl From<Rejection> for ApiError {
    fn from(rejection: Rejection) -> ApiError {
        ApiError::new(rejection_status(&rejection), rejection.code(), rejection.to_string())
    }
}

/// The status a refusal is answered with: 404 for lookups, 409 for conflicts with what is
/// stored, 422 for the rest.
fn rejection_status(rejection: &Rejection) -> StatusCode {
    match rejection {
        Rejection::MemberNotFound { .. }
        | Rejection::RewardNotFound { .. }
        | Rejection::OrderNotFound { .. }
        | Rejection::TierNotFound { .. }
        | Rejection::RewardCodeNotFound { .. }
        | Rejection::HoldNotFound { .. }
        | Rejection::SurveyNotFound { .. } => StatusCode::NOT_FOUND,
        Rejection::MemberAlreadyExists { .. }
        | Rejection::IdempotencyKeyReused
        | Rejection::OrderAlreadyRecorded { .. }
        | Rejection::MemberClosed { .. }
        | Rejection::MemberSuspended { .. }
        | Rejection::StatusUnchanged { .. }
        | Rejection::MemberNotClosed { .. }
        | Rejection::AlreadySubscribed { .. }
        | Rejection::RewardArchived { .. }
        | Rejection::RewardNotActive { .. }
        | Rejection::RewardOutOfStock { .. }
        | Rejection::RewardLimitReached { .. }
        | Rejection::RewardAlreadyUsed { .. }
        | Rejection::RewardCancelled { .. }
        | Rejection::RewardExpired { .. }
        | Rejection::GiftCardInsufficientBalance { .. }
        | Rejection::GiftCardPartlyUsed { .. }
        | Rejection::HoldNotOpen { .. }
        | Rejection::HoldExpired { .. }
        | Rejection::MemberHasOpenHolds { .. }
        | Rejection::SurveyAlreadyAnswered { .. }
        | Rejection::SurveyCoolingDown { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::Rejected(rejection) => rejection.into(),
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
