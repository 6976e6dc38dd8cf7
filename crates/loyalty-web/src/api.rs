//! The API, called in process: a page reads and writes exactly as a client of the API
//! would, with the signed-in key (or the member's token) as its bearer.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{Method, Request, StatusCode};
use serde_json::Value;
use std::net::SocketAddr;
use tower::ServiceExt;

/// The largest answer a page reads: a page of a report or a ledger fits many times over.
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Api {
    router: Router,
}

/// The API's refusal, as its error body says it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

impl Refusal {
    /// What a form sent that the page itself can tell is wrong.
    pub fn invalid(message: impl Into<String>) -> Refusal {
        Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_request".into(),
            message: message.into(),
        }
    }

    fn internal(message: impl Into<String>) -> Refusal {
        Refusal {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal".into(),
            message: message.into(),
        }
    }

    /// Whether the bearer itself was refused: the session is over.
    pub fn signed_out(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED
    }
}

impl Api {
    pub fn new(router: Router) -> Api {
        Api { router }
    }

    pub async fn get(&self, bearer: &str, path: &str) -> Result<Value, Refusal> {
        self.call(Method::GET, bearer, path, None, None).await
    }

    pub async fn post(&self, bearer: &str, path: &str, body: &Value) -> Result<Value, Refusal> {
        self.call(Method::POST, bearer, path, Some(body), None).await
    }

    pub async fn patch(&self, bearer: &str, path: &str, body: &Value) -> Result<Value, Refusal> {
        self.call(Method::PATCH, bearer, path, Some(body), None).await
    }

    pub async fn delete(&self, bearer: &str, path: &str) -> Result<Value, Refusal> {
        self.call(Method::DELETE, bearer, path, None, None).await
    }

    /// `PUT path` with a body of media type `kind` (such as a program's TOML).
    pub async fn put(&self, bearer: &str, path: &str, kind: &str, body: &str) -> Result<Value, Refusal> {
        let (status, _, bytes) =
            self.send(Method::PUT, bearer, path, Some((kind, body.as_bytes().to_vec())), None).await?;
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status.is_success() { Ok(value) } else { Err(refusal(status, &value)) }
    }

    /// `GET path` as the API answered it: its content type and body, for a download.
    pub async fn get_raw(&self, bearer: &str, path: &str) -> Result<(String, Vec<u8>), Refusal> {
        let (status, kind, bytes) = self.send(Method::GET, bearer, path, None, None).await?;
        if status.is_success() {
            return Ok((kind, bytes));
        }
        Err(refusal(status, &serde_json::from_slice(&bytes).unwrap_or(Value::Null)))
    }

    /// `GET path` for a client at `address`: a bearer that is refused counts against the
    /// address's bucket, as it would if the client called the API itself, so that guessing
    /// keys through the sign-in form is slowed like guessing them at the API.
    pub async fn get_for(
        &self,
        bearer: &str,
        path: &str,
        address: Option<SocketAddr>,
    ) -> Result<Value, Refusal> {
        self.call(Method::GET, bearer, path, None, address).await
    }

    async fn call(
        &self,
        method: Method,
        bearer: &str,
        path: &str,
        body: Option<&Value>,
        address: Option<SocketAddr>,
    ) -> Result<Value, Refusal> {
        let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
        let (status, _, bytes) = self.send(method, bearer, path, body, address).await?;
        let value: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .map_err(|e| Refusal::internal(format!("the answer of {path} is not JSON: {e}")))?
        };
        if status.is_success() { Ok(value) } else { Err(refusal(status, &value)) }
    }

    async fn send(
        &self,
        method: Method,
        bearer: &str,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
        address: Option<SocketAddr>,
    ) -> Result<(StatusCode, String, Vec<u8>), Refusal> {
        let mut request =
            Request::builder().method(method).uri(path).header(AUTHORIZATION, format!("Bearer {bearer}"));
        if let Some(address) = address {
            request = request.extension(ConnectInfo(address));
        }
        let request = match body {
            Some((kind, body)) => request.header(CONTENT_TYPE, kind).body(Body::from(body)),
            None => request.body(Body::empty()),
        }
        .map_err(|e| Refusal::internal(format!("building a call to {path}: {e}")))?;
        let response = self.router.clone().oneshot(request).await.map_err(|e| match e {})?;
        let status = response.status();
        let kind = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = to_bytes(response.into_body(), MAX_ANSWER_BYTES)
            .await
            .map_err(|e| Refusal::internal(format!("reading the answer of {path}: {e}")))?;
        Ok((status, kind, bytes.to_vec()))
    }
}

/// The refusal an error answer's body says.
fn refusal(status: StatusCode, body: &Value) -> Refusal {
    let error = &body["error"];
    Refusal {
        status,
        code: error["code"].as_str().unwrap_or("unknown").to_owned(),
        message: error["message"].as_str().unwrap_or("the API refused without saying why").to_owned(),
    }
}

/// Everything but RFC 3986's unreserved characters is escaped.
const UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// `text` made safe to put in a path segment or a query value.
pub fn escape(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, UNRESERVED).to_string()
}
