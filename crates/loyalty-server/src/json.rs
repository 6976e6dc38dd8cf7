//! JSON bodies whose every failure is an `ApiError` naming the problem.

use crate::error::ApiError;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// Like `axum::Json`, but a bad body is answered in the API's error format: malformed
/// JSON (a key twice in one object included) → 400 `malformed_json`, a field of the wrong
/// shape → 422 `invalid_request`.
///
/// The body is read into a JSON value first, refusing duplicate keys at any depth, and only
/// then into `T`: serde would otherwise let a map or `Value` keep the last of two keys and
/// a struct refuse them, so that routes read the same body differently.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<Strict>::from_request(req, state).await {
            Ok(Json(Strict(value))) => from_value(value).map(ApiJson),
            // A `Strict` value takes any JSON, so a data error is a duplicate key.
            Err(JsonRejection::JsonDataError(e)) => Err(malformed(without_prefix(&e.body_text()))),
            Err(rejection) => Err(rejection_to_error(rejection)),
        }
    }
}

/// An optional body: a request without a `Content-Type` has none; one with it is read as
/// `ApiJson` reads it.
impl<S: Send + Sync, T: DeserializeOwned> axum::extract::OptionalFromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, ApiError> {
        if !req.headers().contains_key(axum::http::header::CONTENT_TYPE) {
            return Ok(None);
        }
        <ApiJson<T> as FromRequest<S>>::from_request(req, state).await.map(Some)
    }
}

/// Reads a whole body as JSON, refusing a key twice in one object, for a route that reads
/// its body itself.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice::<Strict>(bytes).map(|Strict(value)| value).map_err(|e| malformed(e.to_string()))
}

fn malformed(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", message)
}

/// Any JSON value without a key twice in one object, however deep.
#[derive(Debug, Serialize)]
#[serde(transparent)]
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Strict, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "the key `{key}` appears twice in one object; send each key once"
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

fn rejection_to_error(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => ApiError::invalid_request(without_prefix(&e.body_text())),
        JsonRejection::JsonSyntaxError(e) => malformed(without_prefix(&e.body_text())),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with `Content-Type: application/json`",
        ),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        other => ApiError::new(StatusCode::BAD_REQUEST, "malformed_request", other.body_text()),
    }
}

/// The answer to a body over the limit.
pub(crate) fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the body is larger than the limit of {} bytes", crate::app::MAX_BODY_BYTES),
    )
}

/// axum prefixes its messages with a sentence about the target type; the rest names
/// the field and the problem, which is what a client needs.
fn without_prefix(text: &str) -> String {
    text.split_once(": ").map_or(text, |(_, rest)| rest).to_owned()
}

/// Deserialises a JSON value into `T`, naming the path of a field that does not fit.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            ApiError::invalid_request(e.inner().to_string())
        } else {
            ApiError::invalid_request(format!("{path}: {}", e.inner()))
        }
    })
}
