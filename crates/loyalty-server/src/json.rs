//! JSON bodies whose every failure is an `ApiError` naming the problem, read within the
//! API's limits: at most [`MAX_DEPTH`] levels of arrays and objects, strings (keys
//! included) of at most [`MAX_STRING_CHARS`] characters, no key twice in one object.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// The deepest a body may nest arrays and objects: `{"a": [1]}` is two levels.
pub const MAX_DEPTH: usize = 32;
/// The longest string a body may hold, as a value or as a key, in characters.
pub const MAX_STRING_CHARS: usize = 4096;

/// Like `axum::Json`, but a bad body is answered in the API's error format: malformed
/// JSON (a key twice in one object included) → 400 `malformed_json`, nested too deep →
/// 400 `json_too_deep`, a string too long → 422 `string_too_long`, a field of the wrong
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
        if !is_json(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(unreadable)?;
        let value = parse_strict(&bytes)?;
        // Every body of the API is an object; serde would read an array as a struct's
        // fields in order, taking a body the document forbids.
        if !value.is_object() {
            return Err(ApiError::invalid_request("the body must be a JSON object"));
        }
        from_value(value).map(ApiJson)
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

/// An optional JSON body: none when the request has no `Content-Type`, else read as
/// `ApiJson` reads it. The API document says the body may be left out (`Option<ApiJson>`
/// would document it as required).
#[derive(Debug)]
pub struct MaybeJson<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for MaybeJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let body = <ApiJson<T> as axum::extract::OptionalFromRequest<S>>::from_request(req, state).await?;
        Ok(MaybeJson(body.map(|ApiJson(b)| b)))
    }
}

/// `application/json`, or another `application/...+json`, as axum's `Json` takes.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.split_once('/') {
        Some((kind, subtype)) => kind == "application" && (subtype == "json" || subtype.ends_with("+json")),
        None => false,
    }
}

/// A body that could not be read: over the size limit, or cut off.
fn unreadable(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed_request", without_prefix(&rejection.body_text()))
    }
}

/// Reads a whole body as JSON within the limits, refusing a key twice in one object, for
/// a route that reads its body itself.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, ApiError> {
    let hit = RefCell::new(None);
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let parsed = Node { depth: 0, hit: &hit }.deserialize(&mut reader).and_then(|value| {
        reader.end()?;
        Ok(value)
    });
    match (parsed, hit.into_inner()) {
        (Ok(value), _) => Ok(value),
        (Err(_), Some(Limit::TooDeep)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "json_too_deep",
            format!("the body nests arrays and objects more than {MAX_DEPTH} levels deep"),
        )),
        (Err(_), Some(Limit::TooLong { path, chars, key })) => {
            let what = if key { "a key" } else { "a string" };
            let at = if path.is_empty() { String::new() } else { format!("{}: ", show_path(&path)) };
            Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "string_too_long",
                format!("{at}{what} of {chars} characters; at most {MAX_STRING_CHARS} are taken"),
            ))
        }
        (Err(e), None) => Err(malformed(e.to_string())),
    }
}

fn malformed(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", message)
}

/// The limit a body broke while it was read.
enum Limit {
    TooDeep,
    /// The path to the string, innermost step first (it is filled in as the error
    /// unwinds); `key` if the string is a key of the object at the path.
    TooLong {
        path: Vec<Step>,
        chars: usize,
        key: bool,
    },
}

enum Step {
    Key(String),
    Index(usize),
}

/// `lines[3].sku`, as `invalid_request` names fields.
fn show_path(innermost_first: &[Step]) -> String {
    let mut text = String::new();
    for step in innermost_first.iter().rev() {
        match step {
            Step::Key(key) if text.is_empty() => text.push_str(key),
            Step::Key(key) => {
                text.push('.');
                text.push_str(key);
            }
            Step::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}

/// Any JSON value without a key twice in one object, read at `depth` levels of nesting;
/// a limit broken is noted in `hit`, so that the caller answers with its own code.
struct Node<'a> {
    depth: usize,
    hit: &'a RefCell<Option<Limit>>,
}

impl Node<'_> {
    /// The depth inside an array or object opened here.
    fn enter<E: de::Error>(&self) -> Result<usize, E> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            *self.hit.borrow_mut() = Some(Limit::TooDeep);
            return Err(E::custom(format!("nested more than {MAX_DEPTH} levels deep")));
        }
        Ok(depth)
    }

    fn string<E: de::Error>(&self, v: &str, key: bool) -> Result<(), E> {
        if v.len() > MAX_STRING_CHARS {
            let chars = v.chars().count();
            if chars > MAX_STRING_CHARS {
                *self.hit.borrow_mut() = Some(Limit::TooLong { path: Vec::new(), chars, key });
                return Err(E::custom(format!("a string longer than {MAX_STRING_CHARS} characters")));
            }
        }
        Ok(())
    }

    /// Adds a step to the path of a string too long found below it.
    fn under(&self, step: Step) {
        if let Some(Limit::TooLong { path, .. }) = self.hit.borrow_mut().as_mut() {
            path.push(step);
        }
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// An object's key, within the string limit.
struct Key<'a>(&'a Node<'a>);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        let key = String::deserialize(deserializer)?;
        self.0.string(&key, true)?;
        Ok(key)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
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
        // A number without a fraction is an integer to JSON Schema (`29019.0` is one, as
        // the API document's `integer` fields say): read it as one, so that they take it.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
        if v.fract() == 0.0 && (-LIMIT..LIMIT).contains(&v) {
            #[allow(clippy::cast_possible_truncation)] // whole and within i64, checked above
            return Ok(Value::from(v as i64));
        }
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.string(v, false)?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.string(&v, false)?;
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let depth = self.enter()?;
        let mut items = Vec::new();
        loop {
            match seq.next_element_seed(Node { depth, hit: self.hit }) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(Value::Array(items)),
                Err(e) => {
                    self.under(Step::Index(items.len()));
                    return Err(e);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let depth = self.enter()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key_seed(Key(&self))? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "the key `{key}` appears twice in one object; send each key once"
                )));
            }
            match map.next_value_seed(Node { depth, hit: self.hit }) {
                Ok(value) => {
                    object.insert(key, value);
                }
                Err(e) => {
                    self.under(Step::Key(key));
                    return Err(e);
                }
            }
        }
        Ok(Value::Object(object))
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
